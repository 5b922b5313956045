/**
 * The build context kept on disk between builds, so a rebuild writes only what changed.
 *
 * The docker CLI sends the whole context tar on every build; unpacking it costs one file
 * creation per file (most of a cached rebuild on a slow disk). A mirror is a directory that
 * holds the context of an earlier build plus an index (path → type, mode, owner, mtime,
 * sha256 of the bytes). A new context tar is synced into it: each file's bytes are hashed as
 * they stream in, and a file whose hash, mode and owner match the index is not written again
 * (its mtime is set when only that changed). The hash always comes from the bytes received,
 * never from sizes or mtimes, so an identical file hits and a changed byte misses whatever the
 * timestamps say; COPY's cache keys reuse these hashes instead of reading the files again.
 *
 * A mirror is leased by one build at a time. The index is removed while a sync runs and
 * written when it ends, so a crash mid-sync leaves a mirror that is rewritten in full.
 */
import { createHash, type Hash } from "node:crypto";
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lutimesSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { invalid } from "../errors.js";
import { newHexId } from "../ids.js";
import { cleanTarPath } from "../layers/confine.js";
import { TarReader, type ContentSink, type TarEntry, type TarSink } from "../layers/tarReader.js";

export interface MirrorEntry {
  type: "file" | "dir" | "symlink";
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  /** sha256 hex of a file's bytes. */
  sha256?: string;
  linkname?: string;
}

export type MirrorIndex = Map<string, MirrorEntry>;

/** Files up to this size are held in memory while hashed; bigger ones go to a temporary file. */
const MEMORY_LIMIT = 8 << 20;
const POOL_SIZE = 4;

export interface LeasedMirror {
  /** The context directory. */
  dir: string;
  /** sha256 of a context file's bytes by its path relative to `dir`, when known. */
  digest: (rel: string) => string | undefined;
  /** Forgets a path (and what is under it) that the caller removed (.dockerignore). */
  forget: (rel: string) => void;
  /** Writes the index and returns the mirror to the pool. */
  release: () => Promise<void>;
  /** Removes the mirror (a failed sync). */
  discard: () => Promise<void>;
}

/** A pool of mirrors under one directory. */
export class ContextMirrors {
  private free: string[] | undefined;

  constructor(private readonly root: string) {}

  private async pool(): Promise<string[]> {
    if (this.free === undefined) {
      await mkdir(this.root, { recursive: true, mode: 0o700 });
      this.free = (await readdir(this.root)).filter((n) => /^[0-9a-f]{12}$/.test(n));
    }
    return this.free;
  }

  /** Syncs a context tar into a free mirror (the most recently used) and leases it. */
  async sync(tar: AsyncIterable<Buffer>): Promise<LeasedMirror> {
    const free = await this.pool();
    const name = free.pop() ?? newHexId().slice(0, 12);
    const base = `${this.root}/${name}`;
    const dir = `${base}/context`;
    const indexFile = `${base}/index.json`;
    let old: MirrorIndex = new Map(); // a copy the sync may change
    try {
      old = new Map(
        Object.entries(JSON.parse(await readFile(indexFile, "utf8")) as Record<string, MirrorEntry>),
      );
    } catch {
      await rm(base, { recursive: true, force: true }); // no index: nothing in it can be trusted
    }
    await rm(indexFile, { force: true });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const sink = new MirrorSink(dir, old, `${base}/incoming`);
    try {
      const reader = new TarReader(sink);
      for await (const chunk of tar) reader.feed(chunk);
      reader.finish();
      sink.finish();
    } catch (err) {
      await rm(base, { recursive: true, force: true });
      throw err;
    }
    const index = sink.index;
    let done = false;
    return {
      dir,
      digest: (rel) => index.get(rel)?.sha256,
      forget: (rel) => {
        for (const k of [...index.keys()]) if (k === rel || k.startsWith(`${rel}/`)) index.delete(k);
      },
      release: async () => {
        if (done) return;
        done = true;
        await writeFile(indexFile, JSON.stringify(Object.fromEntries(index)));
        if (free.length < POOL_SIZE) free.push(name);
        else await rm(base, { recursive: true, force: true });
      },
      discard: async () => {
        if (done) return;
        done = true;
        await rm(base, { recursive: true, force: true });
      },
    };
  }

  /** Removes every mirror not leased (builder prune). */
  async prune(): Promise<void> {
    const free = await this.pool();
    for (const name of free.splice(0)) await rm(`${this.root}/${name}`, { recursive: true, force: true });
  }
}

/** Applies a context tar onto a mirror directory, writing only what differs from `old`. */
class MirrorSink implements TarSink {
  readonly index: MirrorIndex = new Map();

  constructor(
    private readonly dir: string,
    private readonly old: MirrorIndex,
    private readonly incoming: string,
  ) {}

  meta(): void {}

  entry(e: TarEntry): ContentSink | undefined {
    const parts = cleanTarPath(e.name);
    if (parts.length === 0) return undefined; // "./": the context root itself
    const rel = parts.join("/");
    this.parents(parts);
    const abs = `${this.dir}/${rel}`;
    const meta = { mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, mtime: e.mtime };
    switch (e.type) {
      case "5":
        this.dirAt(rel, abs, meta);
        return undefined;
      case "2":
        this.symlinkAt(rel, abs, e.linkname, meta);
        return undefined;
      case "1":
        this.hardlinkAt(rel, abs, e.linkname);
        return undefined;
      case "0":
      case "7":
      case "\0":
        return this.fileAt(rel, abs, e.size, meta);
      default:
        return undefined; // devices, fifos: ADD/COPY never copy them from a context
    }
  }

