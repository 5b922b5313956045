/**
 * The manifest a build session starts with: every entry of the client's context (after
 * `.dockerignore`) with its metadata and, for files, a stat signature
 * (`dev:ino:size:mtimeNs:ctimeNs`). A file whose signature equals the one the mirror recorded
 * when it last received that file's bytes is not sent again (BuildKit's fsutil does the same);
 * the bytes the daemon has for it were hashed when they arrived, so the cache still follows
 * content. Paths come from the client: each is checked before anything touches the disk.
 */
import { invalid } from "../errors.js";
import type { MirrorIndex } from "./contextMirror.js";

export interface ManifestEntry {
  /** Clean relative path inside the context ("a/b", never "./", "..", "/"). */
  path: string;
  type: "file" | "dir" | "symlink";
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch (the precision a context tar carries). */
  mtime: number;
  size: number;
  linkname?: string;
  /** A file's stat signature; absent for bytes that have none (a `-f -` Dockerfile): always sent. */
  sig?: string;
}

/** The manifest by path, checked: safe paths, no duplicates, nothing under a non-directory. */
export type Manifest = ReadonlyMap<string, ManifestEntry>;

const bad = (why: string) => invalid(`invalid build context manifest: ${why}`);
const MAX_ENTRIES = 2_000_000;
/** An empty, "." or ".." component. */
const unclean = /(^|\/)\.{0,2}(\/|$)/;

/** Rejects anything but a clean relative path: no "", ".", ".." component, no leading "/", no NUL. */
export function checkManifestPath(p: unknown): string {
  if (typeof p !== "string" || p === "") throw bad("an entry has no path");
  if (p.length > 4096 || p.includes("\0")) throw bad(`unsafe path ${JSON.stringify(p)}`);
  if (p.startsWith("/")) throw bad(`absolute path ${JSON.stringify(p)}`);
  if (unclean.test(p))
    throw bad(`unsafe path ${JSON.stringify(p)} (it must be clean and stay inside the context)`);
  return p;
}

function uint(v: unknown, what: string, path: string, max = 0xffffffff): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max)
    throw bad(`${path}: invalid ${what} ${JSON.stringify(v)}`);
  return v;
}

function entryOf(raw: unknown): ManifestEntry {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw bad("an entry is not an object");
  const r = raw as Record<string, unknown>;
  const path = checkManifestPath(r.path);
  if (r.type !== "file" && r.type !== "dir" && r.type !== "symlink")
    throw bad(`${path}: invalid type ${JSON.stringify(r.type)}`);
  if (typeof r.mtime !== "number" || !Number.isFinite(r.mtime)) throw bad(`${path}: invalid mtime`);
  const e: ManifestEntry = {
    path,
    type: r.type,
    mode: uint(r.mode, "mode", path, 0o7777),
    uid: uint(r.uid, "uid", path),
    gid: uint(r.gid, "gid", path),
    mtime: Math.trunc(r.mtime),
    size: r.type === "file" ? uint(r.size, "size", path, Number.MAX_SAFE_INTEGER) : 0,
  };
  if (r.type === "symlink") {
    if (typeof r.linkname !== "string" || r.linkname === "" || r.linkname.includes("\0"))
      throw bad(`${path}: a symlink needs a target`);
    e.linkname = r.linkname;
  }
  if (r.type === "file" && r.sig !== undefined) {
    if (typeof r.sig !== "string" || r.sig === "" || r.sig.length > 200) throw bad(`${path}: invalid sig`);
    e.sig = r.sig;
  }
  return e;
}

/** Checks a manifest from the wire. */
export function parseManifest(raw: unknown): Manifest {
  if (!Array.isArray(raw)) throw bad("manifest must be an array");
  if (raw.length > MAX_ENTRIES) throw bad(`more than ${MAX_ENTRIES} entries`);
  const out = new Map<string, ManifestEntry>();
  for (const r of raw) {
    const e = entryOf(r);
    if (out.has(e.path)) throw bad(`${e.path} is listed twice`);
    out.set(e.path, e);
  }
  for (const e of out.values()) {
    for (let i = e.path.lastIndexOf("/"); i > 0; i = e.path.lastIndexOf("/", i - 1)) {
      const parent = out.get(e.path.slice(0, i));
      if (parent !== undefined && parent.type !== "dir")
        throw bad(`${e.path} is under ${parent.path}, which is not a directory`);
    }
  }
  return out;
}

/** Whether the mirror already holds this file's bytes (recorded under the same signature). */
export function isKept(e: ManifestEntry, index: MirrorIndex): boolean {
  if (e.type !== "file" || e.sig === undefined) return false;
  const was = index.get(e.path);
  return was?.type === "file" && was.sha256 !== undefined && was.sig === e.sig;
}

/** The files the client must send: new, or with a signature the mirror has not recorded. */
export function neededFiles(manifest: Manifest, index: MirrorIndex): string[] {
  const need: string[] = [];
  for (const e of manifest.values()) if (e.type === "file" && !isKept(e, index)) need.push(e.path);
  return need;
}
