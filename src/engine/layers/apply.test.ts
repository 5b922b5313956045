/** Needs root (mknod, chown, trusted.* xattrs). Every tar here is hostile or odd on purpose. */
import assert from "node:assert/strict";
// eslint-disable-next-line no-restricted-imports -- the fixtures are made by the real compressors
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, test } from "node:test";
import { gzipSync } from "node:zlib";
import { isEngineError } from "../errors.js";
import { nativeSys } from "../host/native.js";
import { applyLayerTar } from "./apply.js";
import { assembleTar, decodeTarSplit } from "./tarSplit.js";
import { buildTar, type TestEntry } from "./testTar.js";

const base = mkdtempSync(join(tmpdir(), "berth-apply-"));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

/** A fresh layer dir next to an `outside` dir that must stay empty. */
function fresh() {
  const top = join(base, String(n++));
  const layer = join(top, "layer");
  const outside = join(top, "outside");
  mkdirSync(layer, { recursive: true });
  mkdirSync(outside);
  return { top, layer, outside };
}

const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function apply(tar: Buffer, layer: string) {
  return applyLayerTar(Readable.from([tar]), layer);
}

/** Applies, checks nothing leaked next to the layer, and checks the export is byte-exact. */
async function applyOk(entries: TestEntry[] | Buffer) {
  const d = fresh();
  const tar = Buffer.isBuffer(entries) ? entries : buildTar(entries);
  const res = await apply(tar, d.layer);
  assert.equal(res.diffId, sha(tar));
  assert.deepEqual(readdirSync(d.outside), []);
  assert.deepEqual(readdirSync(d.top).sort(), ["layer", "outside"]);
  const parts: Buffer[] = [];
  for await (const p of assembleTar(decodeTarSplit(res.tarSplit), d.layer, res.diffId)) parts.push(p);
  assert.deepEqual(Buffer.concat(parts), tar, "export must reproduce the tar");
  return { ...d, res };
}

async function applyFails(entries: TestEntry[]) {
  const d = fresh();
  await assert.rejects(apply(buildTar(entries), d.layer), (e) => isEngineError(e, "invalid"));
  assert.deepEqual(readdirSync(d.outside), []);
  assert.deepEqual(readdirSync(d.top).sort(), ["layer", "outside"]);
}

test("../ names are refused", async () => {
  await applyFails([{ name: "../outside/escape", content: "x" }]);
  await applyFails([{ name: "a/../../outside/escape", content: "x" }]);
});

test("absolute names land inside the layer, as etc/x", async () => {
  const { layer } = await applyOk([
    { name: "/abs/path", content: "x" },
    { name: "/../../top", content: "y" },
  ]);
  assert.equal(readFileSync(join(layer, "abs/path"), "utf8"), "x");
  assert.equal(readFileSync(join(layer, "top"), "utf8"), "y");
});

test("writing through a symlink stays inside the layer", async () => {
  const passwd = readFileSync("/etc/passwd");
  const d0 = fresh();
  const { layer } = await applyOk([
    { name: "a", type: "2", linkname: "/etc" },
    { name: "a/passwd", content: "pwned" },
    { name: "b", type: "2", linkname: "../../../../../.." },
    { name: "b/tmp/pwned", content: "pwned" },
    { name: "c", type: "2", linkname: d0.outside },
    { name: "c/x", content: "pwned" },
  ]);
  assert.deepEqual(readFileSync("/etc/passwd"), passwd);
  assert.equal(readFileSync(join(layer, "etc/passwd"), "utf8"), "pwned");
  assert.equal(readFileSync(join(layer, "tmp/pwned"), "utf8"), "pwned");
  assert.equal(readFileSync(join(layer, d0.outside, "x"), "utf8"), "pwned");
  assert.equal(readlinkSync(join(layer, "a")), "/etc"); // the symlink itself is kept as written
  assert.deepEqual(readdirSync(d0.outside), []);
});

test("a file replaces a symlink of the same name instead of writing through it", async () => {
  const d0 = fresh();
  const { layer } = await applyOk([
    { name: "f", type: "2", linkname: join(d0.outside, "target") },
    { name: "f", content: "mine" },
  ]);
  assert.ok(lstatSync(join(layer, "f")).isFile());
  assert.deepEqual(readdirSync(d0.outside), []);
});

test("hard links must point inside the layer", async () => {
  await applyFails([{ name: "h", type: "1", linkname: "../outside/secret" }]);
  await applyFails([{ name: "h", type: "1", linkname: "/etc/passwd" }]); // resolves to <layer>/etc/passwd: absent
  const d0 = fresh();
  await applyFails([
    { name: "s", type: "2", linkname: d0.outside },
    { name: "h", type: "1", linkname: "s/secret" },
  ]);
  const { layer } = await applyOk([
    { name: "etc/passwd", content: "inside" },
    { name: "h", type: "1", linkname: "/etc/passwd" },
  ]);
  assert.equal(lstatSync(join(layer, "h")).ino, lstatSync(join(layer, "etc/passwd")).ino);
});

test("whiteouts become 0/0 char devices and opaque markers an xattr", async () => {
  const { layer } = await applyOk([
    { name: "dir/", type: "5" },
    { name: "dir/.wh..wh..opq", content: "" },
    { name: ".wh.gone", content: "" },
    { name: "dir/.wh.sub", content: "" },
    { name: "dir/.wh..wh.plnk", type: "5" }, // aufs metadata: skipped
  ]);
  const gone = lstatSync(join(layer, "gone"));
  assert.ok(gone.isCharacterDevice());
  assert.equal(gone.rdev, 0);
  assert.ok(lstatSync(join(layer, "dir/sub")).isCharacterDevice());
  assert.equal(nativeSys().lgetxattr(join(layer, "dir"), "trusted.overlay.opaque")?.toString(), "y");
  assert.ok(!existsSync(join(layer, "dir/.wh..wh.opq")));
  assert.ok(!existsSync(join(layer, ".wh.gone")));
  await applyFails([{ name: "x/.wh..", content: "" }]);
});