  /** Removes what the old context had and the new one has not; sets directory times. */
  finish(): void {
    const gone = [...this.old.keys()].filter((k) => !this.index.has(k)).sort((a, b) => b.length - a.length);
    for (const k of gone) rmSync(`${this.dir}/${k}`, { recursive: true, force: true });
    rmSync(this.incoming, { recursive: true, force: true });
    for (const [rel, m] of [...this.index].reverse())
      if (m.type === "dir") utimesSync(`${this.dir}/${rel}`, m.mtime, m.mtime);
  }

  /** Makes sure every parent is a real directory (never a symlink: no entry goes through one). */
  private parents(parts: string[]): void {
    for (let i = 1; i < parts.length; i++) {
      const rel = parts.slice(0, i).join("/");
      const now = this.index.get(rel);
      if (now !== undefined) {
        if (now.type !== "dir")
          throw invalid(`invalid build context: ${parts.join("/")} is under a non-directory`);
        continue;
      }
      this.dirAt(rel, `${this.dir}/${rel}`, { mode: 0o755, uid: 0, gid: 0, mtime: 0 });
    }
  }

  /**
   * What is on disk at `rel` when it has the wanted type (to compare with), else removes it.
   * The disk holds this sync's entries, or else the old index's.
   */
  private replaceable(rel: string, abs: string, type: MirrorEntry["type"]): MirrorEntry | undefined {
    const was = this.index.get(rel) ?? this.old.get(rel);
    if (was !== undefined && was.type === type) return was;
    if (was !== undefined) {
      rmSync(abs, { recursive: true, force: true });
      for (const k of [...this.old.keys()]) if (k === rel || k.startsWith(`${rel}/`)) this.old.delete(k);
    }
    return undefined;
  }

  private dirAt(rel: string, abs: string, meta: Omit<MirrorEntry, "type">): void {
    const was = this.replaceable(rel, abs, "dir");
    if (was === undefined) mkdirSync(abs, { mode: meta.mode });
    if (was === undefined || was.mode !== meta.mode) chmodSync(abs, meta.mode);
    if (was === undefined || was.uid !== meta.uid || was.gid !== meta.gid)
      lchownSync(abs, meta.uid, meta.gid);
    this.index.set(rel, { type: "dir", ...meta });
  }

  private symlinkAt(rel: string, abs: string, target: string, meta: Omit<MirrorEntry, "type">): void {
    const was = this.replaceable(rel, abs, "symlink");
    const same = was !== undefined && was.linkname === target && was.uid === meta.uid && was.gid === meta.gid;
    if (!same) {
      if (was !== undefined) rmSync(abs, { force: true });
      symlinkSync(target, abs);
      lchownSync(abs, meta.uid, meta.gid);
    }
    if (!same || was.mtime !== meta.mtime) lutimesSync(abs, meta.mtime, meta.mtime);
    this.index.set(rel, { type: "symlink", ...meta, linkname: target });
  }

  private hardlinkAt(rel: string, abs: string, linkname: string): void {
    const targetRel = cleanTarPath(linkname).join("/");
    const target = this.index.get(targetRel);
    if (target?.type !== "file") throw invalid(`invalid build context: hard link ${rel} to a missing file`);
    this.replaceable(rel, abs, "file");
    rmSync(abs, { force: true });
    linkSync(`${this.dir}/${targetRel}`, abs);
    this.index.set(rel, { ...target });
  }

  private fileAt(rel: string, abs: string, size: number, meta: Omit<MirrorEntry, "type">): ContentSink {
    const was = this.replaceable(rel, abs, "file");
    const hash: Hash = createHash("sha256");
    const chunks: Buffer[] = [];
    let spill: { fd: number; path: string } | undefined;
    if (size > MEMORY_LIMIT) {
      mkdirSync(this.incoming, { recursive: true, mode: 0o700 });
      const path = `${this.incoming}/${newHexId().slice(0, 16)}`;
      spill = { fd: openSync(path, "wx", 0o600), path };
    }
    return {
      write: (chunk) => {
        hash.update(chunk);
        if (spill !== undefined) writeSync(spill.fd, chunk);
        else chunks.push(chunk); // a slice of a chunk the stream handed over: never reused
      },
      end: () => {
        const sha256 = hash.digest("hex");
        const entry: MirrorEntry = { type: "file", ...meta, sha256 };
        this.index.set(rel, entry);
        if (
          was !== undefined &&
          was.sha256 === sha256 &&
          was.mode === meta.mode &&
          was.uid === meta.uid &&
          was.gid === meta.gid
        ) {
          if (spill !== undefined) {
            closeSync(spill.fd);
            rmSync(spill.path, { force: true });
          }
          if (was.mtime !== meta.mtime) utimesSync(abs, meta.mtime, meta.mtime);
          return;
        }
        let fd: number;
        if (spill !== undefined) {
          renameSync(spill.path, abs);
          fd = spill.fd;
        } else {
          if (was !== undefined) rmSync(abs, { force: true });
          fd = openSync(abs, "wx", 0o600);
          for (const c of chunks) writeSync(fd, c);
        }
        try {
          fchmodSync(fd, meta.mode);
          fchownSync(fd, meta.uid, meta.gid);
          futimesSync(fd, meta.mtime, meta.mtime);
        } finally {
          closeSync(fd);
        }
      },
    };
  }
}
