import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isEngineError } from "../errors.js";
import type { MountInfo, MountSpec, Mounter } from "../host/mount.js";
import { openDatabase } from "../store/index.js";
import { volumesSchema, VolumeService, type VolumeUsers } from "./index.js";

class FakeMounter implements Mounter {
  readonly calls: string[] = [];
  readonly points = new Set<string>();
  failNext = false;
  async mount(spec: MountSpec): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("mount tmpfs: EINVAL");
    }
    this.calls.push(
      `mount ${spec.fstype} ${spec.source} ${spec.target} ${spec.flags ?? 0} ${spec.data ?? ""}`,
    );
    this.points.add(spec.target);
  }
  async unmount(target: string): Promise<void> {
    this.calls.push(`unmount ${target}`);
    this.points.delete(target);
  }
  async list(): Promise<MountInfo[]> {
    return [...this.points].map((mountPoint, i) => ({
      mountId: i,
      parentId: 0,
      root: "/",
      mountPoint,
      options: "rw",
      fsType: "tmpfs",
      source: "tmpfs",
      superOptions: "rw",
    }));
  }
  async isMountPoint(target: string): Promise<boolean> {
    return this.points.has(target);
  }
}

const noXattrs = {
  mknod: () => {
    throw new Error("no mknod in this test");
  },
  llistxattr: () => [],
  lgetxattr: () => null,
  lsetxattr: () => undefined,
};

async function setup(opts: { base?: string; mounter?: FakeMounter; users?: Record<string, string[]> } = {}) {
  const base = opts.base ?? (await mkdtemp(join(tmpdir(), "berth-volumes-")));
  const db = openDatabase(join(base, "db.sqlite"), [volumesSchema]);
  const events: { action: string; actorId: string; attributes: Record<string, string> }[] = [];
  const usersMap = opts.users ?? {};
  const users: VolumeUsers = { containersUsingVolume: (n) => usersMap[n] ?? [] };
  const mounter = opts.mounter ?? new FakeMounter();
  const svc = await VolumeService.open({
    db,
    root: join(base, "volumes"),
    events: { publish: (e) => events.push(e) },
    users,
    mounter,
    copySys: noXattrs,
  });
  return {
    base,
    db,
    svc,
    events,
    mounter,
    usersMap,
    cleanup: async () => {
      db.close();
      await rm(base, { recursive: true, force: true });
    },
  };
}

test("create: directories, fields, idempotence, events", async () => {
  const t = await setup();
  try {
    const v = await t.svc.create({ name: "data", labels: { a: "b" } });
    assert.equal(v.name, "data");
    assert.equal(v.driver, "local");
    assert.deepEqual(v.labels, { a: "b" });
    assert.deepEqual(v.options, {});
    assert.equal(v.anonymous, false);
    assert.equal(v.mountpoint, join(t.base, "volumes", "data", "_data"));
    assert.equal((await stat(join(t.base, "volumes"))).mode & 0o777, 0o701);
    assert.equal((await stat(join(t.base, "volumes", "data"))).mode & 0o777, 0o701);
    assert.equal((await stat(v.mountpoint)).mode & 0o777, 0o755);
    const again = await t.svc.create({ name: "data", options: { type: "tmpfs", device: "tmpfs" } });
    assert.equal(again.createdNano, v.createdNano);
    assert.deepEqual(again.options, {});
    assert.deepEqual(
      t.events.map((e) => [e.action, e.actorId, e.attributes.driver]),
      [["create", "data", "local"]],
    );
    assert.deepEqual(t.svc.get("data"), v);
  } finally {
    await t.cleanup();
  }
});

test("create refuses bad names, options and drivers with Docker's texts", async () => {
  const t = await setup();
  try {
    await assert.rejects(t.svc.create({ name: "a" }), {
      message: "create a: volume name is too short, names should be at least two alphanumeric characters",
    });
    await assert.rejects(
      t.svc.create({ name: "b@d" }),
      (e) => isEngineError(e, "invalid") && /^create b@d: "b@d" includes/.test(e.message),
    );
    await assert.rejects(t.svc.create({ name: "x1", options: { foo: "bar" } }), {
      message: 'create x1: invalid option: "foo"',
    });
    await assert.rejects(t.svc.create({ name: "x1", options: { type: "nfs", device: ":/x" } }), (e) =>
      isEngineError(e, "not-implemented"),
    );
    await assert.rejects(
      t.svc.create({ name: "x1", driver: "other" }),
      (e) =>
        isEngineError(e, "not-found") &&
        e.message === 'create x1: error looking up volume plugin other: plugin "other" not found',
    );
    assert.deepEqual(await readdir(join(t.base, "volumes")), []);
    assert.throws(
      () => t.svc.get("nope"),
      (e) => isEngineError(e, "not-found") && e.message === "get nope: no such volume",
    );
  } finally {
    await t.cleanup();
  }
});

