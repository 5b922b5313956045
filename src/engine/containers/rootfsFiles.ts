/**
 * Reading a file inside a container's root filesystem without following a
 * symlink out of it: each component is resolved against the root, as
 * moby's securejoin does (an absolute link target restarts at the root).
 */
import { lstat, readFile, readlink } from "node:fs/promises";
import { join, posix } from "node:path";
import { errnoCode } from "../errors.js";

const maxLinks = 40;

/** The host path that `path` names inside `root`, symlinks resolved inside the root. */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  let pending = posix
    .normalize("/" + path)
    .split("/")
    .filter((p) => p !== "");
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() ?? "";
    if (part === ".") continue;
    if (part === "..") {
      done.pop();
      continue;
    }
    const host = join(root, ...done, part);
    let isLink = false;
    try {
      isLink = (await lstat(host)).isSymbolicLink();
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw err;
    }
    if (!isLink) {
      done.push(part);
      continue;
    }
    if (++links > maxLinks) throw Object.assign(new Error(`too many links in ${path}`), { code: "ELOOP" });
    const target = await readlink(host);
    const rest = target.split("/").filter((p) => p !== "");
    if (target.startsWith("/")) done.length = 0;
    pending = [...rest, ...pending];
  }
  return join(root, ...done);
}

/** The file's text, or undefined when it does not exist. */
export async function readFileInRoot(root: string, path: string): Promise<string | undefined> {
  try {
    return await readFile(await resolveInRoot(root, path), "utf8");
  } catch (err) {
    const code = errnoCode(err);
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return undefined;
    throw err;
  }
}
