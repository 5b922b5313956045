/**
 * The disk side both tar sinks share: LayerUnpacker (a layer directory) and
 * the containers' ViewExtractor (`docker cp` into a container) extend
 * EntryWriter. Each decides where an entry goes; this writes it there in
 * moby's order (chown, chmod, xattrs, times), keeps directories' times for
 * after the last entry, and turns the errnos a misfitting archive causes
 * into an `invalid` error.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  lutimesSync,
  openSync,
  writeSync,
} from "node:fs";
import { errnoCode, invalid } from "../errors.js";
import { nativeSys } from "../host/native.js";
import type { ContentSink, TarEntry, TarSink } from "./tarReader.js";

export const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;
const CREATE_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export interface Owner {
  uid: number;
  gid: number;
}

/**
 * The error to throw for an entry that failed to be placed: an errno in
 * `archiveErrnos` means the archive does not fit the disk (a path through a
 * file, a name taken), so it becomes `invalid` with "cannot <verb> NAME: …";
 * anything else stays as it is.
 */
function entryError(e: TarEntry, err: unknown, verb: string, archiveErrnos: readonly string[]): unknown {
  const code = errnoCode(err);
  if (code && archiveErrnos.includes(code)) {
    return invalid(`cannot ${verb} ${JSON.stringify(e.name)}: ${(err as Error).message}`, err);
  }
  return err;
}

/**
 * Directories' times, set once the last entry is in: creating anything
 * inside a directory changes its mtime again.
 */
export class DirTimes {
  private dirs: { abs: string; atime: number; mtime: number }[] = [];

  add(abs: string, atime: number, mtime: number): void {
    this.dirs.push({ abs, atime, mtime });
  }

  /** Drops `abs` and everything below it (removed from the disk). */
  forget(abs: string): void {
    const gone = (d: { abs: string }) => d.abs === abs || d.abs.startsWith(`${abs}/`);
    if (this.dirs.some(gone)) this.dirs = this.dirs.filter((d) => !gone(d));
  }

  /** Sets every kept time; a directory a later entry replaced is gone, which is fine. */
  apply(): void {
    for (const d of this.dirs) {
      try {
        lutimesSync(d.abs, d.atime, d.mtime);
      } catch (err) {
        if (errnoCode(err) !== "ENOENT") throw err;
      }
    }
  }
}

/**
 * A TarSink that places each entry on disk (`place`), says "cannot <verb>
 * NAME: …" (invalid) when an errno in `archiveErrnos` stops it, and sets the
 * directory times it was given once the archive ends.
 */
export abstract class EntryWriter implements TarSink {
  protected readonly dirTimes = new DirTimes();

  constructor(
    private readonly verb: string,
    private readonly archiveErrnos: readonly string[],
  ) {}

  abstract meta(bytes: Buffer): void;

  /** Creates the entry; a file returns the sink its content goes to. */
  protected abstract place(e: TarEntry): ContentSink | undefined;

  entry(e: TarEntry): ContentSink | undefined {
    try {
      return this.place(e);
    } catch (err) {
      throw entryError(e, err, this.verb, this.archiveErrnos);
    }
  }

  /** Sets directory times, after the last entry. */
  finish(): void {
    this.dirTimes.apply();
  }
}

/**
 * Creates the regular file `abs` (it must not exist; a symlink there is not
 * followed) and returns the sink its content streams into. At the end: owner,
 * mode (after chown, which clears setuid), `xattrs()`, times.
 */
export function createFileSink(
  abs: string,
  mode: number,
  own: Owner,
  times: { atime: number; mtime: number },
  xattrs: () => void,
): ContentSink {
  const fd = openSync(abs, CREATE_FILE, 0o600);
  return {
    write: (chunk) => {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off);
    },
    end: () => {
      try {
        fchownSync(fd, own.uid, own.gid);
        fchmodSync(fd, mode);
        xattrs();
        futimesSync(fd, times.atime, times.mtime);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** mknod of a character device ("3"), block device ("4") or FIFO ("6") entry at `abs`. */
export function makeNode(abs: string, e: TarEntry, mode: number): void {
  const kind = e.type === "3" ? S_IFCHR : e.type === "4" ? S_IFBLK : S_IFIFO;
  nativeSys().mknod(abs, kind | mode, e.devmajor, e.devminor);
}

/**
 * The entry's xattrs on `abs`, but overlay's own (`trusted.overlay.*`), which
 * would let an archive forge opaque directories or redirects. A filesystem
 * that refuses xattrs (or an unprivileged name) is told to `refused` and
 * skipped, as moby does.
 */
export function setEntryXattrs(
  abs: string,
  e: TarEntry,
  refused?: (xattr: string, code: string) => void,
): void {
  for (const [name, value] of e.xattrs) {
    if (name.startsWith("trusted.overlay.")) continue;
    try {
      nativeSys().lsetxattr(abs, name, value);
    } catch (err) {
      const code = errnoCode(err);
      if (code !== "ENOTSUP" && code !== "EPERM" && code !== "EOPNOTSUPP") throw err;
      refused?.(name, code);
    }
  }
}
