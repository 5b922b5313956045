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
 * A mirror is leased by one build at a time. The index file is removed before the first change
 * to the directory and written again when the build ends, so a crash mid-sync leaves a mirror
 * that is rewritten in full; a sync that changes nothing (a cached rebuild) leaves it in place.
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
import { log } from "../log.js";
import { cleanTarPath } from "../layers/confine.js";
import { TarReader, type ContentSink, type TarEntry, type TarSink } from "../layers/tarReader.js";
import { isKept, type Manifest, type ManifestEntry } from "./sessionManifest.js";
import type { KnownTree } from "./sources.js";

export interface MirrorEntry {
  type: "file" | "dir" | "symlink";
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  /** sha256 hex of a file's bytes. */
  sha256?: string;
  linkname?: string;
  /** The client's stat signature of the file these bytes came from (build sessions). */
  sig?: string;
}

export type MirrorIndex = Map<string, MirrorEntry>;

/** Files up to this size are held in memory while hashed; bigger ones go to a temporary file. */
const MEMORY_LIMIT = 8 << 20;
const POOL_SIZE = 4;

export interface LeasedMirror {
  /** The context directory. */
  dir: string;
  /** The index as a tree (entries and listings by path relative to `dir`): COPY hashes from it. */
  known: KnownTree;
  /** Before the caller removes something from `dir` (.dockerignore): the index on disk goes. */
  changing: () => void;
  /** Forgets a path (and what is under it) that the caller removed. */
  forget: (rel: string) => void;
  /** Every path of the context with its type (from the index: no walk of the disk). */
  entries: () => Iterable<[string, MirrorEntry["type"]]>;
  /** Writes the index and returns the mirror to the pool. */
  release: () => Promise<void>;
  /** Removes the mirror (a failed sync). */
  discard: () => Promise<void>;
  /** Bytes of file content the sync received. */
  received: number;
}

/** A mirror taken out of the pool, not yet synced. */
export interface MirrorLease {
  /** The index as the mirror's last build left it (empty for a new mirror). */
  readonly index: MirrorIndex;
  /**
   * Syncs a tar into the mirror. With a manifest (a build session), the tar holds only files
   * and the manifest says what the context is: files it lists that the tar lacks are kept
   * from the mirror when their signature matches, and everything else follows the manifest.
   */
  sync(tar: AsyncIterable<Buffer>, manifest?: Manifest): Promise<LeasedMirror>;
  /** Returns the mirror to the pool untouched. */
  abandon(): void;
}

interface IndexFile {
  v: 2;
  entries: Record<string, MirrorEntry>;
}

/** Indexes of free mirrors up to this many entries stay in memory (no JSON parse per lease). */
const MEMORY_INDEX_LIMIT = 200_000;

/** What the pool knows of a free mirror. */
interface FreeMirror {
  /** The client key of the build session that synced it last ("" for a plain tar). */
  key: string;
  /** Its index, when kept in memory. */
  index?: MirrorIndex;
  /** The index being written to disk (off the build's path); a lease waits for it. */
  saving?: Promise<void>;
}

/** A pool of mirrors under one directory. */
export class ContextMirrors {
  /** Free mirrors by name, the most recently used last. */
  private free: Map<string, FreeMirror> | undefined;

  constructor(private readonly root: string) {}

  private async pool(): Promise<Map<string, FreeMirror>> {
    if (this.free === undefined) {
      await mkdir(this.root, { recursive: true, mode: 0o700 });
      const free = new Map<string, FreeMirror>();
      for (const n of (await readdir(this.root)).filter((x) => /^[0-9a-f]{12}$/.test(x)))
        free.set(n, { key: await readFile(`${this.root}/${n}/key`, "utf8").catch(() => "") });
      this.free ??= free;
    }
    return this.free;
  }

  /** Syncs a context tar into a free mirror (the most recently used) and leases it. */
  async sync(tar: AsyncIterable<Buffer>): Promise<LeasedMirror> {
    return (await this.lease()).sync(tar);
  }

