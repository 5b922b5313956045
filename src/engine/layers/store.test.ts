/** Needs root. The layer graph, crash recovery, and byte-exact export of tars made by GNU tar. */
import assert from "node:assert/strict";
// eslint-disable-next-line no-restricted-imports -- the fixtures are made by GNU tar itself
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  createReadStream,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, test } from "node:test";
import { isEngineError } from "../errors.js";
import type { ChainId } from "../ids.js";
import { nativeSys } from "../host/native.js";
import { openDatabase, type Db } from "../store/index.js";
import { layersSchema, openLayerStore } from "./index.js";
import { buildTar } from "./testTar.js";
import type { LayerStore } from "./types.js";

const base = mkdtempSync(join(tmpdir(), "berth-layerstore-"));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

async function fresh(): Promise<{ store: LayerStore; db: Db; root: string }> {
  const dir = join(base, String(n++));
  mkdirSync(dir);
  const db = openDatabase(join(dir, "db.sqlite"), [layersSchema]);
  const root = join(dir, "overlay");
  return { store: await openLayerStore({ root, db }), db, root };
}

const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function drain(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of r) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

function gnuTree(): string {
  const src = join(base, `tree-${n++}`);
  mkdirSync(join(src, "usr/lib"), { recursive: true });
  const longDir = join(src, "d".repeat(120), "e".repeat(120));
  mkdirSync(longDir, { recursive: true });
  writeFileSync(join(longDir, "f".repeat(150)), "long names\n");
  writeFileSync(join(src, "usr/lib/libx.so.1"), Buffer.alloc(70_000, 7));
  linkSync(join(src, "usr/lib/libx.so.1"), join(src, "usr/lib/hard"));
  symlinkSync("libx.so.1", join(src, "usr/lib/libx.so"));
  symlinkSync("/usr/lib/libx.so.1", join(src, "abs-link"));
  nativeSys().mknod(join(src, "null"), 0o020666, 1, 3);
  nativeSys().mknod(join(src, "fifo"), 0o010644, 0, 0);
  writeFileSync(join(src, "caps"), "bin");
  nativeSys().lsetxattr(join(src, "caps"), "user.note", Buffer.from([1, 2, 0, 255]));
  nativeSys().lsetxattr(join(src, "usr"), "user.dir", Buffer.from("x"));
  writeFileSync(join(src, "empty"), "");
  return src;
}

test("tars written by GNU tar (gnu and posix formats, xattrs) export byte for byte", async () => {
  const { store } = await fresh();
  const src = gnuTree();
  for (const format of ["gnu", "posix"]) {
    const tarPath = join(base, `fixture-${format}.tar`);
    execFileSync("tar", [
      `--format=${format}`,
      "--xattrs",
      "--xattrs-include=*",
      "--numeric-owner",
      "-C",
      src,
      "-cf",
      tarPath,
      ".",
    ]);
    const tar = readFileSync(tarPath);
    let progress = 0;
    const layer = await store.register(createReadStream(tarPath), undefined, (p) => (progress = p.bytesRead));
    assert.equal(progress, tar.length);
    assert.equal(layer.diffId, sha(tar));
    assert.equal(layer.tarSize, tar.length);
    assert.equal(sha(await drain(store.tarStream(layer.chainId))), layer.diffId, `${format} export`);
  }
});

test("register: chainIDs, dedup, chain and sizes", async () => {
  const { store, root } = await fresh();
  const t1 = buildTar([{ name: "a", content: "12345" }]);
  const t2 = buildTar([
    { name: "b", content: "123" },
    { name: "l", type: "2", linkname: "a" },
  ]);
  const l1 = await store.register(Readable.from([t1]), undefined);
  assert.equal(l1.chainId, sha(t1));
  assert.equal(l1.size, 5);
  const l2 = await store.register(Readable.from([t2]), l1.chainId);
  assert.equal(l2.chainId, sha(Buffer.from(`${l1.chainId} ${l2.diffId}`)));
  assert.equal(l2.parent, l1.chainId);
  assert.equal(l2.size, 3 + 1);
  const again = await store.register(Readable.from([t2]), l1.chainId);
  assert.deepEqual(again, l2);
  assert.equal(readdirSync(join(root, "layers")).length, 2);
  assert.deepEqual(
    store.chain(l2.chainId).map((l) => l.chainId),
    [l1.chainId, l2.chainId],
  );
  assert.equal(store.chainSize(l2.chainId), 9);
  assert.equal(store.chainSize(undefined), 0);
  assert.throws(
    () => store.chain(sha(Buffer.from("nope")) as ChainId),
    (e) => isEngineError(e, "not-found"),
  );
  await assert.rejects(store.register(Readable.from([t1]), sha(Buffer.from("x")) as ChainId), (e) =>
    isEngineError(e, "not-found"),
  );
});

