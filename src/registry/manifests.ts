/**
 * Reading manifests: which media types the registry accepts, and what a
 * manifest refers to (blobs, child manifests, its subject). Pure: bytes in,
 * facts out.
 */
import { regError } from "./errors.js";
import { isBlobDigest, type BlobDigest } from "./names.js";

export const mediaTypes = {
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
} as const;

/** Manifests bigger than this are refused (the spec's suggested limit). */
export const maxManifestSize = 4 * 1024 * 1024;

export interface Descriptor {
  mediaType: string;
  digest: BlobDigest;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface ParsedManifest {
  mediaType: string;
  /** Blobs it needs in the same repository (config and layers). */
  blobs: Descriptor[];
  /** Manifests it needs in the same repository (an index's entries). */
  manifests: Descriptor[];
  subject?: Descriptor;
  /** For the referrers API: artifactType, else the config's media type. */
  artifactType?: string;
  annotations?: Record<string, string>;
}

const isIndex = (t: string) => t === mediaTypes.dockerList || t === mediaTypes.ociIndex;

/**
 * Parses and checks a manifest. `contentType` is the request's Content-Type;
 * when the manifest names its own mediaType the two must agree.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw regError("MANIFEST_INVALID", "manifest is not valid JSON");
  }
  if (!isObject(doc)) throw regError("MANIFEST_INVALID", "manifest is not a JSON object");
  const ct = contentType?.split(";")[0]?.trim();
  const declared = typeof doc.mediaType === "string" ? doc.mediaType : undefined;
  if (declared !== undefined && ct !== undefined && ct !== "" && declared !== ct) {
    throw regError("MANIFEST_INVALID", `mediaType ${declared} does not match Content-Type ${ct}`);
  }
  const mediaType = declared ?? (ct || guessMediaType(doc));
  if (!Object.values<string>(mediaTypes).includes(mediaType)) {
    throw regError("MANIFEST_INVALID", `unsupported manifest media type: ${mediaType}`);
  }
  if (doc.schemaVersion !== 2) throw regError("MANIFEST_INVALID", "schemaVersion must be 2");
  const out: ParsedManifest = { mediaType, blobs: [], manifests: [] };
  if (isIndex(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw regError("MANIFEST_INVALID", "manifests must be an array");
    out.manifests = doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`));
  } else {
    const config = descriptor(doc.config, "config");
    if (!Array.isArray(doc.layers)) throw regError("MANIFEST_INVALID", "layers must be an array");
    out.blobs = [config, ...doc.layers.map((l, i) => descriptor(l, `layers[${i}]`))];
    out.artifactType = config.mediaType;
  }
  if (doc.subject !== undefined) out.subject = descriptor(doc.subject, "subject");
  if (typeof doc.artifactType === "string") out.artifactType = doc.artifactType;
  if (doc.annotations !== undefined) out.annotations = stringMap(doc.annotations, "annotations");
  return out;
}

/** A manifest without mediaType or Content-Type: OCI, told apart by its shape. */
function guessMediaType(doc: Record<string, unknown>): string {
  return Array.isArray(doc.manifests) ? mediaTypes.ociIndex : mediaTypes.ociManifest;
}

function descriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw regError("MANIFEST_INVALID", `${where} must be a descriptor`);
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== "string" || mediaType === "")
    throw regError("MANIFEST_INVALID", `${where}.mediaType missing`);
  if (typeof digest !== "string" || !isBlobDigest(digest))
    throw regError("MANIFEST_INVALID", `${where}.digest invalid`);
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0)
    throw regError("MANIFEST_INVALID", `${where}.size invalid`);
  const d: Descriptor = { mediaType, digest, size };
  if (typeof v.artifactType === "string") d.artifactType = v.artifactType;
  if (v.annotations !== undefined) d.annotations = stringMap(v.annotations, `${where}.annotations`);
  if (Array.isArray(v.urls)) d.urls = v.urls.filter((u): u is string => typeof u === "string");
  return d;
}

function stringMap(v: unknown, where: string): Record<string, string> {
  if (!isObject(v) || !Object.values(v).every((x) => typeof x === "string")) {
    throw regError("MANIFEST_INVALID", `${where} must map strings to strings`);
  }
  return v as Record<string, string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
