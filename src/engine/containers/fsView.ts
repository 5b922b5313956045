/**
 * A container's filesystem as its processes see it, from the host: the
 * merged rootfs with the container's bind mounts (and the generated hosts,
 * resolv.conf and hostname files) laid over it. Paths are resolved the way
 * the kernel would inside the container's chroot (moby's securejoin): every
 * symlink met on the way is read and followed *inside the view*, `..` stops
 * at the root, and an absolute link target restarts at the container's `/`.
 * So a link to `/etc` or `../../..` lands in the container, never on the host.
 * The host path is only computed from a resolved, symlink-free path.
 */
import { lstatSync, mkdirSync, readlinkSync, chmodSync, type Stats } from "node:fs";
import { join } from "node:path";
import { errnoCode, invalid, notFound } from "../errors.js";

/** A host directory or file seen at `target` inside the container. */
export interface ViewMount {
  /** Components of the path in the container, e.g. ["data"]. */
  target: string[];
  source: string;
  readOnly: boolean;
}

export interface Resolved {
  /** Symlink-free components inside the container. */
  comps: string[];
  /** Where that is on the host. */
  host: string;
  /** lstat of the host path; undefined when the last component does not exist. */
  stat: Stats | undefined;
}

/** Linux's MAXSYMLINKS. */
const MAX_LINKS = 40;

/** "/a/./b/../c/" → ["a", "c"]: Docker cleans a path lexically before looking at the disk. */
export function cleanComps(path: string): string[] {
  const out: string[] = [];
  for (const c of path.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") out.pop();
    else out.push(c);
  }
  return out;
}

/** The path as Docker shows it: "/" + components. */
export function containerPath(comps: readonly string[]): string {
  return `/${comps.join("/")}`;
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return undefined;
    throw err;
  }
}

export class FsView {
  private readonly mounts: ViewMount[];

  constructor(
    readonly root: string,
    mounts: ViewMount[],
    readonly readonlyRootfs = false,
  ) {
    // Longest target first: a mount inside a mount wins.
    this.mounts = [...mounts].sort((a, b) => b.target.length - a.target.length);
  }

  /** The mount that holds `comps`, if any. */
  mountOf(comps: readonly string[]): ViewMount | undefined {
    return this.mounts.find(
      (m) => m.target.length <= comps.length && m.target.every((t, i) => comps[i] === t),
    );
  }

  /** The mounts whose target is directly inside `comps` (a walk must cross into them). */
  isMountTarget(comps: readonly string[]): boolean {
    return this.mounts.some(
      (m) => m.target.length === comps.length && m.target.every((t, i) => comps[i] === t),
    );
  }

  /** Host path of a resolved (symlink-free) path. */
  host(comps: readonly string[]): string {
    const m = this.mountOf(comps);
    if (m === undefined) return comps.length === 0 ? this.root : join(this.root, ...comps);
    const rest = comps.slice(m.target.length);
    return rest.length === 0 ? m.source : join(m.source, ...rest);
  }

  /** Writes there land on a read-only mount or rootfs: Docker's refusal text, or undefined. */
  readOnlyReason(comps: readonly string[]): string | undefined {
    const m = this.mountOf(comps);
    if (m !== undefined) return m.readOnly ? "mounted volume is marked read-only" : undefined;
    return this.readonlyRootfs ? "container rootfs is marked read-only" : undefined;
  }

  /**
   * Resolves `path` inside the view. Symlinks in every parent are followed;
   * the last component too when `followLast`. A missing parent is not-found,
   * a parent that is not a directory is invalid; a missing last component
   * gives `stat: undefined` (with `lenient`, a missing parent does too).
   */
  resolve(path: string | readonly string[], followLast: boolean, lenient = false): Resolved {
    const todo = (typeof path === "string" ? cleanComps(path) : [...path]).reverse();
    let out: string[] = [];
    let links = 0;
    while (todo.length > 0) {
      const c = todo.pop() as string;
      if (c === "..") {
        out.pop();
        continue;
      }
      out.push(c);
      const last = todo.length === 0;
      const host = this.host(out);
      const st = lstatOrUndefined(host);
      if (st === undefined) {
        if (last) return { comps: out, host, stat: undefined };
        // Lenient (a link's final target, as FollowSymlinkInScope): the rest is taken as written.
        if (lenient) {
          for (let i = todo.length - 1; i >= 0; i--) {
            const t = todo[i] as string;
            if (t === "..") out.pop();
            else out.push(t);
          }
          return { comps: out, host: this.host(out), stat: undefined };
        }
        throw notFound(`no such file or directory: ${containerPath(out)}`);
      }
      if (st.isSymbolicLink() && (!last || followLast)) {
        if (++links > MAX_LINKS) throw invalid(`too many levels of symbolic links: ${containerPath(out)}`);
        const target = readlinkSync(host);
        out.pop();
        if (target.startsWith("/")) out = [];
        const parts = target.split("/").filter((p) => p !== "" && p !== ".");
        for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i] as string);
        continue;
      }
      if (!last && !st.isDirectory()) throw invalid(`not a directory: ${containerPath(out)}`);
    }
    const host = this.host(out);
    return { comps: out, host, stat: lstatOrUndefined(host) };
  }

  /** Resolves a directory, creating what is missing (0755, as MkdirAll); returns its resolved components. */
  mkdirAll(comps: readonly string[]): string[] {
    let done: string[] = [];
    for (const c of comps) {
      const r = this.resolve([...done, c], true);
      if (r.stat === undefined) {
        mkdirSync(r.host);
        chmodSync(r.host, 0o755); // not subject to the daemon's umask
      } else if (!r.stat.isDirectory()) {
        throw invalid(`not a directory: ${containerPath(r.comps)}`);
      }
      done = r.comps;
    }
    return done;
  }
}
