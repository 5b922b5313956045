/**
 * Which compressed blobs hold a layer (dockerd's v2 metadata service): for
 * each diffID, the digests it was pulled as or pushed as, and where. A warm
 * push finds the blob already in the repository (HEAD) or mounts it from
 * another repository of the same registry, without compressing again.
 */
import type { DiffId, Digest } from "../ids.js";
import type { Db, ModuleSchema } from "../store/index.js";

export const distributionSchema: ModuleSchema = {
  module: "distribution",
  migrations: [
    `CREATE TABLE distribution_blobs (
       diff_id TEXT NOT NULL,
       digest TEXT NOT NULL,
       registry TEXT NOT NULL,
       repo TEXT NOT NULL,
       size INTEGER NOT NULL,
       added_nano TEXT NOT NULL,
       PRIMARY KEY (diff_id, registry, repo, digest)
     );
     CREATE INDEX distribution_blobs_by_digest ON distribution_blobs(digest);`,
  ],
};

export interface BlobLocation {
  digest: Digest;
  /** The registry domain ("127.0.0.1:5000", "docker.io"). */
  registry: string;
  /** The repository path ("library/busybox"). */
  repo: string;
  size: number;
}

interface Row {
  digest: string;
  registry: string;
  repo: string;
  size: number;
}

export class BlobCache {
  constructor(private readonly db: Db) {}

  /** Newest first. */
  locations(diffId: DiffId): BlobLocation[] {
    return this.db
      .prepare<[string], Row>(
        "SELECT digest, registry, repo, size FROM distribution_blobs WHERE diff_id = ? ORDER BY added_nano DESC",
      )
      .all(diffId)
      .map((r) => ({ digest: r.digest as Digest, registry: r.registry, repo: r.repo, size: r.size }));
  }

  /** The diffID a compressed blob unpacks to, if known. */
  diffIdOf(digest: Digest): DiffId | undefined {
    const row = this.db
      .prepare<[string], { diff_id: string }>(
        "SELECT diff_id FROM distribution_blobs WHERE digest = ? LIMIT 1",
      )
      .get(digest);
    return row?.diff_id as DiffId | undefined;
  }

  add(diffId: DiffId, loc: BlobLocation): void {
    this.db
      .prepare(
        `INSERT INTO distribution_blobs (diff_id, digest, registry, repo, size, added_nano) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (diff_id, registry, repo, digest) DO UPDATE SET added_nano = excluded.added_nano, size = excluded.size`,
      )
      .run(diffId, loc.digest, loc.registry, loc.repo, loc.size, String(BigInt(Date.now()) * 1_000_000n));
  }

  /** Forgets a blob the registry no longer has there. */
  remove(diffId: DiffId, loc: Pick<BlobLocation, "digest" | "registry" | "repo">): void {
    this.db
      .prepare(
        "DELETE FROM distribution_blobs WHERE diff_id = ? AND digest = ? AND registry = ? AND repo = ?",
      )
      .run(diffId, loc.digest, loc.registry, loc.repo);
  }
}
