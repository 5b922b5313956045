/**
 * The registry's operations on top of storage, with no HTTP in sight:
 * resolving references, pushing manifests (checking what they refer to and
 * indexing their subject), deletes, mounts and listings.
 */
import { createHash } from "node:crypto";
import { regError } from "./errors.js";
import { maxManifestSize, mediaTypes, parseManifest, type Descriptor } from "./manifests.js";
import { digestAlgorithm, type BlobDigest, type ManifestRef, type RepoName, type Tag } from "./names.js";
import type { Storage } from "./storage/index.js";

export interface StoredManifest {
  digest: BlobDigest;
  mediaType: string;
  bytes: Buffer;
}

export interface PushResult {
  digest: BlobDigest;
  subject?: BlobDigest;
}

export class Registry {
  constructor(readonly storage: Storage) {}

  /** The blob's size, if `repo` may see it (linked, or one of its manifests). */
  async statBlob(repo: RepoName, d: BlobDigest): Promise<number | undefined> {
    const { repos, blobs } = this.storage;
    if (!(await repos.hasBlob(repo, d)) && (await repos.getRevision(repo, d)) === undefined) return undefined;
    const info = await blobs.stat(d);
    return info?.size;
  }

  async deleteBlob(repo: RepoName, d: BlobDigest): Promise<void> {
    if (!(await this.storage.repos.unlinkBlob(repo, d))) throw regError("BLOB_UNKNOWN", { digest: d });
  }

  /** Links a blob that `from` can see into `repo`; false when it cannot. */
  async mount(repo: RepoName, d: BlobDigest, from: RepoName): Promise<boolean> {
    if ((await this.statBlob(from, d)) === undefined) return false;
    await this.storage.blobs.touch(d);
    await this.storage.repos.linkBlob(repo, d);
    return true;
  }

  async resolve(repo: RepoName, ref: ManifestRef): Promise<{ digest: BlobDigest; mediaType: string }> {
    const { repos } = this.storage;
    const digest = ref.kind === "digest" ? ref.digest : await repos.resolveTag(repo, ref.tag);
    const mediaType = digest && (await repos.getRevision(repo, digest));
    if (digest === undefined || mediaType === undefined) {
      if (!(await repos.exists(repo))) throw regError("NAME_UNKNOWN", { name: repo });
      throw regError("MANIFEST_UNKNOWN", ref.kind === "tag" ? { tag: ref.tag } : { digest: ref.digest });
    }
    return { digest, mediaType };
  }

  async getManifest(repo: RepoName, ref: ManifestRef): Promise<StoredManifest> {
    const { digest, mediaType } = await this.resolve(repo, ref);
    const bytes = await this.storage.blobs.read(digest, maxManifestSize);
    if (bytes === undefined) throw regError("MANIFEST_UNKNOWN", { digest });
    return { digest, mediaType: mediaType || sniffMediaType(bytes), bytes };
  }

  /**
   * Stores a manifest under `ref` after checking its digest (when the URL
   * names one) and that every blob and child manifest it names is present in
   * this repository. A subject need not exist (the referrers API allows it).
   */
  async putManifest(
    repo: RepoName,
    ref: ManifestRef,
    bytes: Buffer,
    contentType: string | undefined,
  ): Promise<PushResult> {
    if (bytes.length > maxManifestSize) throw regError("MANIFEST_TOO_LARGE", { size: bytes.length });
    const alg = ref.kind === "digest" ? digestAlgorithm(ref.digest) : "sha256";
    const digest = `${alg}:${createHash(alg).update(bytes).digest("hex")}` as BlobDigest;
    if (ref.kind === "digest" && ref.digest !== digest) {
      throw regError("DIGEST_INVALID", { expected: ref.digest, actual: digest });
    }
    const m = parseManifest(bytes, contentType);
    await this.checkReferences(repo, m.blobs, m.manifests);
    const { blobs, repos } = this.storage;
    await blobs.putBytes(digest, bytes);
    await repos.putRevision(repo, digest, m.mediaType);
    if (m.subject) await repos.addReferrer(repo, m.subject.digest, digest);
    if (ref.kind === "tag") await repos.setTag(repo, ref.tag, digest);
    return m.subject ? { digest, subject: m.subject.digest } : { digest };
  }

