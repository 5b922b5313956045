/**
 * Content-addressed blob files: `blobs/<alg>/<first two hex>/<hex>` holds the
 * bytes themselves. Blobs are shared by every repository; which repository
 * may see a blob is recorded by links in the repository store.
 */
import { createHash } from "node:crypto";
import { createReadStream, type ReadStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat, utimes, open } from "node:fs/promises";
import { dirname, join } from "node:path";
import { errnoCode } from "../../engine/errors.js";
import { regError } from "../errors.js";
import { digestAlgorithm, digestEncoded, isBlobDigest, type BlobDigest } from "../names.js";
import { syncDir, writeFileAtomic } from "./atomic.js";

export interface BlobInfo {
  size: number;
  mtimeMs: number;
}

export class BlobStore {
  constructor(
    private readonly root: string,
    private readonly tmpDir: string,
  ) {}

  path(d: BlobDigest): string {
    const hex = digestEncoded(d);
    return join(this.root, digestAlgorithm(d), hex.slice(0, 2), hex);
  }

  async stat(d: BlobDigest): Promise<BlobInfo | undefined> {
    try {
      const st = await stat(this.path(d));
      return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return undefined;
      throw err;
    }
  }

  /** A stream of bytes [start, end] (inclusive), or the whole blob. */
  open(d: BlobDigest, range?: { start: number; end: number }): ReadStream {
    return createReadStream(this.path(d), range ? { start: range.start, end: range.end } : {});
  }

  /** Reads a small blob (a manifest) whole, refusing anything over `max` bytes. */
  async read(d: BlobDigest, max: number): Promise<Buffer | undefined> {
    let fh;
    try {
      fh = await open(this.path(d), "r");
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return undefined;
      throw err;
    }
    try {
      const st = await fh.stat();
      if (st.size > max) throw regError("MANIFEST_TOO_LARGE", { size: st.size, limit: max });
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }

  /** Stores bytes already in memory (manifests), after checking their digest. */
  async putBytes(d: BlobDigest, data: Uint8Array): Promise<void> {
    const actual = `${digestAlgorithm(d)}:${createHash(digestAlgorithm(d)).update(data).digest("hex")}`;
    if (actual !== d) throw regError("DIGEST_INVALID", { expected: d, actual });
    if (await this.stat(d)) return void (await this.touch(d));
    await writeFileAtomic(this.tmpDir, this.path(d), data);
  }

  /**
   * Moves a verified, fsynced file into place. Two uploads of the same blob
   * may race here; rename is atomic and both files hold the same bytes, so
   * the loser simply replaces identical content.
   */
  async adopt(d: BlobDigest, file: string): Promise<void> {
    const target = this.path(d);
    await mkdir(dirname(target), { recursive: true });
    await rename(file, target);
    await syncDir(dirname(target));
  }

  /**
   * Marks a blob as just used, so a garbage collection running now does not
   * sweep a blob a client is about to reference.
   */
  async touch(d: BlobDigest): Promise<void> {
    const now = new Date();
    try {
      await utimes(this.path(d), now, now);
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw err;
    }
  }

  async delete(d: BlobDigest): Promise<void> {
    await rm(this.path(d), { force: true });
  }

  /** Every stored blob (for garbage collection). */
  async *list(): AsyncIterable<BlobDigest> {
    for (const alg of await readdirOrEmpty(this.root)) {
      for (const prefix of await readdirOrEmpty(join(this.root, alg))) {
        for (const hex of await readdirOrEmpty(join(this.root, alg, prefix))) {
          const d = `${alg}:${hex}`;
          if (isBlobDigest(d)) yield d;
        }
      }
    }
  }
}

export async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    if (errnoCode(err) === "ENOENT" || errnoCode(err) === "ENOTDIR") return [];
    throw err;
  }
}