test("anonymous volumes get a random name and Docker's label", async () => {
  const t = await setup();
  try {
    const v = await t.svc.create({});
    assert.match(v.name, /^[a-f0-9]{64}$/);
    assert.equal(v.anonymous, true);
    assert.deepEqual(v.labels, { "com.docker.volume.anonymous": "" });
  } finally {
    await t.cleanup();
  }
});

test("remove: in use, missing, force, events", async () => {
  const t = await setup({ users: { busy: ["c2", "c1"] } });
  try {
    await t.svc.create({ name: "busy" });
    await t.svc.create({ name: "idle" });
    await writeFile(join(t.svc.mountpoint("idle"), "f"), "x");
    await assert.rejects(
      t.svc.remove("busy"),
      (e) => isEngineError(e, "conflict") && e.message === "remove busy: volume is in use - [c1, c2]",
    );
    await assert.rejects(t.svc.remove("busy", { force: true }), (e) => isEngineError(e, "conflict"));
    await t.svc.remove("idle");
    assert.deepEqual(await readdir(join(t.base, "volumes")), ["busy"]);
    await assert.rejects(t.svc.remove("idle"), { message: "get idle: no such volume" });
    await t.svc.remove("idle", { force: true });
    assert.deepEqual(
      t.events.filter((e) => e.action === "destroy").map((e) => [e.actorId, e.attributes.driver]),
      [["idle", "local"]],
    );
  } finally {
    await t.cleanup();
  }
});

test("list filters: name, label, driver, dangling", async () => {
  const t = await setup({ users: { used: ["c1"] } });
  try {
    await t.svc.create({ name: "used", labels: { app: "web" } });
    await t.svc.create({ name: "free", labels: { app: "db" } });
    const names = (o: Parameters<VolumeService["list"]>[0]) => t.svc.list(o).map((v) => v.name);
    assert.deepEqual(names({}), ["free", "used"]);
    assert.deepEqual(names({ dangling: true }), ["free"]);
    assert.deepEqual(names({ dangling: false }), ["used"]);
    assert.deepEqual(names({ names: ["se"] }), ["used"]);
    assert.deepEqual(names({ labels: ["app=db"] }), ["free"]);
    assert.deepEqual(names({ drivers: ["local"], labels: ["app"] }), ["free", "used"]);
    assert.deepEqual(names({ drivers: ["nfs"] }), []);
  } finally {
    await t.cleanup();
  }
});

test("prune: anonymous only unless all, skips used and device volumes, counts bytes", async () => {
  const t = await setup({ users: { busy: ["c1"] } });
  try {
    const anon = await t.svc.create({});
    await writeFile(join(anon.mountpoint, "f"), Buffer.alloc(1234));
    await t.svc.create({ name: "named", labels: { keep: "no" } });
    await t.svc.create({ name: "kept", labels: { keep: "yes" } });
    await t.svc.create({ name: "busy" });
    await t.svc.create({ name: "tmp", options: { type: "tmpfs", device: "tmpfs" } });
    let r = await t.svc.prune({ all: false });
    assert.deepEqual(r, { deleted: [anon.name], spaceReclaimed: 1234 });
    r = await t.svc.prune({ all: true, notLabels: ["keep=yes"] });
    assert.deepEqual(r, { deleted: ["named"], spaceReclaimed: 0 });
    r = await t.svc.prune({ all: true, labels: ["keep"] });
    assert.deepEqual(r.deleted, ["kept"]);
    assert.deepEqual(
      t.svc.list().map((v) => v.name),
      ["busy", "tmp"],
    );
    const prunes = t.events.filter((e) => e.action === "prune");
    assert.deepEqual(prunes[0], {
      type: "volume",
      action: "prune",
      actorId: "",
      attributes: { reclaimed: "1234" },
    });
  } finally {
    await t.cleanup();
  }
});

test("acquire/release mount a tmpfs device once and unmount after the last holder", async () => {
  const t = await setup();
  try {
    const v = await t.svc.create({
      name: "tmp",
      options: { type: "tmpfs", device: "tmpfs", o: "size=1m,uid=1" },
    });
    assert.deepEqual(t.mounter.calls, []);
    assert.equal(
      await t.svc.acquire("tmp", "c1", { destination: "/data", readWrite: true, propagation: "" }),
      v.mountpoint,
    );
    await t.svc.acquire("tmp", "c2");
    assert.deepEqual(t.mounter.calls, [`mount tmpfs tmpfs ${v.mountpoint} 0 size=1m,uid=1`]);
    assert.deepEqual(t.svc.refs("tmp"), ["c1", "c2"]);
    await assert.rejects(t.svc.remove("tmp"), { message: "remove tmp: volume is in use - [c1, c2]" });
    await t.svc.release("tmp", "c1");
    assert.equal(t.mounter.calls.length, 1);
    await t.svc.release("tmp", "c2");
    assert.deepEqual(t.mounter.calls.slice(1), [`unmount ${v.mountpoint}`]);
    const mount = t.events.find((e) => e.action === "mount");
    assert.deepEqual(mount?.attributes, {
      driver: "local",
      container: "c1",
      destination: "/data",
      "read/write": "true",
      propagation: "",
    });
    assert.equal(t.events.filter((e) => e.action === "unmount").length, 2);
    await t.svc.remove("tmp");
  } finally {
    await t.cleanup();
  }
});

