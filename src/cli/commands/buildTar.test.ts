import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tar from "tar-stream";
import type { ContextEntry } from "./buildContext.js";
import { packEntries } from "./buildTar.js";

async function listTar(
  body: NodeJS.ReadableStream,
): Promise<Map<string, { type: string; data: Buffer; mtime: number }>> {
  const out = new Map<string, { type: string; data: Buffer; mtime: number }>();
  const extract = tar.extract();
  const done = new Promise<void>((res, rej) => {
    extract.on("entry", (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        out.set(h.name, {
          type: h.type ?? "",
          data: Buffer.concat(chunks),
          mtime: (h.mtime?.getTime() ?? 0) / 1000,
        });
        next();
      });
    });
    extract.on("finish", res);
    extract.on("error", rej);
    body.on("error", rej);
  });
  body.pipe(extract);
  await done;
  return out;
}

describe("build context tar", () => {
  it("packs files (a big one streamed), dirs, symlinks and long names; `only` picks files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-tar-"));
    try {
      const big = Buffer.alloc((5 << 20) + 3, 1);
      writeFileSync(join(dir, "big"), big);
      writeFileSync(join(dir, "small"), "small\n");
      const long = `${"d".repeat(90)}/${"f".repeat(90)}`;
      const e = (over: Partial<ContextEntry> & { path: string }): ContextEntry => ({
        type: "file",
        mode: 0o644,
        mtime: 1_700_000_000,
        size: 0,
        ...over,
      });
      const entries: ContextEntry[] = [
        e({ path: "d", type: "dir", mode: 0o755 }),
        e({ path: "big", size: big.length, abs: join(dir, "big") }),
        e({ path: "small", size: 6, abs: join(dir, "small") }),
        e({ path: "l", type: "symlink", linkname: "small" }),
        e({ path: long, size: 2, data: Buffer.from("hi") }),
      ];
      const all = await listTar(packEntries(entries));
      assert.deepEqual([...all.keys()], ["d/", "big", "small", "l", long]);
      assert.equal(all.get("big")?.data.equals(big), true);
      assert.equal(all.get("small")?.data.toString(), "small\n");
      assert.equal(all.get("l")?.type, "symlink");
      assert.equal(all.get(long)?.data.toString(), "hi");
      assert.equal(all.get("small")?.mtime, 1_700_000_000);
      const some = await listTar(packEntries(entries, new Set(["small"])));
      assert.deepEqual([...some.keys()], ["small"]);

      // A file that shrank after the walk is an error, never a corrupt tar.
      const shrunk = [e({ path: "big", size: big.length + 10, abs: join(dir, "big") })];
      await assert.rejects(listTar(packEntries(shrunk)), /changed while it was sent/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