test("a layer cannot forge overlay xattrs", async () => {
  const { layer } = await applyOk([
    { name: "d/", type: "5", xattrs: { "trusted.overlay.opaque": "y", "user.ok": "1" } },
  ]);
  assert.equal(nativeSys().lgetxattr(join(layer, "d"), "trusted.overlay.opaque"), null);
  assert.equal(nativeSys().lgetxattr(join(layer, "d"), "user.ok")?.toString(), "1");
});

test("devices, fifos, owners, special modes and times are kept", async () => {
  const { layer } = await applyOk([
    { name: "dev/null", type: "3", devmajor: 1, devminor: 3, mode: 0o666 },
    { name: "dev/loop0", type: "4", devmajor: 7, devminor: 0, mode: 0o660, gid: 6 },
    { name: "fifo", type: "6", mode: 0o600 },
    { name: "suid", content: "#!", mode: 0o4755, uid: 1000, gid: 1001, mtime: 1_234_567_890 },
    { name: "tmp/", type: "5", mode: 0o1777, mtime: 1_000_000_000 },
    { name: "tmp/inside", content: "z" }, // would bump tmp's mtime if dir times were set early
    { name: "tmp/link", type: "2", linkname: "nowhere", mtime: 1_111_111_111, uid: 5 },
  ]);
  const dev = lstatSync(join(layer, "dev/null"));
  assert.ok(dev.isCharacterDevice());
  assert.equal(dev.rdev, (1 << 8) | 3);
  assert.ok(lstatSync(join(layer, "dev/loop0")).isBlockDevice());
  assert.ok(lstatSync(join(layer, "fifo")).isFIFO());
  const suid = lstatSync(join(layer, "suid"));
  assert.equal(suid.mode & 0o7777, 0o4755);
  assert.equal(suid.uid, 1000);
  assert.equal(suid.gid, 1001);
  assert.equal(suid.mtimeMs, 1_234_567_890_000);
  const tmp = lstatSync(join(layer, "tmp"));
  assert.equal(tmp.mode & 0o7777, 0o1777);
  assert.equal(tmp.mtimeMs, 1_000_000_000_000);
  const link = lstatSync(join(layer, "tmp/link"));
  assert.equal(link.mtimeMs, 1_111_111_111_000);
  assert.equal(link.uid, 5);
});

test("entries replaced later in the same tar still export byte for byte", async () => {
  const { layer, res } = await applyOk([
    { name: "dup", content: "one" },
    { name: "dup", content: "two!" },
    { name: "d/f", content: "under d" },
    { name: "d/g/h", content: "deeper" },
    { name: "d", content: "d is a file now" },
    { name: "w", content: "whited out" },
    { name: ".wh.w", content: "" },
  ]);
  assert.equal(readFileSync(join(layer, "dup"), "utf8"), "two!");
  assert.equal(readFileSync(join(layer, "d"), "utf8"), "d is a file now");
  assert.equal(res.size, 4 + 15);
});

test("gzip is detected and the diffID is that of the uncompressed tar", async () => {
  const tar = buildTar([{ name: "a", content: "hello" }]);
  const d = fresh();
  const res = await apply(gzipSync(tar), d.layer);
  assert.equal(res.diffId, sha(tar));
  assert.equal(res.tarSize, tar.length);
  await assert.rejects(apply(Buffer.concat([gzipSync(tar).subarray(0, 20)]), fresh().layer), (e) =>
    isEngineError(e, "invalid"),
  );
});

for (const [name, argv] of [
  ["bzip2", ["bzip2", "-c"]],
  ["xz", ["xz", "-c"]],
  ["zstd", ["zstd", "-c", "-q"]],
] as const) {
  test(`${name} layers go through the ${name} program; the diffID is that of the tar`, async () => {
    const tar = buildTar([
      { name: "dir/", type: "5" },
      { name: "dir/a", content: "hello ".repeat(5000) },
    ]);
    const packed = execFileSync(argv[0], argv.slice(1), { input: tar });
    const d = fresh();
    const progress: number[] = [];
    const res = await applyLayerTar(Readable.from([packed]), d.layer, (p) => progress.push(p.bytesRead));
    assert.equal(res.diffId, sha(tar));
    assert.equal(res.tarSize, tar.length);
    assert.equal(progress.at(-1), packed.length, "progress counts the compressed bytes read");
    assert.equal(readFileSync(join(d.layer, "dir/a"), "utf8"), "hello ".repeat(5000));
    const bad = fresh();
    await assert.rejects(
      applyLayerTar(Readable.from([packed.subarray(0, packed.length - 20)]), bad.layer),
      (e) => {
        assert.ok(isEngineError(e, "invalid"), String(e));
        assert.match(e.message, new RegExp(`invalid ${name} stream`));
        return true;
      },
    );
    assert.deepEqual(readdirSync(bad.outside), []);
  });
}

test("unknown entry types and sparse files are refused", async () => {
  await applyFails([{ name: "x", type: "Z" }]);
  await applyFails([{ name: "x", type: "S" }]);
});
