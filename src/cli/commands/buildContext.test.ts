import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { walkContext } from "./buildContext.js";

describe("build context walk", () => {
  it("applies .dockerignore (never the Dockerfile or .dockerignore) and signs files", () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-walk-"));
    try {
      mkdirSync(join(dir, "src/keep"), { recursive: true });
      writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
      writeFileSync(join(dir, ".dockerignore"), "secret.txt\nsrc\n!src/keep\nDockerfile\n.dockerignore\n");
      writeFileSync(join(dir, "secret.txt"), "no");
      writeFileSync(join(dir, "src/drop"), "no");
      writeFileSync(join(dir, "src/keep/yes"), "yes");
      symlinkSync("src/keep/yes", join(dir, "link"));
      utimesSync(join(dir, "src/keep/yes"), 1_700_000_000.9, 1_700_000_000.9);
      const w = walkContext(dir);
      const paths = w.entries.map((e) => e.path);
      assert.deepEqual(paths, [".dockerignore", "Dockerfile", "link", "src/keep", "src/keep/yes"]);
      const yes = w.entries.find((e) => e.path === "src/keep/yes");
      assert.equal(yes?.mtime, 1_700_000_000, "seconds, as a tar header holds them");
      assert.match(yes?.sig ?? "", /^\d+:\d+:3:[\d.]+:[\d.]+$/);
      assert.equal(w.entries.find((e) => e.path === "link")?.linkname, "src/keep/yes");
      assert.equal(w.dockerfile, undefined);

      // -f from outside the context: a random name, and a .dockerignore that hides it.
      const outside = join(dir, "..", `${join(dir).split("/").pop()}.Dockerfile`);
      writeFileSync(outside, "FROM scratch\n");
      try {
        const o = walkContext(dir, outside);
        assert.match(o.dockerfile ?? "", /^\.dockerfile\.[0-9a-f]{20}$/);
        const ign = o.entries.filter((e) => e.path === ".dockerignore");
        assert.equal(ign.length, 1);
        assert.match(ign[0]?.data?.toString() ?? "", new RegExp(`\\n${o.dockerfile}\\n$`));
        assert.equal(o.entries.find((e) => e.path === o.dockerfile)?.sig, undefined, "always sent");
      } finally {
        rmSync(outside, { force: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
