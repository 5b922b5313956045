/**
 * Keeping untrusted tar entries inside a directory. Names are cleaned
 * lexically first (as Docker does: `/etc/x` is `etc/x`, and a relative name
 * that climbs above the root is refused). Then every parent component is
 * resolved on disk inside the root, following symlinks as if the root were
 * `/` (moby's securejoin, or what a chroot gives): `a -> /etc` then `a/passwd`
 * lands in `<root>/etc/passwd`, never in the host's /etc. The final component
 * is never followed: the caller replaces whatever is there.
 */
import { chmodSync, lstatSync, mkdirSync, readlinkSync, type Stats } from "node:fs";
import { errnoCode, invalid } from "../errors.js";

/** Components of a tar entry name, cleaned; throws `invalid` if it escapes. */
export function cleanTarPath(name: string): string[] {
  if (name.includes("\0")) throw invalid(`invalid tar entry name: ${JSON.stringify(name)}`);
  const absolute = name.startsWith("/");
  const out: string[] = [];
  for (const c of name.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") {
      // "/../x" cleans to "/x" (the root's parent is the root); "../x" is a breakout.
      if (out.length === 0) {
        if (absolute) continue;
        throw invalid(`invalid tar entry ${JSON.stringify(name)}: path escapes the layer`);
      }
      out.pop();
      continue;
    }
    out.push(c);
  }
  return out;
}

/** Symlinks followed while resolving one path, as Linux's MAXSYMLINKS. */
const MAX_LINKS = 40;

export interface Resolved {
  /** Host path. */
  abs: string;
  /** Path relative to the root ("" for the root itself), free of symlinks. */
  rel: string;
}

/**
 * Resolves directories inside `root`. Remembers the directories it has seen
 * so that unpacking 10,000 files under usr/lib costs one lstat per new
 * directory, not one per component per file; `forget` drops what a removal
 * invalidated.
 */
export class RootResolver {
  private readonly dirs = new Set<string>([""]);

  constructor(readonly root: string) {}

  abs(rel: string): string {
    return rel === "" ? this.root : `${this.root}/${rel}`;
  }

  /**
   * The real directory that `comps` names inside the root. With `create`,
   * missing components are made (0755, like moby's MkdirAll); without, a
   * missing one gives undefined. A non-directory in the way is `invalid`.
   */
  dir(comps: readonly string[], create: boolean): Resolved | undefined {
    const key = comps.join("/");
    if (this.dirs.has(key)) return { abs: this.abs(key), rel: key };
    const todo = [...comps].reverse();
    const out: string[] = [];
    let links = 0;
    while (todo.length > 0) {
      const c = todo.pop() as string;
      if (c === "" || c === ".") continue;
      if (c === "..") {
        out.pop(); // clamped at the root, as in a chroot
        continue;
      }
      out.push(c);
      const rel = out.join("/");
      if (this.dirs.has(rel)) continue;
      const abs = this.abs(rel);
      const st = lstatOrUndefined(abs);
      if (!st) {
        if (!create) return undefined;
        mkdirSync(abs);
        chmodSync(abs, 0o755); // not subject to the daemon's umask
        this.dirs.add(rel);
        continue;
      }
      if (st.isDirectory()) {
        this.dirs.add(rel);
        continue;
      }
      if (st.isSymbolicLink()) {
        if (++links > MAX_LINKS) throw invalid(`too many levels of symbolic links in ${key}`);
        const target = readlinkSync(abs);
        out.pop();
        if (target.startsWith("/")) out.length = 0;
        for (const t of target.split("/").reverse()) todo.push(t);
        continue;
      }
      throw invalid(`invalid tar entry ${key}: ${rel} is not a directory`);
    }
    const rel = out.join("/");
    return { abs: this.abs(rel), rel };
  }

  /** Marks `rel` as a real directory (the caller just made it). */
  known(rel: string): void {
    this.dirs.add(rel);
  }

  /** Forgets `rel` and everything under it (it was removed or replaced). */
  forget(rel: string): void {
    const prefix = `${rel}/`;
    for (const d of this.dirs) if (d === rel || d.startsWith(prefix)) this.dirs.delete(d);
    this.dirs.add("");
  }
}

export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return undefined;
    throw err;
  }
}
