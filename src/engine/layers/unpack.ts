/**
 * Materialises tar entries in a layer directory, as overlay wants it:
 * `.wh.NAME` becomes a 0/0 character device NAME, `.wh..wh..opq` the
 * `trusted.overlay.opaque=y` xattr on its directory. Every path is confined
 * by RootResolver. Owners, modes (setuid/sticky too), xattrs and times are
 * applied in moby's order: chown, chmod, xattrs, times; directories' times
 * last, once their contents stop changing them.
 *
 * It is also the TarSink that records the tar-split: file contents written
 * here become references, everything else stays verbatim.
 */
import {
  chmodSync,
  lchownSync,
  linkSync,
  lutimesSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { invalid } from "../errors.js";
import { nativeSys } from "../host/native.js";
import { log } from "../log.js";
import { cleanTarPath, lstatOrUndefined, RootResolver } from "./confine.js";
import { createFileSink, EntryWriter, makeNode, S_IFCHR, setEntryXattrs } from "./entryWriter.js";
import type { ContentSink, TarEntry } from "./tarReader.js";
import { TarSplitRecorder, type SplitRecord } from "./tarSplit.js";

export const WHITEOUT_PREFIX = ".wh.";
export const OPAQUE_MARKER = ".wh..wh..opq";
export const OPAQUE_XATTR = "trusted.overlay.opaque";

/** Errnos that mean the tar does not fit the layer: an invalid archive, not an internal error. */
const ARCHIVE_ERRNOS = ["ENOTDIR", "EEXIST", "EISDIR", "ENOENT", "ELOOP", "EPERM", "EINVAL"];

/** What is left on disk at a path, for the layer size and for inlining replaced files. */
interface Leaf {
  size: number;
  rec: SplitRecord | undefined;
}

export class LayerUnpacker extends EntryWriter {
  readonly split = new TarSplitRecorder();
  private readonly resolver: RootResolver;
  private readonly leaves = new Map<string, Leaf>();

  constructor(root: string) {
    super("unpack", ARCHIVE_ERRNOS);
    this.resolver = new RootResolver(root);
  }

  override meta(bytes: Buffer): void {
    this.split.raw(bytes);
  }

  /** Bytes of the unpacked files (Docker's layer Size: non-directories, hard links once). */
  size(): number {
    let n = 0;
    for (const l of this.leaves.values()) n += l.size;
    return n;
  }

  protected override place(e: TarEntry): ContentSink | undefined {
    const comps = cleanTarPath(e.name);
    const base = comps.pop();
    if (base === undefined) {
      // The root entry ("./"): moby skips it; the layer root keeps its own mode.
      if (e.type !== "5") throw invalid(`invalid tar entry ${JSON.stringify(e.name)}: not a directory`);
      return undefined;
    }
    if (base.startsWith(WHITEOUT_PREFIX)) return this.whiteout(e, comps, base);
    const parent = this.resolver.dir(comps, true);
    if (!parent) throw invalid(`cannot unpack ${e.name}`);
    const rel = parent.rel === "" ? base : `${parent.rel}/${base}`;
    const abs = this.resolver.abs(rel);
    const existing = lstatOrUndefined(abs);
    const isDir = e.type === "5" || e.type === "D";
    if (existing && !(existing.isDirectory() && isDir)) this.remove(rel, existing.isDirectory());
    const mode = e.mode & 0o7777;
    switch (e.type) {
      case "5":
      case "D": // GNU dumpdir: a directory whose content lists names; the content is kept raw
        if (!existing) mkdirSync(abs);
        this.resolver.known(rel);
        lchownSync(abs, e.uid, e.gid);
        chmodSync(abs, mode);
        this.xattrs(abs, e);
        this.dirTimes.add(abs, e.atime ?? e.mtime, e.mtime);
        return undefined;
      case "0":
      case "\0":
      case "7":
        return this.file(e, rel, abs, mode);
      case "2":
        symlinkSync(e.linkname, abs);
        lchownSync(abs, e.uid, e.gid);
        this.xattrs(abs, e);
        lutimesSync(abs, e.atime ?? e.mtime, e.mtime);
        this.leaves.set(rel, { size: Buffer.byteLength(e.linkname), rec: undefined });
        return undefined;
      case "1":
        this.hardlink(e, abs, mode);
        return undefined;
      case "3":
      case "4":
      case "6": {
        makeNode(abs, e, mode);
        this.finishNode(abs, e, mode);
        this.leaves.set(rel, { size: 0, rec: undefined });
        return undefined;
      }
      case "V": // volume label: nothing to create
        return undefined;
      default:
        throw invalid(`unsupported tar entry type ${JSON.stringify(e.type)} for ${JSON.stringify(e.name)}`);
    }
  }

  private file(e: TarEntry, rel: string, abs: string, mode: number): ContentSink {
    const times = { atime: e.atime ?? e.mtime, mtime: e.mtime };
    const sink = createFileSink(abs, mode, e, times, () => this.xattrs(abs, e));
    const rec = e.size > 0 ? this.split.file(rel, e.size) : undefined;
    this.leaves.set(rel, { size: e.size, rec });
    return sink;
  }

  private hardlink(e: TarEntry, abs: string, mode: number): void {
    const comps = cleanTarPath(e.linkname);
    const base = comps.pop();
    if (base === undefined) throw invalid(`invalid hard link ${e.name}: empty target`);
    const dir = this.resolver.dir(comps, false);
    const target = dir ? this.resolver.abs(dir.rel === "" ? base : `${dir.rel}/${base}`) : undefined;
    const st = target ? lstatOrUndefined(target) : undefined;
    if (!target || !st)
      throw invalid(`invalid hard link ${e.name}: target ${e.linkname} not found in the layer`);
    if (st.isDirectory()) throw invalid(`invalid hard link ${e.name}: target ${e.linkname} is a directory`);
    linkSync(target, abs); // link(2) does not follow a symlink target
    if (st.isSymbolicLink()) return;
    // The inode is shared and already set up: a needless chown would drop its file capabilities.
    if (st.uid !== e.uid || st.gid !== e.gid) lchownSync(abs, e.uid, e.gid);
    if ((st.mode & 0o7777) !== mode || st.uid !== e.uid || st.gid !== e.gid) chmodSync(abs, mode);
    this.xattrs(abs, e);
    lutimesSync(abs, e.atime ?? e.mtime, e.mtime);
  }

  private finishNode(abs: string, e: TarEntry, mode: number): void {
    lchownSync(abs, e.uid, e.gid);
    chmodSync(abs, mode); // abs is a fresh non-symlink: chmod cannot be redirected
    this.xattrs(abs, e);
    lutimesSync(abs, e.atime ?? e.mtime, e.mtime);
  }

  private whiteout(e: TarEntry, comps: string[], base: string): undefined {
    const parent = this.resolver.dir(comps, true);
    if (!parent) throw invalid(`cannot unpack ${e.name}`);
    if (base === OPAQUE_MARKER) {
      nativeSys().lsetxattr(parent.abs, OPAQUE_XATTR, Buffer.from("y"));
      return undefined;
    }
    if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return undefined; // aufs metadata: skipped, as moby does
    const name = base.slice(WHITEOUT_PREFIX.length);
    if (name === "." || name === "..") throw invalid(`invalid whiteout ${JSON.stringify(e.name)}`);
    const rel = parent.rel === "" ? name : `${parent.rel}/${name}`;
    const abs = this.resolver.abs(rel);
    const existing = lstatOrUndefined(abs);
    if (existing) this.remove(rel, existing.isDirectory());
    nativeSys().mknod(abs, S_IFCHR, 0, 0);
    lchownSync(abs, e.uid, e.gid);
    this.leaves.set(rel, { size: 0, rec: undefined });
    return undefined;
  }

  /** Removes what is at `rel`, keeping the content of files this tar wrote there for the export. */
  private remove(rel: string, isDir: boolean): void {
    const prefix = `${rel}/`;
    for (const [path, leaf] of this.leaves) {
      if (path !== rel && !(isDir && path.startsWith(prefix))) continue;
      if (leaf.rec) this.split.inline(leaf.rec, readFileSync(this.resolver.abs(path), { flag: "r" }));
      this.leaves.delete(path);
    }
    const abs = this.resolver.abs(rel);
    rmSync(abs, { recursive: true, force: true });
    if (!isDir) return;
    this.resolver.forget(rel);
    this.dirTimes.forget(abs);
  }

  /** Overlay's own attributes are never taken from the tar: only .wh. files may make them. */
  private xattrs(abs: string, e: TarEntry): void {
    setEntryXattrs(abs, e, (xattr, error) =>
      log.warn("ignoring xattr the filesystem refuses", { path: e.name, xattr, error }),
    );
  }
}