  /**
   * Takes a free mirror: the last one `key` used if free (for plain tars, key "": one no
   * session client uses, so the docker CLI and berth build of one context keep their own),
   * else the most recently used.
   */
  async lease(key = ""): Promise<MirrorLease> {
    const free = await this.pool();
    const names = [...free.keys()];
    const name =
      names.findLast((n) => free.get(n)?.key === key) ?? names[names.length - 1] ?? newHexId().slice(0, 12);
    const was = free.get(name);
    free.delete(name);
    const base = `${this.root}/${name}`;
    const indexFile = `${base}/index.json`;
    await was?.saving;
    let index: MirrorIndex | undefined = was?.index;
    if (index === undefined) {
      try {
        const file = JSON.parse(await readFile(indexFile, "utf8")) as IndexFile;
        if (file.v !== 2 || typeof file.entries !== "object") throw new Error("old index");
        index = new Map(Object.entries(file.entries));
      } catch {
        index = new Map();
        await rm(base, { recursive: true, force: true }); // no index: nothing in it can be trusted
      }
    }
    const old = index;
    let taken = true;
    /** Back into the pool; false when the pool is full (the caller removes it). */
    const back = (m: FreeMirror) => {
      if (!taken) return false;
      taken = false;
      if (free.size >= POOL_SIZE) return false;
      free.set(name, m);
      return true;
    };
    return {
      index: old,
      abandon: () => {
        if (!back({ key: was?.key ?? "", index: old }))
          void rm(base, { recursive: true, force: true }).catch(() => undefined);
      },
      sync: async (tar, manifest) => {
        const dir = `${base}/context`;
        let indexOnDisk = was?.index !== undefined || index.size > 0;
        /** Before any change to the directory: the index on disk would no longer describe it. */
        const changing = () => {
          if (!indexOnDisk) return;
          rmSync(indexFile, { force: true });
          indexOnDisk = false;
        };
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const sink = new MirrorSink(dir, new Map(old), `${base}/incoming`, changing, manifest);
        try {
          const reader = new TarReader(sink);
          for await (const chunk of tar) reader.feed(chunk);
          reader.finish();
          sink.finish();
        } catch (err) {
          taken = false;
          await rm(base, { recursive: true, force: true });
          throw err;
        }
        const now = sink.index;
        return {
          dir,
          received: sink.received,
          known: indexTree(dir, now),
          changing,
          forget: (rel) => {
            if (now.get(rel)?.type !== "dir") now.delete(rel);
            else for (const k of [...now.keys()]) if (k === rel || k.startsWith(`${rel}/`)) now.delete(k);
          },
          entries: () => [...now].map(([rel, e]): [string, MirrorEntry["type"]] => [rel, e.type]),
          release: async () => {
            if (!taken) return;
            const save = async () => {
              const file: IndexFile = { v: 2, entries: Object.fromEntries(now) };
              await writeFile(indexFile, JSON.stringify(file));
              await writeFile(`${base}/key`, key);
            };
            const m: FreeMirror = { key, ...(now.size <= MEMORY_INDEX_LIMIT ? { index: now } : {}) };
            if (!back(m)) return rm(base, { recursive: true, force: true });
            // A cached rebuild: same directory, same index, same client.
            if (indexOnDisk && key === (was?.key ?? "") && sameIndex(old, now)) return;
            changing();
            // Written after the build answered; a crash before leaves no index (a full rewrite).
            m.saving = new Promise<void>((res) => setImmediate(res)).then(save).catch((err: unknown) => {
              log.warn(`build context mirror ${name}: cannot write its index: ${(err as Error).message}`);
              delete m.index; // the next lease reads the (missing) file and starts afresh
            });
          },
          discard: async () => {
            if (!taken) return;
            taken = false;
            await rm(base, { recursive: true, force: true });
          },
        };
      },
    };
  }

  /** Removes every mirror not leased (builder prune). */
  async prune(): Promise<void> {
    const free = await this.pool();
    const names = [...free.entries()];
    free.clear();
    for (const [name, m] of names) {
      await m.saving;
      await rm(`${this.root}/${name}`, { recursive: true, force: true });
    }
  }
}

/** Applies a context tar onto a mirror directory, writing only what differs from `old`. */
class MirrorSink implements TarSink {
  readonly index: MirrorIndex = new Map();

  /** Bytes of file content received (a session's tar holds only the files it had to send). */
  received = 0;
  /** Something was created or removed: directory times must all be set again. */
  private dirty = false;

  constructor(
    private readonly dir: string,
    private readonly old: MirrorIndex,
    private readonly incoming: string,
    /** Called before each change to the directory. */
    private readonly changing: () => void,
    private readonly manifest?: Manifest,
  ) {}