test("a failed mount leaves no holder; plain volumes mount nothing", async () => {
  const t = await setup();
  try {
    await t.svc.create({ name: "tmp", options: { type: "tmpfs", device: "tmpfs" } });
    t.mounter.failNext = true;
    await assert.rejects(t.svc.acquire("tmp", "c1"), /failed to mount local volume: mount tmpfs: EINVAL/);
    assert.deepEqual(t.svc.refs("tmp"), []);
    await t.svc.create({ name: "plain" });
    await t.svc.acquire("plain", "c1");
    assert.deepEqual(t.mounter.calls, []);
    await assert.rejects(t.svc.acquire("nope", "c1"), { message: "get nope: no such volume" });
  } finally {
    await t.cleanup();
  }
});

test("remove refuses to delete through a mount it does not own", async () => {
  const t = await setup();
  try {
    const v = await t.svc.create({ name: "data" });
    t.mounter.points.add(v.mountpoint);
    await assert.rejects(t.svc.remove("data"), /remove data: volume has active mounts/);
    assert.equal(t.svc.get("data").name, "data");
  } finally {
    await t.cleanup();
  }
});

test("reopen: mounts with holders stay, unwanted mounts go, stale holders are forgotten", async () => {
  const first = await setup();
  const { base, mounter } = first;
  await first.svc.create({ name: "held", options: { type: "tmpfs", device: "tmpfs" } });
  await first.svc.create({ name: "gone", options: { type: "tmpfs", device: "tmpfs" } });
  await first.svc.create({ name: "orphan", options: { type: "tmpfs", device: "tmpfs" } });
  await first.svc.acquire("held", "c1");
  await first.svc.acquire("gone", "c2");
  const orphanPath = first.svc.mountpoint("orphan");
  mounter.points.delete(first.svc.mountpoint("gone")); // as after a reboot
  first.db.close();
  mounter.points.add(orphanPath); // mounted, but nobody holds it
  mounter.calls.length = 0;
  const t = await setup({ base, mounter });
  try {
    assert.deepEqual(mounter.calls, [`unmount ${orphanPath}`]);
    assert.deepEqual(t.svc.refs("held"), ["c1"]);
    assert.deepEqual(t.svc.refs("gone"), []);
    await t.svc.acquire("held", "c1");
    assert.equal(mounter.calls.length, 1, "already mounted: no second mount");
    await t.svc.releaseStale(["c9"]);
    assert.deepEqual(t.svc.refs("held"), []);
    assert.equal(mounter.calls.at(-1), `unmount ${t.svc.mountpoint("held")}`);
  } finally {
    await t.cleanup();
  }
});

test("disk usage and copy-up into an empty volume only", async () => {
  const t = await setup({ users: { data: ["c1"] } });
  try {
    await t.svc.create({ name: "data" });
    await t.svc.create({ name: "tmp", options: { type: "tmpfs", device: "tmpfs" } });
    const src = join(t.base, "image-path");
    await mkdir(join(src, "sub"), { recursive: true });
    await writeFile(join(src, "sub", "f"), "hello");
    assert.equal(await t.svc.populateFromImage("data", join(t.base, "missing")), false);
    assert.equal(await t.svc.populateFromImage("data", src), true);
    assert.equal(await readFile(join(t.svc.mountpoint("data"), "sub", "f"), "utf8"), "hello");
    await writeFile(join(src, "new"), "x");
    assert.equal(await t.svc.populateFromImage("data", src), false, "not empty any more");
    const du = await t.svc.diskUsage();
    assert.deepEqual(
      du.map((d) => [d.volume.name, d.usage]),
      [["data", { size: 5, refCount: 1 }]],
    );
    // Copy-up into a device volume mounts it for the copy and unmounts after.
    assert.equal(await t.svc.populateFromImage("tmp", src), true);
    assert.deepEqual(
      t.mounter.calls.map((c) => c.split(" ")[0]),
      ["mount", "unmount"],
    );
  } finally {
    await t.cleanup();
  }
});

test("concurrent creates of one name make one volume", async () => {
  const t = await setup();
  try {
    const all = await Promise.all([1, 2, 3, 4].map(() => t.svc.create({ name: "same" })));
    assert.equal(new Set(all.map((v) => v.createdNano)).size, 1);
    assert.equal(t.events.filter((e) => e.action === "create").length, 1);
  } finally {
    await t.cleanup();
  }
});
