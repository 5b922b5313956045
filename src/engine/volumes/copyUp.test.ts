import { test } from "node:test";
import assert from "node:assert/strict";
import {
  chmod,
  chown,
  lstat,
  link,
  lutimes,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  readlink,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nativeSys } from "../host/native.js";
import { copyTree, splitDev } from "./copyUp.js";

const root = process.getuid?.() === 0;

test("dev_t encoding", () => {
  const makedev = (major: bigint, minor: bigint) =>
    ((major & 0xfffn) << 8n) | ((major & ~0xfffn) << 32n) | (minor & 0xffn) | ((minor & ~0xffn) << 12n);
  assert.deepEqual(splitDev(0x0103n), { major: 1, minor: 3 });
  assert.deepEqual(splitDev(makedev(5n, 0x12345n)), { major: 5, minor: 0x12345 });
  assert.deepEqual(splitDev(makedev(0x1234n, 7n)), { major: 0x1234, minor: 7 });
});

test(
  "copy keeps owners, modes, times, symlinks, hard links, devices, fifos, xattrs",
  { skip: !root },
  async () => {
    const base = await mkdtemp(join(tmpdir(), "berth-copyup-"));
    const src = join(base, "src");
    const dst = join(base, "dst");
    try {
      await mkdir(join(src, "sub"), { recursive: true });
      await mkdir(dst);
      await writeFile(join(src, "file"), "hello");
      await chown(join(src, "file"), 1234, 5678);
      await chmod(join(src, "file"), 0o4751);
      await link(join(src, "file"), join(src, "sub", "hardlink"));
      await symlink("../file", join(src, "sub", "rel-link"));
      await symlink("/etc/passwd", join(src, "abs-link"));
      await lutimes(join(src, "abs-link"), 1000, 2000);
      nativeSys().mknod(join(src, "null"), 0o020000 | 0o666, 1, 3);
      nativeSys().mknod(join(src, "fifo"), 0o010000 | 0o640, 0, 0);
      nativeSys().lsetxattr(join(src, "file"), "user.berth", Buffer.from("v1"));
      await chown(join(src, "sub"), 42, 43);
      await chmod(join(src, "sub"), 0o1777);
      await lutimes(join(src, "sub"), 1_600_000_000.123456, 1_600_000_001.654321);
      await chown(src, 7, 8);
      await chmod(src, 0o750);

      // Reading a directory may touch its atime: compare with the times before the copy.
      const srcSub = await lstat(join(src, "sub"), { bigint: true });
      await copyTree(src, dst, nativeSys());

      assert.deepEqual((await readdir(dst)).sort(), ["abs-link", "fifo", "file", "null", "sub"]);
      const f = await lstat(join(dst, "file"));
      assert.equal(await readFile(join(dst, "file"), "utf8"), "hello");
      assert.equal([f.uid, f.gid, f.mode & 0o7777].join(), [1234, 5678, 0o4751].join());
      assert.equal(f.nlink, 2);
      assert.equal((await lstat(join(dst, "sub", "hardlink"))).ino, f.ino);
      assert.equal(nativeSys().lgetxattr(join(dst, "file"), "user.berth")?.toString(), "v1");
      assert.equal(await readlink(join(dst, "sub", "rel-link")), "../file");
      assert.equal(await readlink(join(dst, "abs-link")), "/etc/passwd");
      assert.equal((await lstat(join(dst, "abs-link"))).mtimeMs, 2_000_000);
      const dev = await lstat(join(dst, "null"), { bigint: true });
      assert.ok(dev.isCharacterDevice());
      assert.deepEqual(splitDev(dev.rdev), { major: 1, minor: 3 });
      assert.ok((await lstat(join(dst, "fifo"))).isFIFO());
      const sub = await lstat(join(dst, "sub"), { bigint: true });
      assert.equal([sub.uid, sub.gid, sub.mode & 0o7777n].join(), [42n, 43n, 0o1777n].join());
      // Node passes times as double seconds: within a microsecond of the source.
      const near = (a: bigint, b: bigint) => (a > b ? a - b : b - a) <= 1000n;
      assert.ok(near(sub.mtimeNs, srcSub.mtimeNs), `${sub.mtimeNs} vs ${srcSub.mtimeNs}`);
      assert.ok(near(sub.atimeNs, srcSub.atimeNs), `${sub.atimeNs} vs ${srcSub.atimeNs}`);
      const top = await lstat(dst);
      assert.equal([top.uid, top.gid, top.mode & 0o7777].join(), [7, 8, 0o750].join());
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  },
);
