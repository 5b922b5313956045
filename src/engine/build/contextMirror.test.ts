import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeHeader, padding } from "../layers/tarHeader.js";
import { ContextMirrors } from "./contextMirror.js";

type Member = {
  name: string;
  type: "0" | "2" | "5";
  data?: string;
  mode?: number;
  mtime?: number;
  link?: string;
};

function tar(members: Member[]): Buffer[] {
  const out: Buffer[] = [];
  for (const m of members) {
    const data = Buffer.from(m.data ?? "");
    out.push(
      encodeHeader({
        name: m.name,
        type: m.type,
        mode: m.mode ?? (m.type === "5" ? 0o755 : 0o644),
        uid: 0,
        gid: 0,
        size: m.type === "0" ? data.length : 0,
        mtime: m.mtime ?? 1_700_000_000,
        linkname: m.link ?? "",
      }),
    );
    if (m.type === "0") out.push(data, Buffer.alloc(padding(data.length)));
  }
  out.push(Buffer.alloc(1024));
  return out;
}

async function* stream(chunks: Buffer[]): AsyncGenerator<Buffer> {
  yield* chunks;
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

describe("context mirror", () => {
  it("writes only what changed: content decides, not mtimes; removed and retyped paths follow the tar", async () => {
    const root = mkdtempSync(join(tmpdir(), "berth-mirror-"));
    try {
      const mirrors = new ContextMirrors(root);
      const first = await mirrors.sync(
        stream(
          tar([
            { name: "d/", type: "5" },
            { name: "d/same", type: "0", data: "same\n" },
            { name: "d/edit", type: "0", data: "v1\n" },
            { name: "gone", type: "0", data: "x" },
            { name: "kind", type: "0", data: "file" },
          ]),
        ),
      );
      const dir = first.dir;
      assert.equal(first.digest("d/same"), sha("same\n"));
      const inodeSame = lstatSync(join(dir, "d/same")).ino;
      await first.release();
      const second = await mirrors.sync(
        stream(
          tar([
            { name: "d/", type: "5", mode: 0o750 },
            { name: "d/same", type: "0", data: "same\n", mtime: 1_800_000_000 },
            { name: "d/edit", type: "0", data: "v2\n" }, // same size, same mtime, other bytes
            { name: "kind", type: "2", link: "d/same" },
          ]),
        ),
      );
      assert.equal(second.dir, dir, "the free mirror is reused");
      assert.equal(lstatSync(join(dir, "d/same")).ino, inodeSame, "an identical file is not rewritten");
      assert.equal(lstatSync(join(dir, "d/same")).mtimeMs, 1_800_000_000_000, "its mtime follows the tar");
      assert.equal(readFileSync(join(dir, "d/edit"), "utf8"), "v2\n");
      assert.equal(second.digest("d/edit"), sha("v2\n"));
      assert.equal(lstatSync(join(dir, "d")).mode & 0o7777, 0o750);
      assert.equal(existsSync(join(dir, "gone")), false);
      assert.equal(readlinkSync(join(dir, "kind")), "d/same");
      second.forget("d");
      assert.equal(second.digest("d/same"), undefined);
      await second.release();
      // A forgotten path (removed by .dockerignore) is written again when it comes back.
      rmSync(join(dir, "d"), { recursive: true });
      const third = await mirrors.sync(stream(tar([{ name: "d/same", type: "0", data: "same\n" }])));
      assert.equal(readFileSync(join(dir, "d/same"), "utf8"), "same\n");
      await third.release();
      await assert.rejects(
        mirrors.sync(
          stream(
            tar([
              { name: "l", type: "2", link: "/etc" },
              { name: "l/passwd", type: "0", data: "x" },
            ]),
          ),
        ),
        /is under a non-directory/,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
