/**
 * Garbage collection of blobs no manifest refers to, safe while the server
 * runs. Mark: every manifest revision of every repository, with the config,
 * layers and child manifests it names. Sweep: unmarked blobs whose mtime is
 * older than the grace period. Fresh uploads have a fresh mtime, and the
 * server touches a blob whenever a client checks for it (HEAD), mounts it or
 * pushes a manifest naming it, so a push under way keeps its blobs. Each
 * blob is stat'ed again just before it is removed.
 */
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { errnoCode } from "../engine/errors.js";
import { maxManifestSize, parseManifest } from "./manifests.js";
import type { BlobDigest } from "./names.js";
import type { Storage } from "./storage/index.js";

export interface GcOptions {
  /** Unreferenced blobs younger than this stay (default one hour). */
  graceMs?: number;
  /** Upload sessions untouched for this long are removed (default one week). */
  uploadMaxAgeMs?: number;
  /** Report what would go without removing anything. */
  dryRun?: boolean;
  log?: (line: string) => void;
}

export interface GcResult {
  /** Blobs some manifest refers to. */
  marked: number;
  /** Blobs removed (or, in a dry run, that would be). */
  swept: BlobDigest[];
  bytesFreed: number;
  /** Unreferenced blobs kept because they are younger than the grace period. */
  young: number;
  uploadsRemoved: number;
}

export const defaultGraceMs = 60 * 60 * 1000;
export const defaultUploadMaxAgeMs = 7 * 24 * 60 * 60 * 1000;

export async function garbageCollect(storage: Storage, opts: GcOptions = {}): Promise<GcResult> {
  const graceMs = opts.graceMs ?? defaultGraceMs;
  const log = opts.log ?? (() => undefined);
  const marked = await mark(storage, log);
  const result: GcResult = { marked: marked.size, swept: [], bytesFreed: 0, young: 0, uploadsRemoved: 0 };
  for await (const d of storage.blobs.list()) {
    if (marked.has(d)) continue;
    const info = await storage.blobs.stat(d);
    if (!info) continue;
    if (Date.now() - info.mtimeMs < graceMs) {
      result.young++;
      continue;
    }
    if (!opts.dryRun) {
      const again = await storage.blobs.stat(d);
      if (!again || Date.now() - again.mtimeMs < graceMs) continue;
      await storage.blobs.delete(d);
    }
    log(`${opts.dryRun ? "would remove" : "removed"} blob ${d} (${info.size} bytes)`);
    result.swept.push(d);
    result.bytesFreed += info.size;
  }
  if (!opts.dryRun) await unlinkSwept(storage, new Set(result.swept));
  result.uploadsRemoved = await purgeUploads(
    storage,
    opts.uploadMaxAgeMs ?? defaultUploadMaxAgeMs,
    opts.dryRun,
  );
  return result;
}

async function mark(storage: Storage, log: (line: string) => void): Promise<Set<BlobDigest>> {
  const marked = new Set<BlobDigest>();
  for (const repo of await storage.repos.listRepos()) {
    for (const d of await storage.repos.listRevisions(repo)) {
      marked.add(d);
      const mediaType = await storage.repos.getRevision(repo, d);
      const bytes = await storage.blobs.read(d, maxManifestSize).catch(() => undefined);
      if (bytes === undefined) {
        log(`warning: ${repo}@${d}: manifest blob missing`);
        continue;
      }
      try {
        const m = parseManifest(bytes, mediaType || undefined);
        for (const b of [...m.blobs, ...m.manifests]) marked.add(b.digest);
      } catch {
        log(`warning: ${repo}@${d}: manifest unreadable, its blobs are not marked`);
      }
    }
  }
  return marked;
}

/** Drops repository links to blobs that no longer exist. */
async function unlinkSwept(storage: Storage, swept: Set<BlobDigest>): Promise<void> {
  if (swept.size === 0) return;
  for (const repo of await storage.repos.listRepos()) {
    for (const d of await storage.repos.listBlobLinks(repo)) {
      if (swept.has(d) && !(await storage.blobs.stat(d))) await storage.repos.unlinkBlob(repo, d);
    }
  }
}

async function purgeUploads(storage: Storage, maxAgeMs: number, dryRun?: boolean): Promise<number> {
  let n = 0;
  const dir = join(storage.root, "uploads");
  for (const id of await storage.uploads.listIds()) {
    try {
      const st = await stat(join(dir, id, "data"));
      if (Date.now() - st.mtimeMs < maxAgeMs) continue;
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw err;
    }
    if (!dryRun) await rm(join(dir, id), { recursive: true, force: true });
    n++;
  }
  return n;
}
