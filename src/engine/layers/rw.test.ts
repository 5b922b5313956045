/** Needs root and overlay. Every mount made here is undone in `finally`. */
import assert from "node:assert/strict";
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, test } from "node:test";
import { isEngineError } from "../errors.js";
import { NativeMounter } from "../host/mount.js";
import { openDatabase } from "../store/index.js";
import { layersSchema, openLayerStore } from "./index.js";
import { buildTar } from "./testTar.js";
import type { ChainId } from "../ids.js";
import type { LayerStore } from "./types.js";

const base = mkdtempSync(join(tmpdir(), "berth-rw-"));
const mounter = new NativeMounter();
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

async function fresh(): Promise<{ store: LayerStore; root: string }> {
  const dir = join(base, String(n++));
  mkdirSync(dir);
  const db = openDatabase(join(dir, "db.sqlite"), [layersSchema]);
  const root = join(dir, "overlay");
  return { store: await openLayerStore({ root, db }), root };
}

async function image(store: LayerStore): Promise<ChainId> {
  const l1 = await store.register(
    Readable.from([
      buildTar([
        { name: "etc/", type: "5", mtime: 1_500_000_000 },
        { name: "etc/hostname", content: "base\n" },
        { name: "etc/motd", content: "hello\n" },
        { name: "var/", type: "5" },
        { name: "var/cache/", type: "5" },
        { name: "var/cache/a", content: "a" },
        { name: "var/cache/b", content: "b" },
        { name: "old", content: "old" },
      ]),
    ]),
    undefined,
  );
  const l2 = await store.register(
    Readable.from([
      buildTar([
        { name: ".wh.old", content: "" },
        { name: "etc/motd", content: "layer two\n" },
      ]),
    ]),
    l1.chainId,
  );
  return l2.chainId;
}

test("a container's layer: mount, changes, size, diffTar, commit and remount", async () => {
  const { store, root } = await fresh();
  const top = await image(store);
  store.retain(top);
  await store.rw.create("c1", top);
  await assert.rejects(store.rw.create("c1", top), (e) => isEngineError(e, "conflict"));
  await assert.rejects(store.rw.create("../x", top), (e) => isEngineError(e, "invalid"));
  const merged = await store.rw.mount("c1");
  try {
    assert.equal(await store.rw.mount("c1"), merged); // idempotent
    assert.equal((await mounter.list()).filter((m) => m.mountPoint === merged).length, 1);
    assert.equal(readFileSync(join(merged, "etc/motd"), "utf8"), "layer two\n");
    assert.ok(!existsSync(join(merged, "old")));
    writeFileSync(join(merged, "etc/hostname"), "changed\n");
    writeFileSync(join(merged, "new"), "new file");
    rmSync(join(merged, "etc/motd"));
    rmSync(join(merged, "var/cache"), { recursive: true });
    mkdirSync(join(merged, "var/cache")); // now opaque in upper
    writeFileSync(join(merged, "var/cache/c"), "c");
    const changes = await store.rw.changes("c1");
    assert.deepEqual(changes, [
      { path: "/etc", kind: 0 },
      { path: "/etc/hostname", kind: 0 },
      { path: "/etc/motd", kind: 2 },
      { path: "/new", kind: 1 },
      { path: "/var", kind: 0 },
      { path: "/var/cache", kind: 0 },
      { path: "/var/cache/c", kind: 1 },
    ]);
    assert.equal(await store.rw.size("c1"), "changed\n".length + "new file".length + 1);
    // Commit: the diff becomes a layer, and a container of it sees the same tree.
    const committed = await store.register(store.rw.diffTar("c1"), top);
    store.retain(committed.chainId);
    await store.rw.create("c2", committed.chainId);
    const m2 = await store.rw.mount("c2");
    try {
      assert.equal(readFileSync(join(m2, "etc/hostname"), "utf8"), "changed\n");
      assert.ok(!existsSync(join(m2, "etc/motd")));
      assert.deepEqual(readdirSync(join(m2, "var/cache")), ["c"]);
      assert.equal(readFileSync(join(m2, "new"), "utf8"), "new file");
      assert.deepEqual(await store.rw.changes("c2"), []);
    } finally {
      await store.rw.unmount("c2");
    }
    await store.rw.remove("c2");
    await store.release(committed.chainId);
    assert.equal(store.get(committed.chainId), undefined);
  } finally {
    await store.rw.unmount("c1");
  }
  assert.ok(!(await mounter.isMountPoint(merged)));
  await store.rw.remove("c1");
  await store.rw.remove("c1"); // idempotent
  assert.deepEqual(readdirSync(join(root, "rw")), []);
  await store.release(top);
  assert.deepEqual(readdirSync(join(root, "layers")), []);
});

test("scratch containers mount over an empty lower dir", async () => {
  const { store } = await fresh();
  await store.rw.create("s", undefined);
  const merged = await store.rw.mount("s");
  try {
    assert.deepEqual(readdirSync(merged), []);
    writeFileSync(join(merged, "x"), "1");
    assert.deepEqual(await store.rw.changes("s"), [{ path: "/x", kind: 1 }]);
  } finally {
    await store.rw.remove("s");
  }
  assert.ok(!(await mounter.isMountPoint(merged)));
});

