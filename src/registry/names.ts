/**
 * What a client may put in a URL: repository names (the distribution
 * grammar, which also rules out "..", absolute paths and empty components),
 * tags, digests and upload IDs. Each parse function is the only way such a
 * string reaches storage paths.
 */
import { regError } from "./errors.js";

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** "library/alpine": validated, so it is safe as a relative path. */
export type RepoName = Brand<string, "RepoName">;
/** "sha256:<64 hex>" or "sha512:<128 hex>". */
export type BlobDigest = Brand<string, "BlobDigest">;
export type Tag = Brand<string, "Tag">;
/** A random upload session ID (UUID v4 form). */
export type UploadId = Brand<string, "UploadId">;

const component = "[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*";
const namePattern = new RegExp(`^${component}(?:/${component})*$`);
const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const digestPatterns: Record<string, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};
const uploadIdPattern = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;

export const maxNameLength = 255;

export function isRepoName(s: string): s is RepoName {
  return s.length <= maxNameLength && namePattern.test(s);
}

export function parseRepoName(s: string): RepoName {
  if (!isRepoName(s)) throw regError("NAME_INVALID", { name: s.slice(0, 300) });
  return s;
}

export function isTag(s: string): s is Tag {
  return tagPattern.test(s);
}

export function isBlobDigest(s: string): s is BlobDigest {
  const colon = s.indexOf(":");
  if (colon < 0) return false;
  const re = digestPatterns[s.slice(0, colon)];
  return re !== undefined && re.test(s.slice(colon + 1));
}

export function parseBlobDigest(s: string): BlobDigest {
  if (!isBlobDigest(s)) throw regError("DIGEST_INVALID", { digest: s.slice(0, 200) });
  return s;
}

export function digestAlgorithm(d: BlobDigest): "sha256" | "sha512" {
  return d.startsWith("sha512:") ? "sha512" : "sha256";
}

export function digestEncoded(d: BlobDigest): string {
  return d.slice(d.indexOf(":") + 1);
}

export function parseUploadId(s: string): UploadId {
  if (!uploadIdPattern.test(s)) throw regError("BLOB_UPLOAD_UNKNOWN", { uuid: s.slice(0, 100) });
  return s as UploadId;
}

/** A manifest reference in a URL: a digest or a tag. */
export type ManifestRef = { kind: "digest"; digest: BlobDigest } | { kind: "tag"; tag: Tag };

export function parseManifestRef(s: string): ManifestRef {
  if (s.includes(":")) return { kind: "digest", digest: parseBlobDigest(s) };
  if (!isTag(s)) throw regError("TAG_INVALID", { tag: s.slice(0, 200) });
  return { kind: "tag", tag: s };
}
