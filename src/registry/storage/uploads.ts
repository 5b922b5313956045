/**
 * Blob upload sessions: `uploads/<uuid>/data` holds the bytes received so
 * far and `uploads/<uuid>/info.json` the repository and start time. The file
 * itself is the session state, so a client that lost its connection asks for
 * the upload's status and resumes from the reported offset, even across a
 * server restart. A running SHA-256 is kept in memory while it matches the
 * file; otherwise the file is hashed again when the upload completes.
 */
import { createHash, randomUUID, type Hash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { errnoCode } from "../../engine/errors.js";
import { regError } from "../errors.js";
import { digestAlgorithm, type BlobDigest, type RepoName, type UploadId } from "../names.js";
import { writeFileAtomic } from "./atomic.js";
import type { BlobStore } from "./blobs.js";

export interface UploadInfo {
  repo: RepoName;
  startedAt: string;
  /** Bytes received so far. */
  size: number;
}

interface HashState {
  hash: Hash;
  offset: number;
}

export class UploadStore {
  private readonly hashes = new Map<UploadId, HashState>();
  private readonly locks = new Map<UploadId, Promise<unknown>>();

  constructor(
    private readonly root: string,
    private readonly tmpDir: string,
    private readonly blobs: BlobStore,
  ) {}

  private dir(id: UploadId): string {
    return join(this.root, id);
  }

  private dataPath(id: UploadId): string {
    return join(this.dir(id), "data");
  }

  async create(repo: RepoName): Promise<UploadId> {
    const id = randomUUID() as UploadId;
    await mkdir(this.dir(id), { recursive: true });
    const fh = await open(this.dataPath(id), "wx", 0o644);
    await fh.close();
    await writeFileAtomic(
      this.tmpDir,
      join(this.dir(id), "info.json"),
      JSON.stringify({ repo, startedAt: new Date().toISOString() }),
    );
    this.hashes.set(id, { hash: createHash("sha256"), offset: 0 });
    return id;
  }

  /** The session, if it exists and belongs to `repo`. */
  async info(id: UploadId, repo: RepoName): Promise<UploadInfo> {
    let meta: { repo?: unknown; startedAt?: unknown };
    let size: number;
    try {
      meta = JSON.parse(await readFile(join(this.dir(id), "info.json"), "utf8")) as typeof meta;
      size = (await stat(this.dataPath(id))).size;
    } catch (err) {
      if (errnoCode(err) === "ENOENT") throw regError("BLOB_UPLOAD_UNKNOWN", { uuid: id });
      throw err;
    }
    if (meta.repo !== repo) throw regError("BLOB_UPLOAD_UNKNOWN", { uuid: id });
    return { repo, startedAt: String(meta.startedAt), size };
  }

  /**
   * Appends a chunk. `start`, when the client sent Content-Range, must equal
   * the bytes received so far (416 with the current Range otherwise).
   */
  async append(id: UploadId, repo: RepoName, body: Readable, start?: number): Promise<number> {
    return this.locked(id, async () => {
      const { size } = await this.info(id, repo);
      if (start !== undefined && start !== size) {
        throw regError("RANGE_INVALID", { expectedStart: size, start }, rangeHeaders(id, repo, size));
      }
      return this.write(id, body, size);
    });
  }

  /** Appends the last chunk (if any), checks the digest and moves the blob into place. */
  async finish(id: UploadId, repo: RepoName, digest: BlobDigest, body?: Readable): Promise<number> {
    return this.locked(id, async () => {
      let { size } = await this.info(id, repo);
      if (body) size = await this.write(id, body, size);
      const actual = await this.digestOf(id, size, digestAlgorithm(digest));
      if (actual !== digest) {
        await this.remove(id);
        throw regError("DIGEST_INVALID", { expected: digest, actual });
      }
      await this.blobs.adopt(digest, this.dataPath(id));
      await this.remove(id);
      return size;
    });
  }

  async cancel(id: UploadId, repo: RepoName): Promise<void> {
    await this.info(id, repo);
    await this.remove(id);
  }

  /** Every session's ID (for purging abandoned uploads). */
  async listIds(): Promise<string[]> {
    try {
      return await readdir(this.root);
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return [];
      throw err;
    }
  }

  private async remove(id: UploadId): Promise<void> {
    this.hashes.delete(id);
    await rm(this.dir(id), { recursive: true, force: true });
  }

  private async write(id: UploadId, body: Readable, size: number): Promise<number> {
    let state = this.hashes.get(id);
    if (state && state.offset !== size) state = undefined;
    if (!state && size === 0) state = { hash: createHash("sha256"), offset: 0 };
    this.hashes.delete(id);
    let written = 0;
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, done) {
        state?.hash.update(chunk);
        written += chunk.length;
        done(null, chunk);
      },
    });
    // flush: the file is fsynced before the stream closes, so an acknowledged chunk is on disk.
    await pipeline(body, hasher, createWriteStream(this.dataPath(id), { flags: "a", flush: true }));
    // Only after the bytes reached the file does the running hash describe it.
    if (state) this.hashes.set(id, { hash: state.hash, offset: size + written });
    return size + written;
  }

  private async digestOf(id: UploadId, size: number, alg: "sha256" | "sha512"): Promise<string> {
    const state = this.hashes.get(id);
    if (alg === "sha256" && state && state.offset === size) return `sha256:${state.hash.digest("hex")}`;
    const hash = createHash(alg);
    for await (const chunk of createReadStream(this.dataPath(id))) hash.update(chunk as Buffer);
    return `${alg}:${hash.digest("hex")}`;
  }

  private async locked<T>(id: UploadId, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(id, tail);
    try {
      return await next;
    } finally {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    }
  }
}

/** The headers that tell a client where an upload stands. */
export function rangeHeaders(id: UploadId, repo: RepoName, size: number): Record<string, string> {
  return {
    Location: `/v2/${repo}/blobs/uploads/${id}`,
    Range: `0-${size > 0 ? size - 1 : 0}`,
    "Docker-Upload-UUID": id,
  };
}
