/**
 * Per-repository metadata, as link files under `repositories/<name>/`:
 *   _layers/<alg>/<hex>                          blob visible in this repo
 *   _manifests/revisions/<alg>/<hex>/link        manifest stored in this repo
 *   _manifests/revisions/<alg>/<hex>/mediatype   its media type
 *   _manifests/tags/<tag>/current/link           tag → manifest digest
 *   _referrers/<alg>/<subject hex>/<alg>-<hex>   manifest whose subject is it
 * Every write is atomic; readers never see a half-written link.
 */
import { readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { errnoCode } from "../../engine/errors.js";
import {
  digestAlgorithm,
  digestEncoded,
  isBlobDigest,
  isRepoName,
  isTag,
  type BlobDigest,
  type RepoName,
  type Tag,
} from "../names.js";
import { writeFileAtomic } from "./atomic.js";
import { readdirOrEmpty } from "./blobs.js";

export class RepoStore {
  constructor(
    private readonly root: string,
    private readonly tmpDir: string,
  ) {}

  private repoDir(repo: RepoName): string {
    return join(this.root, ...repo.split("/"));
  }

  private digestPath(d: BlobDigest): string[] {
    return [digestAlgorithm(d), digestEncoded(d)];
  }

  async exists(repo: RepoName): Promise<boolean> {
    return (
      (await isDir(join(this.repoDir(repo), "_manifests"))) || isDir(join(this.repoDir(repo), "_layers"))
    );
  }

  // Blob links.

  private layerPath(repo: RepoName, d: BlobDigest): string {
    return join(this.repoDir(repo), "_layers", ...this.digestPath(d));
  }

  async linkBlob(repo: RepoName, d: BlobDigest): Promise<void> {
    if (await readLink(this.layerPath(repo, d))) return;
    await writeFileAtomic(this.tmpDir, this.layerPath(repo, d), d);
  }

  async hasBlob(repo: RepoName, d: BlobDigest): Promise<boolean> {
    return (await readLink(this.layerPath(repo, d))) === d;
  }

  async unlinkBlob(repo: RepoName, d: BlobDigest): Promise<boolean> {
    if (!(await this.hasBlob(repo, d))) return false;
    await rm(this.layerPath(repo, d), { force: true });
    return true;
  }

  async listBlobLinks(repo: RepoName): Promise<BlobDigest[]> {
    return listDigests(join(this.repoDir(repo), "_layers"));
  }

  // Manifest revisions.

  private revisionDir(repo: RepoName, d: BlobDigest): string {
    return join(this.repoDir(repo), "_manifests", "revisions", ...this.digestPath(d));
  }

  async putRevision(repo: RepoName, d: BlobDigest, mediaType: string): Promise<void> {
    const dir = this.revisionDir(repo, d);
    await writeFileAtomic(this.tmpDir, join(dir, "mediatype"), mediaType);
    await writeFileAtomic(this.tmpDir, join(dir, "link"), d);
  }

  /** The manifest's media type, or undefined when the repo holds no such manifest. */
  async getRevision(repo: RepoName, d: BlobDigest): Promise<string | undefined> {
    const dir = this.revisionDir(repo, d);
    if ((await readLink(join(dir, "link"))) !== d) return undefined;
    return (await readLink(join(dir, "mediatype"))) ?? "";
  }

  async deleteRevision(repo: RepoName, d: BlobDigest): Promise<boolean> {
    const dir = this.revisionDir(repo, d);
    if ((await readLink(join(dir, "link"))) !== d) return false;
    await rm(join(dir, "link"), { force: true });
    await rm(dir, { recursive: true, force: true });
    return true;
  }

  async listRevisions(repo: RepoName): Promise<BlobDigest[]> {
    const base = join(this.repoDir(repo), "_manifests", "revisions");
    const out: BlobDigest[] = [];
    for (const d of await listDigests(base)) {
      if ((await readLink(join(base, ...this.digestPath(d), "link"))) === d) out.push(d);
    }
    return out;
  }

  // Tags.

  private tagLink(repo: RepoName, tag: Tag): string {
    return join(this.repoDir(repo), "_manifests", "tags", tag, "current", "link");
  }

  async setTag(repo: RepoName, tag: Tag, d: BlobDigest): Promise<void> {
    await writeFileAtomic(this.tmpDir, this.tagLink(repo, tag), d);
  }

  async resolveTag(repo: RepoName, tag: Tag): Promise<BlobDigest | undefined> {
    const link = await readLink(this.tagLink(repo, tag));
    return link !== undefined && isBlobDigest(link) ? link : undefined;
  }

  async deleteTag(repo: RepoName, tag: Tag): Promise<boolean> {
    if ((await this.resolveTag(repo, tag)) === undefined) return false;
    await rm(join(this.repoDir(repo), "_manifests", "tags", tag), { recursive: true, force: true });
    return true;
  }

  /** Tags in lexical order (the order pagination relies on). */
  async listTags(repo: RepoName): Promise<Tag[]> {
    const names = await readdirOrEmpty(join(this.repoDir(repo), "_manifests", "tags"));
    const out: Tag[] = [];
    for (const n of names) if (isTag(n) && (await this.resolveTag(repo, n)) !== undefined) out.push(n);
    return out.sort(lexical);
  }

  // Referrers.

  private referrerDir(repo: RepoName, subject: BlobDigest): string {
    return join(this.repoDir(repo), "_referrers", ...this.digestPath(subject));
  }

  async addReferrer(repo: RepoName, subject: BlobDigest, referrer: BlobDigest): Promise<void> {
    const name = referrer.replace(":", "-");
    await writeFileAtomic(this.tmpDir, join(this.referrerDir(repo, subject), name), referrer);
  }

  async removeReferrer(repo: RepoName, subject: BlobDigest, referrer: BlobDigest): Promise<void> {
    await rm(join(this.referrerDir(repo, subject), referrer.replace(":", "-")), { force: true });
  }

  async listReferrers(repo: RepoName, subject: BlobDigest): Promise<BlobDigest[]> {
    const dir = this.referrerDir(repo, subject);
    const out: BlobDigest[] = [];
    for (const n of await readdirOrEmpty(dir)) {
      const d = await readLink(join(dir, n));
      if (d !== undefined && isBlobDigest(d)) out.push(d);
    }
    return out;
  }

  // Repositories.

  /** Every repository name, in lexical order. */
  async listRepos(): Promise<RepoName[]> {
    const out: RepoName[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      for (const entry of await readdirOrEmpty(dir)) {
        if (entry.startsWith("_")) continue;
        const name = prefix ? `${prefix}/${entry}` : entry;
        if (!isRepoName(name)) continue;
        const sub = join(dir, entry);
        if (await this.exists(name)) out.push(name);
        await walk(sub, name);
      }
    };
    await walk(this.root, "");
    return out.sort(lexical);
  }
}

function lexical(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function readLink(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch (err) {
    if (errnoCode(err) === "ENOENT" || errnoCode(err) === "ENOTDIR" || errnoCode(err) === "EISDIR")
      return undefined;
    throw err;
  }
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (err) {
    if (errnoCode(err) === "ENOENT" || errnoCode(err) === "ENOTDIR") return false;
    throw err;
  }
}

/** `<base>/<alg>/<hex>` entries as digests. */
async function listDigests(base: string): Promise<BlobDigest[]> {
  const out: BlobDigest[] = [];
  for (const alg of await readdirOrEmpty(base)) {
    for (const hex of await readdirOrEmpty(join(base, alg))) {
      const d = `${alg}:${hex}`;
      if (isBlobDigest(d)) out.push(d);
    }
  }
  return out;
}
