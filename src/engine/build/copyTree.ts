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
 * directory (trailing slash, several sources, wildcards).
 */
export async function copyIntoRoot(
  root: string,
  src: { abs: string; name: string; isDir: boolean },
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
    await copyChildren(src.abs, dir, opts);
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

async function copyChildren(srcDir: string, destDir: string, opts: CopyOptions): Promise<void> {
  for (const n of await readdir(srcDir)) await copyEntry(`${srcDir}/${n}`, `${destDir}/${n}`, opts);
}

/** Copies one entry (recursively); `dest` is a host path already confined by the caller. */
export async function copyEntry(src: string, dest: string, opts: CopyOptions): Promise<void> {
  const st = await lstat(src);
  const existing = await lstat(dest).catch(() => undefined);
  if (st.isDirectory()) {
    if (existing !== undefined && !existing.isDirectory()) await rm(dest, { force: true });
    if (existing === undefined || !existing.isDirectory()) await mkdir(dest);
    await copyChildren(src, dest, opts);
  } else {
    if (existing !== undefined) await rm(dest, { recursive: existing.isDirectory(), force: true });
    if (st.isSymbolicLink()) await symlink(await readlink(src), dest);
    else if (st.isFile()) await copyFile(src, dest);
    else return; // devices, fifos and sockets are not copied from a context
  }
  const owner = opts.owner ?? { uid: st.uid, gid: st.gid };
  await lchown(dest, owner.uid, owner.gid);
  if (!st.isSymbolicLink()) await chmod(dest, opts.mode ?? st.mode & 0o7777);
  await lutimes(dest, st.atime, st.mtime).catch((err: unknown) => {
    if (errnoCode(err) !== "ENOENT") throw err;
  });
}
