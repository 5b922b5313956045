import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { encodeHeader, padding } from "../layers/tarHeader.js";
import { ContextMirrors } from "./contextMirror.js";
import { parseManifest, type ManifestEntry } from "./sessionManifest.js";

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
      assert.equal(first.known.entry("d/same")?.sha256, sha("same\n"));
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
      assert.equal(second.known.entry("d/edit")?.sha256, sha("v2\n"));
      assert.equal(lstatSync(join(dir, "d")).mode & 0o7777, 0o750);
      assert.equal(existsSync(join(dir, "gone")), false);
      assert.equal(readlinkSync(join(dir, "kind")), "d/same");
      second.forget("d");
      assert.equal(second.known.entry("d/same")?.sha256, undefined);
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

  it("a sync that changes nothing keeps the index file; one that changes removes it before writing", async () => {
    const root = mkdtempSync(join(tmpdir(), "berth-mirror-"));
    try {
      const mirrors = new ContextMirrors(root);
      const members: Member[] = [
        { name: "d/", type: "5", mtime: 1_700_000_000 },
        { name: "d/a", type: "0", data: "a", mtime: 1_700_000_000 },
      ];
      const first = await mirrors.sync(stream(tar(members)));
      const indexFile = join(dirname(first.dir), "index.json");
      await first.release();
      (await mirrors.lease()).abandon(); // a lease waits for the index to be written
      const written = lstatSync(indexFile).mtimeMs;
      const same = await mirrors.sync(stream(tar(members)));
      assert.equal(existsSync(indexFile), true, "nothing changed: the index on disk still holds");
      await same.release();
      (await mirrors.lease()).abandon();
      assert.equal(lstatSync(indexFile).mtimeMs, written, "and it is not written again");
      const changed = await mirrors.sync(stream(tar([...members, { name: "d/b", type: "0", data: "b" }])));
      assert.equal(existsSync(indexFile), false, "a crash now must not trust the old index");
      await changed.release();
      const again = await mirrors.sync(stream(tar([...members, { name: "d/b", type: "0", data: "b" }])));
      assert.equal(again.known.entry("d/b")?.sha256, sha("b"));
      await again.release();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  describe("build sessions", () => {
    type E = Partial<ManifestEntry> & { path: string };
    const f = (path: string, sig: string, over: Partial<ManifestEntry> = {}): E => ({
      path,
      type: "file",
      sig,
      size: 1,
      ...over,
    });
    const manifest = (entries: E[]) =>
      parseManifest(
        entries.map((e) => ({
          type: "dir",
          mode: 0o644,
          uid: 0,
          gid: 0,
          mtime: 1_700_000_000,
          size: 0,
          ...e,
        })),
      );
    const files = (m: Record<string, string>): Member[] =>
      Object.entries(m).map(([name, data]) => ({ name, type: "0", data }));

    it("sends only files whose signature changed; the manifest decides what the context is", async () => {
      const root = mkdtempSync(join(tmpdir(), "berth-mirror-"));
      try {
        const mirrors = new ContextMirrors(root);
        const m1 = manifest([
          { path: "d", mode: 0o755 },
          f("d/same", "s1"),
          f("d/touched", "t1"),
          f("d/edit", "e1"),
          f("d/chmod", "c1"),
          f("gone", "g1"),
          f("kind", "k1"),
          { path: "link", type: "symlink", linkname: "d/same" },
        ]);
        const lease1 = await mirrors.lease("client-a");
        assert.equal(lease1.index.size, 0);
        const content = {
          "d/same": "same",
          "d/touched": "touch",
          "d/edit": "v1",
          "d/chmod": "c",
          gone: "x",
          kind: "file",
        };
        const first = await lease1.sync(stream(tar(files(content))), m1);
        const dir = first.dir;
        assert.equal(first.received, Object.values(content).join("").length);
        const ino = (p: string) => lstatSync(join(dir, p)).ino;
        const inodes = { same: ino("d/same"), touched: ino("d/touched"), chmod: ino("d/chmod") };
        assert.equal(readlinkSync(join(dir, "link")), "d/same");
        await first.release();

        // Unchanged: nothing to send, nothing rewritten.
        const lease2 = await mirrors.lease("client-a");
        const { neededFiles } = await import("./sessionManifest.js");
        assert.deepEqual(neededFiles(m1, lease2.index), []);
        const second = await lease2.sync(stream([Buffer.alloc(1024)]), m1);
        assert.equal(second.dir, dir);
        assert.equal(second.received, 0);
        assert.equal(ino("d/same"), inodes.same);
        await second.release();

        // Changes: removed file, file → directory, symlink target, mode only (same sig),
        // touched (new sig, same bytes), one byte changed (new sig, new bytes).
        const m3 = manifest([
          { path: "d", mode: 0o750 },
          f("d/same", "s1"),
          f("d/touched", "t2", { mtime: 1_800_000_000 }),
          f("d/edit", "e2"),
          f("d/chmod", "c1", { mode: 0o600 }),
          { path: "kind", mode: 0o700 },
          f("kind/inner", "i1"),
          { path: "link", type: "symlink", linkname: "d/edit" },
        ]);
        const lease3 = await mirrors.lease("client-a");
        assert.deepEqual(neededFiles(m3, lease3.index), ["d/touched", "d/edit", "kind/inner"]);
        const third = await lease3.sync(
          stream(tar(files({ "d/touched": "touch", "d/edit": "v2", "kind/inner": "in" }))),
          m3,
        );
        assert.equal(existsSync(join(dir, "gone")), false);
        assert.equal(lstatSync(join(dir, "kind")).isDirectory(), true);
        assert.equal(lstatSync(join(dir, "kind")).mode & 0o7777, 0o700);
        assert.equal(readFileSync(join(dir, "kind/inner"), "utf8"), "in");
        assert.equal(readlinkSync(join(dir, "link")), "d/edit");
        assert.equal(lstatSync(join(dir, "d/chmod")).mode & 0o7777, 0o600);
        assert.equal(ino("d/chmod"), inodes.chmod, "a mode change does not rewrite the file");
        assert.equal(ino("d/touched"), inodes.touched, "same bytes are not rewritten");
        assert.equal(lstatSync(join(dir, "d/touched")).mtimeMs, 1_800_000_000_000);
        assert.equal(third.known.entry("d/touched")?.sha256, sha("touch"), "the cache sees the same content");
        assert.equal(third.known.entry("d/edit")?.sha256, sha("v2"));
        assert.equal(readFileSync(join(dir, "d/edit"), "utf8"), "v2");
        assert.equal(lstatSync(join(dir, "d")).mode & 0o7777, 0o750);
        await third.release();

        // The signature of a kept file is the one its bytes came with.
        const lease4 = await mirrors.lease("client-a");
        assert.equal(lease4.index.get("d/touched")?.sig, "t2");
        assert.deepEqual(neededFiles(m3, lease4.index), []);
        lease4.abandon();
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });

    it("refuses a tar that does not match the manifest, and discards the mirror", async () => {
      const root = mkdtempSync(join(tmpdir(), "berth-mirror-"));
      try {
        const mirrors = new ContextMirrors(root);
        const m = manifest([f("a", "a1"), f("b", "b1")]);
        const lease = await mirrors.lease("k");
        await assert.rejects(
          lease.sync(stream(tar(files({ a: "x" }))), m),
          /b is in the manifest but was not sent/,
        );
        const again = await mirrors.lease("k");
        assert.equal(again.index.size, 0, "a failed sync leaves nothing to trust");
        await assert.rejects(
          again.sync(stream(tar(files({ a: "x", b: "y", extra: "z" }))), m),
          /"extra" was sent but the manifest lists no such file/,
        );
        const dirs = await mirrors.lease("k");
        await assert.rejects(
          dirs.sync(stream(tar([{ name: "a", type: "5" }, ...files({ b: "y" })])), m),
          /manifest lists no such file/,
        );
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });

    it("leases the mirror a client used last; an abandoned lease keeps its mirror", async () => {
      const root = mkdtempSync(join(tmpdir(), "berth-mirror-"));
      try {
        const mirrors = new ContextMirrors(root);
        const syncing = async (key: string, data: string) => {
          const lease = await mirrors.lease(key);
          return lease.sync(stream(tar(files({ f: data }))), manifest([f("f", `sig-${data}`)]));
        };
        // Two builds at once get two mirrors; b is released last (the most recently used).
        const ma = await syncing("a", "aa");
        const mb = await syncing("b", "bb");
        assert.notEqual(ma.dir, mb.dir);
        await ma.release();
        await mb.release();
        const la = await mirrors.lease("a");
        assert.equal(la.index.get("f")?.sig, "sig-aa");
        la.abandon();
        const lb = await mirrors.lease("b");
        assert.equal(lb.index.get("f")?.sig, "sig-bb");
        lb.abandon();
        // A plain tar (the docker CLI, key "") of the same bytes keeps the signature they came with.
        const plain = await mirrors.lease("a");
        const synced = await plain.sync(stream(tar(files({ f: "aa" }))));
        assert.equal(synced.dir, ma.dir);
        await synced.release();
        const kept = await mirrors.lease("a");
        assert.equal(kept.index.get("f")?.sig, "sig-aa");
        const other = await kept.sync(stream(tar(files({ f: "changed" }))));
        await other.release();
        const dropped = await mirrors.lease("a");
        assert.equal(dropped.index.get("f")?.sig, undefined, "other bytes: the signature no longer holds");
        dropped.abandon();
        // A daemon restart finds the same mirrors, keys and indexes on disk.
        await new Promise((r) => setTimeout(r, 20)); // the index is written off the build's path
        const after = new ContextMirrors(root);
        const again = await after.lease("b");
        assert.equal(again.index.get("f")?.sig, "sig-bb");
        again.abandon();
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  });
});
