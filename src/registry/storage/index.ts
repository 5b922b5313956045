/**
 * The registry's filesystem layout under `--root`:
 *   blobs/       content-addressed bytes (layers, configs, manifests)
 *   repositories/ per-repository links (blobs, manifest revisions, tags, referrers)
 *   uploads/     resumable upload sessions
 *   tmp/         temp files for atomic writes (same filesystem as the rest)
 *   auth/        the token signing key
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { BlobStore } from "./blobs.js";
import { RepoStore } from "./repos.js";
import { UploadStore } from "./uploads.js";

export { BlobStore, type BlobInfo } from "./blobs.js";
export { RepoStore } from "./repos.js";
export { UploadStore, rangeHeaders, type UploadInfo } from "./uploads.js";

export interface Storage {
  root: string;
  blobs: BlobStore;
  repos: RepoStore;
  uploads: UploadStore;
}

export async function openStorage(root: string): Promise<Storage> {
  const tmp = join(root, "tmp");
  for (const d of ["blobs", "repositories", "uploads", "tmp"])
    await mkdir(join(root, d), { recursive: true });
  const blobs = new BlobStore(join(root, "blobs"), tmp);
  return {
    root,
    blobs,
    repos: new RepoStore(join(root, "repositories"), tmp),
    uploads: new UploadStore(join(root, "uploads"), tmp, blobs),
  };
}