  meta(): void {}

  entry(e: TarEntry): ContentSink | undefined {
    if (this.manifest !== undefined) return this.sessionEntry(e, this.manifest);
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

  /** A session's tar: files the manifest lists, and nothing else; the manifest gives the metadata. */
  private sessionEntry(e: TarEntry, manifest: Manifest): ContentSink | undefined {
    const rel = cleanTarPath(e.name).join("/");
    const m = manifest.get(rel);
    if (m?.type !== "file" || !["0", "7", "\0"].includes(e.type))
      throw invalid(
        `invalid build context: ${JSON.stringify(e.name)} was sent but the manifest lists no such file`,
      );
    this.parentsOf(rel);
    return this.fileAt(rel, `${this.dir}/${rel}`, e.size, this.metaOf(m), m.sig);
  }

  private metaOf(m: ManifestEntry): Omit<MirrorEntry, "type"> {
    return { mode: m.mode, uid: m.uid, gid: m.gid, mtime: m.mtime };
  }

  /**
   * After a session's tar: directories and symlinks as the manifest says, metadata of the
   * files kept from the mirror, and an error for a file that is neither sent nor kept.
   */
  private reconcile(manifest: Manifest): void {
    for (const m of manifest.values()) {
      const rel = m.path;
      const abs = `${this.dir}/${rel}`;
      if (m.type === "file" && this.index.get(rel)?.type === "file") continue; // received
      this.parentsOf(rel);
      if (m.type === "dir") this.dirAt(rel, abs, this.metaOf(m));
      else if (m.type === "symlink") this.symlinkAt(rel, abs, m.linkname ?? "", this.metaOf(m));
      else if (isKept(m, this.old)) this.keepFile(rel, abs, this.old.get(rel) as MirrorEntry, m);
      else throw invalid(`invalid build context: ${rel} is in the manifest but was not sent`);
    }
  }

  /** A file whose bytes the mirror has: only its metadata may change. */
  private keepFile(rel: string, abs: string, was: MirrorEntry, m: ManifestEntry): void {
    if (was.mode !== m.mode || was.uid !== m.uid || was.gid !== m.gid || was.mtime !== m.mtime)
      this.changing();
    if (was.mode !== m.mode) chmodSync(abs, m.mode);
    if (was.uid !== m.uid || was.gid !== m.gid) lchownSync(abs, m.uid, m.gid);
    if (was.mtime !== m.mtime) utimesSync(abs, m.mtime, m.mtime);
    this.index.set(rel, { ...was, ...this.metaOf(m), type: "file" });
  }

  /** Removes what the old context had and the new one has not; sets directory times. */
  finish(): void {
    if (this.manifest !== undefined) this.reconcile(this.manifest);
    const gone = [...this.old.keys()].filter((k) => !this.index.has(k)).sort((a, b) => b.length - a.length);
    if (gone.length > 0) {
      this.changing();
      this.dirty = true;
    }
    for (const k of gone) rmSync(`${this.dir}/${k}`, { recursive: true, force: true });
    rmSync(this.incoming, { recursive: true, force: true });
    // Deepest first; when nothing was created or removed, only the times that changed.
    for (const [rel, m] of [...this.index].reverse())
      if (m.type === "dir" && (this.dirty || this.old.get(rel)?.mtime !== m.mtime)) {
        this.changing();
        utimesSync(`${this.dir}/${rel}`, m.mtime, m.mtime);
      }
  }

  /** Makes sure every parent is a real directory (never a symlink: no entry goes through one). */
  private parents(parts: string[]): void {
    this.parentsOf(parts.join("/"));
  }

  private parentsOf(rel: string): void {
    const cut = rel.lastIndexOf("/");
    if (cut < 0) return;
    const parent = rel.slice(0, cut);
    const now = this.index.get(parent);
    if (now !== undefined) {
      if (now.type !== "dir") throw invalid(`invalid build context: ${rel} is under a non-directory`);
      return; // its own parents were checked when it was made
    }
    this.parentsOf(parent);
    this.dirAt(parent, `${this.dir}/${parent}`, { mode: 0o755, uid: 0, gid: 0, mtime: 0 });
  }

  /**
   * What is on disk at `rel` when it has the wanted type (to compare with), else removes it.
   * The disk holds this sync's entries, or else the old index's.
   */
  private replaceable(rel: string, abs: string, type: MirrorEntry["type"]): MirrorEntry | undefined {
    const was = this.index.get(rel) ?? this.old.get(rel);
    if (was !== undefined && was.type === type) return was;
    if (was !== undefined) {
      this.changing();
      this.dirty = true;
      rmSync(abs, { recursive: true, force: true });
      for (const k of [...this.old.keys()]) if (k === rel || k.startsWith(`${rel}/`)) this.old.delete(k);
    }
    return undefined;
  }

  private dirAt(rel: string, abs: string, meta: Omit<MirrorEntry, "type">): void {
    const was = this.replaceable(rel, abs, "dir");
    if (was === undefined || was.mode !== meta.mode || was.uid !== meta.uid || was.gid !== meta.gid)
      this.changing();
    if (was === undefined) {
      mkdirSync(abs, { mode: meta.mode });
      this.dirty = true;
    }
    if (was === undefined || was.mode !== meta.mode) chmodSync(abs, meta.mode);
    if (was === undefined || was.uid !== meta.uid || was.gid !== meta.gid)
      lchownSync(abs, meta.uid, meta.gid);
    this.index.set(rel, { type: "dir", ...meta });
  }

  private symlinkAt(rel: string, abs: string, target: string, meta: Omit<MirrorEntry, "type">): void {
    const was = this.replaceable(rel, abs, "symlink");
    const same = was !== undefined && was.linkname === target && was.uid === meta.uid && was.gid === meta.gid;
    if (!same || was.mtime !== meta.mtime) this.changing();
    if (!same) {
      this.dirty = true;
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
    this.changing();
    this.dirty = true;
    rmSync(abs, { force: true });
    linkSync(`${this.dir}/${targetRel}`, abs);
    const { sig: _sig, ...bytes } = target; // a session's signature describes one path only
    this.index.set(rel, bytes);
  }

  private fileAt(
    rel: string,
    abs: string,
    size: number,
    meta: Omit<MirrorEntry, "type">,
    sig?: string,
  ): ContentSink {
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
        this.received += chunk.length;
        hash.update(chunk);
        if (spill !== undefined) writeSync(spill.fd, chunk);
        else chunks.push(chunk); // a slice of a chunk the stream handed over: never reused
      },
      end: () => {
        const sha256 = hash.digest("hex");
        // Same bytes as before: the signature they were recorded with still describes them.
        const keptSig = sig ?? (was?.sha256 === sha256 ? was.sig : undefined);
        const entry: MirrorEntry = {
          type: "file",
          ...meta,
          sha256,
          ...(keptSig !== undefined ? { sig: keptSig } : {}),
        };
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
          if (was.mtime !== meta.mtime) {
            this.changing();
            utimesSync(abs, meta.mtime, meta.mtime);
          }
          return;
        }
        this.changing();
        this.dirty = true;
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

/** Whether two indexes hold the same entries (a sync that changed nothing). */
function sameIndex(a: MirrorIndex, b: MirrorIndex): boolean {
  if (a.size !== b.size) return false;
  for (const [rel, x] of a) {
    const y = b.get(rel);
    if (
      y === undefined ||
      x.type !== y.type ||
      x.mode !== y.mode ||
      x.uid !== y.uid ||
      x.gid !== y.gid ||
      x.mtime !== y.mtime ||
      x.sha256 !== y.sha256 ||
      x.linkname !== y.linkname ||
      x.sig !== y.sig
    )
      return false;
  }
  return true;
}

/** A live view of an index as a tree; listings are built on first use and dropped on change. */
function indexTree(root: string, index: MirrorIndex): KnownTree {
  let listings: Map<string, string[]> | undefined;
  let size = -1;
  return {
    root,
    entry: (rel) => index.get(rel),
    children: (rel) => {
      // forget() only removes entries: a changed size means stale listings.
      if (listings === undefined || size !== index.size) {
        listings = new Map();
        size = index.size;
        for (const k of index.keys()) {
          const slash = k.lastIndexOf("/");
          const parent = slash < 0 ? "" : k.slice(0, slash);
          const names = listings.get(parent);
          if (names === undefined) listings.set(parent, [k.slice(slash + 1)]);
          else names.push(k.slice(slash + 1));
        }
      }
      return listings.get(rel) ?? (rel === "" || index.get(rel)?.type === "dir" ? [] : undefined);
    },
  };
}
