/**
 * Content-addressed blobs. A write goes to a fresh file under ingest/, is
 * fsynced and its digest checked, then renamed into blobs/sha256/<hex>, and the
 * directory fsynced: a crash leaves either no blob or a whole, verified one.
 * Half-written ingests are swept at start-up.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import * as fs from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { errnoCode, invalid, notFound } from "../errors.js";
import { digestHex, type Digest } from "../ids.js";

export interface BlobInfo {
  digest: Digest;
  size: number;
}

/** Reads blobs. */
export interface ContentProvider {
  has(digest: Digest): Promise<boolean>;
  read(digest: Digest): Promise<Buffer>;
  readStream(digest: Digest): Readable;
  size(digest: Digest): Promise<number>;
}

/** Writes blobs. */
export interface ContentIngester {
  writeBuffer(data: Uint8Array, expected?: Digest): Promise<BlobInfo>;
  ingest(source: AsyncIterable<Uint8Array>, expected?: Digest): Promise<BlobInfo>;
}

export interface ContentStore extends ContentProvider, ContentIngester {
  delete(digest: Digest): Promise<void>;
  list(): Promise<Digest[]>;
  /** Removes half-written ingests left by a crash. */
  sweepIngests(): Promise<number>;
}

export class LocalContentStore implements ContentStore {
  private readonly blobsDir: string;
  private readonly ingestDir: string;

  private constructor(root: string) {
    this.blobsDir = join(root, "blobs", "sha256");
    this.ingestDir = join(root, "ingest");
  }

  static async open(root: string): Promise<LocalContentStore> {
    const store = new LocalContentStore(root);
    await fs.mkdir(store.blobsDir, { recursive: true, mode: 0o700 });
    await fs.mkdir(store.ingestDir, { recursive: true, mode: 0o700 });
    return store;
  }

  pathOf(digest: Digest): string {
    return join(this.blobsDir, digestHex(digest));
  }

  async has(digest: Digest): Promise<boolean> {
    try {
      await fs.access(this.pathOf(digest));
      return true;
    } catch {
      return false;
    }
  }

  async read(digest: Digest): Promise<Buffer> {
    try {
      return await fs.readFile(this.pathOf(digest));
    } catch (err) {
      if (errnoCode(err) === "ENOENT") throw notFound(`content ${digest} not found`);
      throw err;
    }
  }

  readStream(digest: Digest): Readable {
    return createReadStream(this.pathOf(digest));
  }

  async size(digest: Digest): Promise<number> {
    try {
      return (await fs.stat(this.pathOf(digest))).size;
    } catch (err) {
      if (errnoCode(err) === "ENOENT") throw notFound(`content ${digest} not found`);
      throw err;
    }
  }

  async writeBuffer(data: Uint8Array, expected?: Digest): Promise<BlobInfo> {
    return this.ingest([data], expected);
  }

  async ingest(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    expected?: Digest,
  ): Promise<BlobInfo> {
    const tmp = join(this.ingestDir, randomBytes(12).toString("hex"));
    const hash = createHash("sha256");
    let size = 0;
    const fh = await fs.open(tmp, "wx", 0o600);
    try {
      for await (const chunk of source) {
        hash.update(chunk);
        size += chunk.length;
        await fh.write(chunk);
      }
      await fh.sync();
    } catch (err) {
      await fh.close();
      await fs.rm(tmp, { force: true });
      throw err;
    }
    await fh.close();
    const digest = `sha256:${hash.digest("hex")}` as Digest;
    if (expected !== undefined && digest !== expected) {
      await fs.rm(tmp, { force: true });
      throw invalid(`digest mismatch: expected ${expected}, got ${digest}`);
    }
    const final = this.pathOf(digest);
    await fs.chmod(tmp, 0o444);
    await fs.rename(tmp, final);
    await syncDir(this.blobsDir);
    return { digest, size };
  }

  async delete(digest: Digest): Promise<void> {
    await fs.rm(this.pathOf(digest), { force: true });
  }

  async list(): Promise<Digest[]> {
    const names = await fs.readdir(this.blobsDir);
    return names.map((n) => `sha256:${n}` as Digest);
  }

  async sweepIngests(): Promise<number> {
    const names = await fs.readdir(this.ingestDir);
    await Promise.all(names.map((n) => fs.rm(join(this.ingestDir, n), { force: true, recursive: true })));
    return names.length;
  }
}

/** fsync a directory so a rename inside it is durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
