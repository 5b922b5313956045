/**
 * Paths inside a container's root filesystem, resolved as if the root were `/` (moby's
 * FollowSymlinkInScope / securejoin): `..` stops at the root and absolute symlinks restart
 * from it, so nothing a build copies or creates can land outside the rootfs.
 */
import { lstat, mkdir, lchown, readlink } from "node:fs/promises";
import { errnoCode, invalid } from "../errors.js";

const maxLinks = 40;

function split(path: string): string[] {
  return path.split("/").filter((c) => c !== "" && c !== ".");
}

/** Host path of `path` inside `root`; symlinks are followed (the last one too when `followLast`). */
export async function resolveInRoot(root: string, path: string, followLast = true): Promise<string> {
  const todo = split(path).reverse();
  const out: string[] = [];
  let links = 0;
  while (todo.length > 0) {
    const c = todo.pop() as string;
    if (c === "..") {
      out.pop();
      continue;
    }
    const abs = `${root}/${[...out, c].join("/")}`;
    if (todo.length === 0 && !followLast) {
      out.push(c);
      break;
    }
    let target: string | undefined;
    try {
      const st = await lstat(abs);
      if (st.isSymbolicLink()) target = await readlink(abs);
    } catch (err) {
      if (errnoCode(err) !== "ENOENT" && errnoCode(err) !== "ENOTDIR") throw err;
    }
    if (target === undefined) {
      out.push(c);
      continue;
    }
    if (++links > maxLinks) throw invalid(`too many symlinks resolving ${path}`);
    if (target.startsWith("/")) out.length = 0;
    todo.push(...split(target).reverse());
  }
  return out.length === 0 ? root : `${root}/${out.join("/")}`;
}

/**
 * Makes the directory `path` inside `root` (like `mkdir -p`), new directories 0755 and owned
 * by `owner` when given; returns its host path. A non-directory in the way is an error.
 */
export async function mkdirInRoot(
  root: string,
  path: string,
  owner?: { uid: number; gid: number },
): Promise<string> {
  let cur = "";
  for (const c of split(path)) {
    const abs = await resolveInRoot(root, `${cur}/${c}`);
    try {
      const st = await lstat(abs);
      if (!st.isDirectory()) throw invalid(`cannot create directory ${path}: ${cur}/${c} is not a directory`);
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw err;
      await mkdir(abs, { mode: 0o755 });
      if (owner) await lchown(abs, owner.uid, owner.gid);
    }
    cur = abs.slice(root.length);
  }
  return cur === "" ? root : `${root}${cur}`;
}
