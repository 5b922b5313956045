/**
 * The local driver's devices on the real kernel (root only): tmpfs and bind
 * volumes mount on first acquire, unmount after the last release, a read-only
 * bind really is read-only, and removing a bind volume never touches the
 * host directory behind it. Nothing stays mounted afterwards.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NativeMounter } from "../host/mount.js";
import { nativeSys } from "../host/native.js";
import { openDatabase } from "../store/index.js";
import { volumesSchema, VolumeService } from "./index.js";

const root = process.getuid?.() === 0;

function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((l) => (l.split(" ")[4] ?? "").startsWith(dir));
}

test("tmpfs and bind volumes on the real kernel", { skip: !root }, async () => {
  const base = await mkdtemp(join(tmpdir(), "berth-volmounts-"));
  const db = openDatabase(join(base, "db.sqlite"), [volumesSchema]);
  try {
    const svc = await VolumeService.open({
      db,
      root: join(base, "volumes"),
      events: { publish: () => undefined },
      users: { containersUsingVolume: () => [] },
      mounter: new NativeMounter(),
      copySys: nativeSys(),
    });
    const tmp = await svc.create({
      name: "tmp",
      options: { type: "tmpfs", device: "tmpfs", o: "size=1m,mode=0750" },
    });
    assert.deepEqual(mountsUnder(base), []);
    await svc.acquire("tmp", "c1");
    await svc.acquire("tmp", "c2");
    const lines = mountsUnder(base);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, / - tmpfs tmpfs .*size=1024k/);
    await writeFile(join(tmp.mountpoint, "f"), "in tmpfs");
    await svc.release("tmp", "c1");
    assert.equal(mountsUnder(base).length, 1);
    await svc.release("tmp", "c2");
    assert.deepEqual(mountsUnder(base), []);
    assert.deepEqual(await readdir(tmp.mountpoint), [], "tmpfs content went with the mount");

    const hostDir = join(base, "host");
    await mkdir(hostDir);
    await writeFile(join(hostDir, "keep"), "host data");
    const bind = await svc.create({ name: "bind", options: { type: "none", o: "bind", device: hostDir } });
    await svc.acquire("bind", "c1");
    assert.equal(await readFile(join(bind.mountpoint, "keep"), "utf8"), "host data");
    await writeFile(join(bind.mountpoint, "new"), "through the volume");
    assert.equal(await readFile(join(hostDir, "new"), "utf8"), "through the volume");
    // While mounted, a removal is refused as in use and the host directory survives.
    await assert.rejects(svc.remove("bind"), /volume is in use - \[c1\]/);
    await svc.release("bind", "c1");
    await svc.remove("bind");
    assert.deepEqual((await readdir(hostDir)).sort(), ["keep", "new"]);

    const ro = await svc.create({ name: "robind", options: { type: "none", o: "bind,ro", device: hostDir } });
    await svc.acquire("robind", "c1");
    await assert.rejects(writeFile(join(ro.mountpoint, "x"), "no"), { code: "EROFS" });
    await svc.release("robind", "c1");

    // Copy-up into a device volume works through a temporary mount.
    const src = join(base, "image-dir");
    await mkdir(src);
    await writeFile(join(src, "from-image"), "copied");
    const cu = await svc.create({ name: "copyup", options: { type: "tmpfs", device: "tmpfs" } });
    await svc.acquire("copyup", "c1");
    assert.equal(await svc.populateFromImage("copyup", src), true);
    assert.equal(await readFile(join(cu.mountpoint, "from-image"), "utf8"), "copied");
    await svc.release("copyup", "c1");

    const bad = await svc.create({
      name: "missing",
      options: { type: "none", o: "bind", device: join(base, "nope") },
    });
    await assert.rejects(svc.acquire("missing", "c1"), /failed to mount local volume/);
    assert.deepEqual(svc.refs(bad.name), []);
    assert.deepEqual(mountsUnder(base), []);
  } finally {
    for (const l of mountsUnder(base).reverse()) nativeSys().umount2(l.split(" ")[4]!, 2);
    db.close();
    await rm(base, { recursive: true, force: true });
  }
});
