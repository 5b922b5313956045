/**
 * Extracting a tar into a directory of a container's filesystem view, as
 * `PUT /containers/{id}/archive` does (go-archive's Untar, run as if
 * chrooted into the container). Entry names are cleaned and may not climb
 * above the destination; every parent is resolved inside the view, so a
 * symlink in the container or in the archive cannot lead outside it. An
 * existing path is replaced unless both are directories; with
 * `noOverwriteDirNonDir` a directory/non-directory swap is refused instead.
 * Owners come from the headers, or all files get `chown` when given.
 */
import { chmodSync, lchownSync, linkSync, lutimesSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { invalid } from "../errors.js";
import { cleanTarPath } from "../layers/confine.js";
import { createFileSink, EntryWriter, makeNode, setEntryXattrs, type Owner } from "../layers/entryWriter.js";
import type { ContentSink, TarEntry } from "../layers/tarReader.js";
import { containerPath, type FsView } from "./fsView.js";

/** Errnos that mean the archive does not fit the destination: an invalid archive, not an internal error. */
const ARCHIVE_ERRNOS = ["ENOTDIR", "EEXIST", "EISDIR", "ENOENT", "ELOOP", "EINVAL"];

export interface ExtractOptions {
  noOverwriteDirNonDir: boolean;
  /** Owner for every entry (docker cp -a with a container User); otherwise the headers' ids. */
  chown?: Owner;
}

export class ViewExtractor extends EntryWriter {
  constructor(
    private readonly view: FsView,
    /** The resolved destination directory. */
    private readonly dest: readonly string[],
    private readonly opts: ExtractOptions,
  ) {
    super("extract", ARCHIVE_ERRNOS);
  }

  override meta(): void {
    // Headers and padding carry nothing to keep.
  }

  private owner(e: TarEntry): Owner {
    return this.opts.chown ?? { uid: e.uid, gid: e.gid };
  }

  protected override place(e: TarEntry): ContentSink | undefined {
    const rel = cleanTarPath(e.name); // throws on a name that climbs above the destination
    const base = rel.pop();
    if (base === undefined) return undefined; // "./": the destination itself stays as it is
    const parentComps = this.view.mkdirAll([...this.dest, ...rel]);
    const comps = [...parentComps, base];
    const abs = this.view.host(comps);
    const existing = this.view.resolve(comps, false).stat;
    const isDir = e.type === "5";
    if (existing) {
      if (this.opts.noOverwriteDirNonDir && existing.isDirectory() && !isDir) {
        throw invalid(
          `cannot overwrite directory ${JSON.stringify(containerPath(comps))} with non-directory`,
        );
      }
      if (this.opts.noOverwriteDirNonDir && !existing.isDirectory() && isDir) {
        throw invalid(
          `cannot overwrite non-directory ${JSON.stringify(containerPath(comps))} with directory`,
        );
      }
      if (!(existing.isDirectory() && isDir)) rmSync(abs, { recursive: true, force: true });
    }
    const mode = e.mode & 0o7777;
    const own = this.owner(e);
    const atime = Math.max(e.atime ?? e.mtime, e.mtime);
    switch (e.type) {
      case "5":
        if (!existing) mkdirSync(abs);
        lchownSync(abs, own.uid, own.gid);
        chmodSync(abs, mode);
        setEntryXattrs(abs, e);
        this.dirTimes.add(abs, atime, e.mtime);
        return undefined;
      case "0":
      case "\0":
      case "7":
        return createFileSink(abs, mode, own, { atime, mtime: e.mtime }, () => setEntryXattrs(abs, e));
      case "2":
        this.checkSymlink(e, rel, comps);
        symlinkSync(e.linkname, abs);
        lchownSync(abs, own.uid, own.gid);
        lutimesSync(abs, atime, e.mtime);
        return undefined;
      case "1":
        this.hardlink(e, abs);
        return undefined;
      case "3":
      case "4":
      case "6": {
        makeNode(abs, e, mode);
        lchownSync(abs, own.uid, own.gid);
        chmodSync(abs, mode);
        lutimesSync(abs, atime, e.mtime);
        return undefined;
      }
      case "g":
      case "x":
      case "V":
        return undefined;
      default:
        throw invalid(`unhandled tar header type ${JSON.stringify(e.type)} for ${JSON.stringify(e.name)}`);
    }
  }

  /** go-archive refuses a relative link target that climbs above the destination. */
  private checkSymlink(e: TarEntry, parentRel: readonly string[], comps: readonly string[]): void {
    if (e.linkname.startsWith("/")) return;
    let depth = parentRel.length;
    for (const c of e.linkname.split("/")) {
      if (c === "" || c === ".") continue;
      depth += c === ".." ? -1 : 1;
      if (depth < 0) {
        throw invalid(
          `invalid symlink ${JSON.stringify(containerPath(comps))} -> ${JSON.stringify(e.linkname)}`,
        );
      }
    }
  }

  private hardlink(e: TarEntry, abs: string): void {
    const rel = cleanTarPath(e.linkname);
    const base = rel.pop();
    if (base === undefined) throw invalid(`invalid hardlink ${JSON.stringify(e.name)}: empty target`);
    const parent = this.view.resolve([...this.dest, ...rel], true);
    const target = this.view.resolve([...parent.comps, base], false);
    if (target.stat === undefined) {
      throw invalid(`invalid hardlink ${JSON.stringify(e.name)}: ${JSON.stringify(e.linkname)} not found`);
    }
    linkSync(target.host, abs); // link(2) does not follow a symlink target
  }
}
