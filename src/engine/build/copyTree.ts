/**
 * Copies files into a mounted root filesystem for ADD/COPY: directories copy their content,
 * a file lands in a directory destination under its own name, new entries belong to the
 * `--chown` owner (root otherwise) and take the `--chmod` mode when given.
 */
import {
  copyFile,
  lchown,
  lstat,
  lutimes,
  mkdir,
  readdir,
  readlink,
  rm,
  symlink,
  chmod,
} from "node:fs/promises";
import { errnoCode } from "../errors.js";
import type { PlanEntry } from "./copyPlan.js";
import { mkdirInRoot, resolveInRoot } from "./rootPath.js";
import type { Owner } from "./users.js";

export interface CopyOptions {
  /** Owner of everything copied; undefined keeps the source's owner (archives). */
  owner: Owner | undefined;
  /** `--chmod` mode bits. */
  mode: number | undefined;
}

async function isDirAt(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Copies `src` to `dest` (a path inside `root`). `destIsDir`: the destination names a
 * directory (trailing slash, several sources, wildcards). A directory with a `plan`
 * (`--exclude`, `--parents`) copies only the plan's entries.
 */
export async function copyIntoRoot(
  root: string,
  src: { abs: string; name: string; isDir: boolean; plan?: readonly PlanEntry[] },
  dest: string,
  destIsDir: boolean,
  opts: CopyOptions,
): Promise<void> {
  const mkOwner = opts.owner ?? { uid: 0, gid: 0 };
  if (src.isDir) {
    const existed = await isDirAt(await resolveInRoot(root, dest));
    const dir = await mkdirInRoot(root, dest, mkOwner);
    // The directory that stands for the source directory takes --chmod like its content
    // (BuildKit's fsutil since moby/buildkit#4945); a directory that was there keeps its mode,
    // as it keeps its owner, and new parent directories stay 0755.
    if (!existed && opts.mode !== undefined) await chmod(dir, opts.mode);
    if (src.plan !== undefined) await copyPlan(src.plan, dir, opts);
    else await copyChildren(src.abs, dir, opts);
    return;
  }
  const resolved = await resolveInRoot(root, dest);
  if (destIsDir || (await isDirAt(resolved))) {
    const dir = await mkdirInRoot(root, dest, mkOwner);
    await copyEntry(src.abs, `${dir}/${src.name}`, opts);
    return;
  }
  const parent = dest.replace(/\/[^/]*\/?$/, "") || "/";
  await mkdirInRoot(root, parent, mkOwner);
  await copyEntry(src.abs, await resolveInRoot(root, dest, false), opts);
}

/**
 * Copies a plan's entries one by one (a directory without its content: its kept entries follow
 * it), parents first, so every parent is a real directory (not a symlink) when its entries land.
 * Directory times are set last, once nothing more is written into them.
 */
async function copyPlan(plan: readonly PlanEntry[], destDir: string, opts: CopyOptions): Promise<void> {
  for (const e of plan) await copyEntry(e.abs, `${destDir}/${e.rel}`, opts, false, false);
  for (let i = plan.length - 1; i >= 0; i--) {
    const e = plan[i] as PlanEntry;
    if (e.st.isDirectory()) await lutimes(`${destDir}/${e.rel}`, e.st.atime, e.st.mtime);
  }
}

/** Entries copied at once in one directory: enough to keep libuv's thread pool busy. */
const PARALLEL = 8;

/** `fresh`: `destDir` was just made, so nothing is in it yet (no lookup per entry). */
async function copyChildren(
  srcDir: string,
  destDir: string,
  opts: CopyOptions,
  fresh = false,
): Promise<void> {
  const names = await readdir(srcDir);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const n = names[next++] as string;
      await copyEntry(`${srcDir}/${n}`, `${destDir}/${n}`, opts, fresh);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, names.length) }, worker));
}

const isRoot = process.geteuid?.() === 0 && process.getegid?.() === 0;

/**
 * Copies one entry (recursively unless `children` is false); `dest` is a host path already
 * confined by the caller. `fresh`: `dest` does not exist (its parent was just made).
 */
export async function copyEntry(
  src: string,
  dest: string,
  opts: CopyOptions,
  fresh = false,
  children = true,
): Promise<void> {
  const st = await lstat(src);
  const existing = fresh ? undefined : await lstat(dest).catch(() => undefined);
  let made = false;
  if (st.isDirectory()) {
    if (existing !== undefined && !existing.isDirectory()) await rm(dest, { force: true });
    if (existing === undefined || !existing.isDirectory()) {
      await mkdir(dest);
      made = true;
    }
  } else {
    if (existing !== undefined) await rm(dest, { recursive: existing.isDirectory(), force: true });
    if (st.isSymbolicLink()) await symlink(await readlink(src), dest);
    else if (st.isFile())
      await copyFile(src, dest); // takes the source's mode bits, setuid included
    else return; // devices, fifos and sockets are not copied from a context
    made = true;
  }
  const owner = opts.owner ?? { uid: st.uid, gid: st.gid };
  // What this (root) process just made is root's already.
  if (!(made && isRoot && owner.uid === 0 && owner.gid === 0)) await lchown(dest, owner.uid, owner.gid);
  if (st.isDirectory() || (st.isFile() && opts.mode !== undefined))
    await chmod(dest, opts.mode ?? st.mode & 0o7777);
  if (st.isDirectory() && children) await copyChildren(src, dest, opts, made);
  await lutimes(dest, st.atime, st.mtime).catch((err: unknown) => {
    if (errnoCode(err) !== "ENOENT") throw err;
  });
}
