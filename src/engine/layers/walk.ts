/**
 * A pre-order walk of a directory tree in byte order of names (as Go's
 * filepath.Walk, which Docker's diff and size follow), never following symlinks.
 */
import type { BigIntStats } from "node:fs";
import { lstat, readdir } from "node:fs/promises";

export interface WalkEntry {
  /** "/a/b", as Docker prints changes. */
  path: string;
  abs: string;
  st: BigIntStats;
}

/** lstat calls in flight at once: the walk waits on the disk, not on each call in turn. */
const STAT_BATCH = 32;

export async function* walkTree(root: string, dir = ""): AsyncGenerator<WalkEntry> {
  const names = (await readdir(`${root}${dir}`)).sort((a, b) =>
    Buffer.compare(Buffer.from(a), Buffer.from(b)),
  );
  for (let i = 0; i < names.length; i += STAT_BATCH) {
    const batch = names.slice(i, i + STAT_BATCH).map(async (name) => {
      const path = `${dir}/${name}`;
      const abs = `${root}${path}`;
      return { path, abs, st: await lstat(abs, { bigint: true }) };
    });
    const settled = await Promise.allSettled(batch);
    for (const r of settled) if (r.status === "rejected") throw r.reason;
    for (const r of settled) {
      if (r.status !== "fulfilled") continue;
      yield r.value;
      if (r.value.st.isDirectory()) yield* walkTree(root, r.value.path);
    }
  }
}

/** An overlay whiteout: a character device 0/0. */
export function isWhiteout(st: BigIntStats): boolean {
  return st.isCharacterDevice() && st.rdev === 0n;
}

/** Linux's dev_t encoding (glibc's gnu_dev_major/minor). */
export function devMajor(rdev: bigint): number {
  return Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
}

export function devMinor(rdev: bigint): number {
  return Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
}