  private async checkReferences(repo: RepoName, blobs: Descriptor[], manifests: Descriptor[]): Promise<void> {
    const missing: Descriptor[] = [];
    for (const b of blobs) {
      // Foreign layers live elsewhere (their urls); the registry need not hold them.
      if (b.urls?.length) continue;
      if ((await this.statBlob(repo, b.digest)) === undefined) missing.push(b);
      else await this.storage.blobs.touch(b.digest);
    }
    for (const m of manifests) {
      if ((await this.storage.repos.getRevision(repo, m.digest)) === undefined) missing.push(m);
      else await this.storage.blobs.touch(m.digest);
    }
    if (missing.length > 0) {
      throw regError("MANIFEST_BLOB_UNKNOWN", { digest: missing[0]!.digest, missing: missing.length });
    }
  }

  /**
   * Deleting a tag removes only the tag; deleting a digest removes the
   * manifest from the repository, the tags that point at it and its entry
   * in the referrers index.
   */
  async deleteManifest(repo: RepoName, ref: ManifestRef): Promise<void> {
    const { repos } = this.storage;
    if (ref.kind === "tag") {
      if (!(await repos.deleteTag(repo, ref.tag))) throw regError("MANIFEST_UNKNOWN", { tag: ref.tag });
      return;
    }
    const stored = await this.getManifest(repo, ref);
    try {
      const m = parseManifest(stored.bytes, stored.mediaType);
      if (m.subject) await repos.removeReferrer(repo, m.subject.digest, ref.digest);
    } catch {
      // An unreadable manifest has no referrers entry to remove.
    }
    for (const tag of await repos.listTags(repo)) {
      if ((await repos.resolveTag(repo, tag)) === ref.digest) await repos.deleteTag(repo, tag);
    }
    await repos.deleteRevision(repo, ref.digest);
  }

  async listTags(repo: RepoName): Promise<Tag[]> {
    if (!(await this.storage.repos.exists(repo))) throw regError("NAME_UNKNOWN", { name: repo });
    return this.storage.repos.listTags(repo);
  }

  listRepos(): Promise<RepoName[]> {
    return this.storage.repos.listRepos();
  }

  /** The manifests whose subject is `subject`, as index descriptors. */
  async referrers(repo: RepoName, subject: BlobDigest, artifactType?: string): Promise<Descriptor[]> {
    const out: Descriptor[] = [];
    for (const d of await this.storage.repos.listReferrers(repo, subject)) {
      const mediaType = await this.storage.repos.getRevision(repo, d);
      if (mediaType === undefined) continue;
      const bytes = await this.storage.blobs.read(d, maxManifestSize);
      if (bytes === undefined) continue;
      const m = parseManifest(bytes, mediaType || undefined);
      const desc: Descriptor = { mediaType: m.mediaType, digest: d, size: bytes.length };
      if (m.artifactType !== undefined) desc.artifactType = m.artifactType;
      if (m.annotations !== undefined) desc.annotations = m.annotations;
      if (artifactType === undefined || desc.artifactType === artifactType) out.push(desc);
    }
    return out;
  }
}

function sniffMediaType(bytes: Buffer): string {
  try {
    const doc = JSON.parse(bytes.toString("utf8")) as { mediaType?: unknown; manifests?: unknown };
    if (typeof doc.mediaType === "string") return doc.mediaType;
    return Array.isArray(doc.manifests) ? mediaTypes.ociIndex : mediaTypes.ociManifest;
  } catch {
    return mediaTypes.ociManifest;
  }
}
