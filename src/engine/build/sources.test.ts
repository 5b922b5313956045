import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, utimesSync, writeFileSync, mkdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanSource, expandSources, sourcesLabel, treeDigest } from "./sources.js";

test("source paths stay inside the context", async () => {
  assert.equal(cleanSource("./a/../b"), "b");
  assert.throws(() => cleanSource("../x"), /Forbidden path outside the build context: \.\.\/x/);
  const dir = mkdtempSync(join(tmpdir(), "berth-src-"));
  try {
    mkdirSync(join(dir, "d"));
    writeFileSync(join(dir, "d", "a.txt"), "a");
    writeFileSync(join(dir, "b.txt"), "b");
    symlinkSync("/etc/passwd", join(dir, "escape"));
    const s = await expandSources(dir, ["*.txt", "d"], "COPY");
    assert.deepEqual(
      s.map((x) => [x.name, x.isDir]),
      [
        ["b.txt", false],
        ["d", true],
      ],
    );
    // An absolute symlink resolves inside the context root, never on the host.
    await assert.rejects(expandSources(dir, ["escape"], "COPY"), /file not found in build context/);
    await assert.rejects(expandSources(dir, ["nope*"], "COPY"), /no source files were specified/);
    // The hash follows content, not mtimes.
    const h1 = await treeDigest(join(dir, "d"));
    utimesSync(join(dir, "d", "a.txt"), new Date(0), new Date(0));
    assert.equal(await treeDigest(join(dir, "d")), h1);
    writeFileSync(join(dir, "d", "a.txt"), "A");
    assert.notEqual(await treeDigest(join(dir, "d")), h1);
    assert.match(await sourcesLabel(s.slice(0, 1)), /^file:[0-9a-f]{64}$/);
    assert.match(await sourcesLabel(s), /^multi:[0-9a-f]{64}$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