test("concurrent registers of one tar keep one layer", async () => {
  const { store, root } = await fresh();
  const tar = buildTar([{ name: "same", content: "x".repeat(100_000) }]);
  const [a, b] = await Promise.all([
    store.register(Readable.from([tar.subarray(0, 50_000), tar.subarray(50_000)]), undefined),
    store.register(Readable.from([tar]), undefined),
  ]);
  assert.deepEqual(a, b);
  assert.equal(readdirSync(join(root, "layers")).length, 1);
  assert.equal(readdirSync(join(root, "l")).length, 1);
});

test("a bad tar leaves nothing behind", async () => {
  const { store, root } = await fresh();
  const evil = buildTar([
    { name: "ok", content: "fine" },
    { name: "../escape", content: "x" },
  ]);
  await assert.rejects(store.register(Readable.from([evil]), undefined), (e) => isEngineError(e, "invalid"));
  assert.deepEqual(readdirSync(join(root, "layers")), []);
  assert.deepEqual(readdirSync(join(root, "l")), []);
});

test("refcounts: released layers go, with parents nobody else holds", async () => {
  const { store, root } = await fresh();
  const l1 = await store.register(Readable.from([buildTar([{ name: "a" }])]), undefined);
  const l2 = await store.register(Readable.from([buildTar([{ name: "b" }])]), l1.chainId);
  const l3 = await store.register(Readable.from([buildTar([{ name: "c" }])]), l1.chainId);
  store.retain(l2.chainId);
  store.retain(l3.chainId);
  store.retain(l3.chainId);
  await store.release(l2.chainId);
  assert.equal(store.get(l2.chainId), undefined);
  assert.ok(store.get(l1.chainId)); // still l3's parent
  await store.release(l3.chainId);
  assert.ok(store.get(l3.chainId));
  await store.release(l3.chainId);
  assert.equal(store.get(l3.chainId), undefined);
  assert.equal(store.get(l1.chainId), undefined);
  assert.deepEqual(readdirSync(join(root, "layers")), []);
  assert.deepEqual(readdirSync(join(root, "l")), []);
  assert.throws(
    () => store.retain(l1.chainId),
    (e) => isEngineError(e, "not-found"),
  );
});

test("sweep: temp dirs, dirs without rows, rows without dirs, unreferenced layers", async () => {
  const { store, root, db } = await fresh();
  const kept = await store.register(Readable.from([buildTar([{ name: "kept" }])]), undefined);
  store.retain(kept.chainId);
  const lost = await store.register(Readable.from([buildTar([{ name: "lost" }])]), undefined);
  store.retain(lost.chainId);
  const child = await store.register(Readable.from([buildTar([{ name: "child" }])]), lost.chainId);
  store.retain(child.chainId);
  const unref = await store.register(Readable.from([buildTar([{ name: "unref" }])]), undefined);
  mkdirSync(join(root, "layers/tmp-0123456789abcdef/diff"), { recursive: true });
  mkdirSync(join(root, "layers/ORPHAN0000/diff"), { recursive: true });
  const lostCache = db
    .prepare<[string], { cache_id: string }>("SELECT cache_id FROM layers WHERE chain_id = ?")
    .get(lost.chainId);
  rmSync(join(root, "layers", lostCache?.cache_id ?? "x"), { recursive: true });
  await store.sweep();
  assert.ok(store.get(kept.chainId));
  assert.equal(store.get(lost.chainId), undefined);
  assert.equal(store.get(child.chainId), undefined);
  assert.equal(store.get(unref.chainId), undefined);
  const keptCache = db
    .prepare<[string], { cache_id: string }>("SELECT cache_id FROM layers WHERE chain_id = ?")
    .get(kept.chainId);
  assert.deepEqual(readdirSync(join(root, "layers")), [keptCache?.cache_id]);
  assert.deepEqual(readdirSync(join(root, "l")), [keptCache?.cache_id]);
  assert.ok(existsSync(join(root, "l", keptCache?.cache_id ?? "x", "kept")));
});