test("300 layers are refused at mount time with a clear error", async () => {
  const { store } = await fresh();
  let top: ChainId | undefined;
  for (let i = 0; i < 300; i++) {
    top = (await store.register(Readable.from([buildTar([{ name: `f${i}`, content: String(i) }])]), top))
      .chainId;
  }
  assert.ok(top);
  store.retain(top);
  await store.rw.create("deep", top);
  try {
    await assert.rejects(
      store.rw.mount("deep"),
      (e) => isEngineError(e, "invalid") && /too many layers/.test(e.message),
    );
  } finally {
    await store.rw.remove("deep");
  }
  assert.ok(!(await mounter.isMountPoint(store.rw.mergedPath("deep"))));
  await store.release(top);
  assert.equal(store.get(top), undefined);
});

test("sweep unmounts and removes read-write dirs without a record", async () => {
  const { store, root } = await fresh();
  await store.rw.create("ghost", undefined);
  const merged = await store.rw.mount("ghost");
  try {
    // Simulate a crash that lost the record but left the mount.
    const db = openDatabase(join(root, "..", "db.sqlite"), [layersSchema]);
    db.prepare("DELETE FROM rw_layers WHERE id = 'ghost'").run();
    db.close();
    await store.sweep();
    assert.ok(!(await mounter.isMountPoint(merged)));
    assert.deepEqual(readdirSync(join(root, "rw")), []);
  } finally {
    if (await mounter.isMountPoint(merged)) await mounter.unmount(merged);
  }
});

test("release: the record goes (parent released) at once, the mount and dirs when files settles", async () => {
  const { store, root } = await fresh();
  const top = await image(store);
  store.retain(top);
  await store.rw.create("rel", top);
  const merged = await store.rw.mount("rel");
  try {
    const { files } = await store.rw.release("rel");
    // The record is gone: nothing can mount it again, and the image is free to go.
    await assert.rejects(store.rw.mount("rel"), (e) => isEngineError(e, "not-found"));
    await files;
    assert.ok(!(await mounter.isMountPoint(merged)));
    assert.deepEqual(readdirSync(join(root, "rw")), []);
    await store.release(top);
    assert.equal(store.get(top), undefined, "the image's layers were collected");
    // Idempotent.
    await (
      await store.rw.release("rel")
    ).files;
  } finally {
    if (await mounter.isMountPoint(merged)) await mounter.unmount(merged);
  }
});

test("registerUpper: the upper dir becomes the layer register(diffTar) would make, without a copy", async () => {
  const { store, root } = await fresh();
  const top = await image(store);
  store.retain(top);
  const change = async (id: string) => {
    await store.rw.create(id, top);
    const merged = await store.rw.mount(id);
    writeFileSync(join(merged, "etc/hostname"), "changed\n");
    rmSync(join(merged, "etc/motd"));
    rmSync(join(merged, "var/cache"), { recursive: true });
    mkdirSync(join(merged, "var/cache")); // opaque in upper
    writeFileSync(join(merged, "var/cache/c"), "c".repeat(3 << 20)); // streamed, not prefetched
    writeFileSync(join(merged, "a"), "linked");
    linkSync(join(merged, "a"), join(merged, "b"));
    mkdirSync(join(merged, "empty-stub"));
    writeFileSync(join(merged, "empty-file"), "");
    await new Promise<void>((resolve) => {
      const srv = createServer().listen(join(merged, "sock"), () => srv.close(() => resolve()));
    });
  };
  await change("viaTar");
  await change("sealed");
  try {
    const viaTar = await store.register(store.rw.diffTar("viaTar"), top);
    // A socket is not in a tar: the first layer dropped it, the sealed one must as well.
    const sealed = await store.registerUpper("sealed", { dropIfEmpty: ["empty-stub", "empty-file"] });
    assert.notEqual(sealed.chainId, viaTar.chainId, "the dropped entries change the diff");
    assert.equal(sealed.parent, top);
    assert.ok(!(await mounter.isMountPoint(store.rw.mergedPath("sealed"))), "unmounted");
    assert.deepEqual(readdirSync(join(root, "rw", "sealed", "upper")), [], "the rw layer is left empty");
    // Its tar (rebuilt from the tar-split records, checked against the diffID) applies as a layer
    // with the same diffID: the records and the directory agree.
    const again = await store.register(store.tarStream(sealed.chainId), top);
    assert.equal(again.chainId, sealed.chainId);
    store.retain(sealed.chainId);
    await store.rw.create("child", sealed.chainId);
    const m = await store.rw.mount("child");
    try {
      assert.equal(readFileSync(join(m, "etc/hostname"), "utf8"), "changed\n");
      assert.ok(!existsSync(join(m, "etc/motd")));
      assert.deepEqual(readdirSync(join(m, "var/cache")), ["c"]);
      assert.equal(statSync(join(m, "b")).ino, statSync(join(m, "a")).ino);
      assert.ok(
        !existsSync(join(m, "sock")) &&
          !existsSync(join(m, "empty-stub")) &&
          !existsSync(join(m, "empty-file")),
      );
      assert.equal(sealed.size, "changed\n".length + (3 << 20) + "linked".length);
    } finally {
      await store.rw.remove("child");
    }
    await store.release(sealed.chainId);
  } finally {
    await store.rw.remove("viaTar");
    await store.rw.remove("sealed");
  }
  await store.release(top);
});
