/**
 * Copy-up: a new volume mounted over a path of the image gets that path's
 * content first, as Docker does (copyExistingContents). Everything is kept:
 * owners, modes (set after chown, which clears set-id bits), times, symlinks
 * (never followed), hard links, device nodes, FIFOs and xattrs. Sockets are
 * skipped, as containerd's CopyDir skips them. Times keep microseconds: Node's
 * utimes takes seconds as a double.
 */
import {
  chmod,
  copyFile,
  lchown,
  lstat,
  lutimes,
  link,
  mkdir,
  readdir,
  readlink,
  symlink,
} from "node:fs/promises";
import type { BigIntStats } from "node:fs";
import { join } from "node:path";
import type { NativeSys } from "../host/native.js";

/** The syscalls Node lacks that a copy needs (host/native.ts provides them). */
export type CopySys = Pick<NativeSys, "mknod" | "llistxattr" | "lgetxattr" | "lsetxattr">;

const S_IFMT = 0o170000n;
const S_IFIFO = 0o010000n;
const S_IFCHR = 0o020000n;
const S_IFBLK = 0o060000n;

/** Copies the content of `src` into the existing directory `dst`, then gives `dst` the owner and mode of `src`. */
export async function copyTree(src: string, dst: string, sys: CopySys): Promise<void> {
  const links = new Map<string, string>();
  await copyChildren(src, dst, sys, links);
  const st = await lstat(src, { bigint: true });
  await lchown(dst, Number(st.uid), Number(st.gid));
  await chmod(dst, Number(st.mode & 0o7777n));
}

async function copyChildren(
  src: string,
  dst: string,
  sys: CopySys,
  links: Map<string, string>,
): Promise<void> {
  for (const name of await readdir(src)) {
    const from = join(src, name);
    const to = join(dst, name);
    const st = await lstat(from, { bigint: true });
    if (!st.isDirectory() && st.nlink > 1n) {
      const key = `${st.dev}:${st.ino}`;
      const first = links.get(key);
      if (first !== undefined) {
        await link(first, to);
        continue;
      }
      links.set(key, to);
    }
    const type = st.mode & S_IFMT;
    if (st.isDirectory()) {
      await mkdir(to, { mode: 0o700 });
      await copyChildren(from, to, sys, links);
    } else if (st.isFile()) {
      await copyFile(from, to);
    } else if (st.isSymbolicLink()) {
      await symlink(await readlink(from), to);
    } else if (type === S_IFIFO || type === S_IFCHR || type === S_IFBLK) {
      const { major, minor } = splitDev(st.rdev);
      sys.mknod(to, Number(type | (st.mode & 0o7777n)), major, minor);
    } else {
      continue; // A socket: nothing to copy.
    }
    await copyMetadata(from, to, st, sys);
  }
}

async function copyMetadata(from: string, to: string, st: BigIntStats, sys: CopySys): Promise<void> {
  copyXattrs(from, to, sys);
  await lchown(to, Number(st.uid), Number(st.gid));
  if (!st.isSymbolicLink()) await chmod(to, Number(st.mode & 0o7777n));
  await lutimes(to, nsToSeconds(st.atimeNs), nsToSeconds(st.mtimeNs));
}

/** Attributes the target filesystem refuses (tmpfs and trusted.*, say) are skipped, as Docker allows. */
function copyXattrs(from: string, to: string, sys: CopySys): void {
  let names: string[];
  try {
    names = sys.llistxattr(from);
  } catch {
    return;
  }
  for (const name of names) {
    try {
      const value = sys.lgetxattr(from, name);
      if (value !== null) sys.lsetxattr(to, name, value);
    } catch {
      // Unsupported on the target: skip this attribute.
    }
  }
}

function nsToSeconds(ns: bigint): number {
  return Number(ns / 1000n) / 1e6;
}

/** glibc's encoding of dev_t. */
export function splitDev(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & 0xfffff000n);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & 0xffffff00n);
  return { major: Number(major), minor: Number(minor) };
}
