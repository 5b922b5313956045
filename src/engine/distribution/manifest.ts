/**
 * Manifests as bytes and as values: parse and check a Docker schema 2 / OCI
 * manifest or a list/index, build the schema 2 manifest a push sends, and
 * pick the entry of an index for a platform the way Docker does.
 */
import { invalid, notImplemented } from "../errors.js";
import { isDigest, type Digest } from "../ids.js";
import { distributionMessages } from "./messages.js";
import { mediaTypes, type Descriptor, type Manifest, type Platform } from "./types.js";

const imageTypes = new Set<string>([mediaTypes.dockerManifest, mediaTypes.ociManifest]);
const indexTypes = new Set<string>([mediaTypes.dockerList, mediaTypes.ociIndex]);

/** Parses manifest bytes; `contentType` is the registry's Content-Type (may be absent or generic). */
export function parseManifest(bytes: Buffer, contentType: string | undefined): Manifest {
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw invalid(`invalid manifest: ${(err as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalid("invalid manifest: not an object");
  const m = body as Record<string, unknown>;
  const declared = typeof m.mediaType === "string" ? m.mediaType : undefined;
  const ct = contentType?.split(";")[0]?.trim();
  let type = declared ?? (ct !== undefined && (imageTypes.has(ct) || indexTypes.has(ct)) ? ct : undefined);
  if (type === undefined) type = Array.isArray(m.manifests) ? mediaTypes.ociIndex : mediaTypes.ociManifest;
  if (m.schemaVersion === 1 || type === mediaTypes.schema1 || type === mediaTypes.schema1Signed) {
    throw notImplemented(distributionMessages.schema1());
  }
  if (m.schemaVersion !== 2) throw invalid(`unsupported manifest schema version ${String(m.schemaVersion)}`);
  if (indexTypes.has(type)) {
    if (!Array.isArray(m.manifests)) throw invalid("invalid manifest list: no manifests");
    return {
      kind: "index",
      mediaType: type,
      manifests: m.manifests.map((d, i) => descriptor(d, `manifests[${i}]`)),
    };
  }
  if (!imageTypes.has(type)) throw invalid(`unsupported manifest media type ${type}`);
  if (!Array.isArray(m.layers)) throw invalid("invalid manifest: no layers");
  return {
    kind: "image",
    mediaType: type,
    config: descriptor(m.config, "config"),
    layers: m.layers.map((d, i) => descriptor(d, `layers[${i}]`)),
  };
}

function descriptor(v: unknown, where: string): Descriptor {
  if (typeof v !== "object" || v === null) throw invalid(`invalid manifest: ${where} is not a descriptor`);
  const d = v as Record<string, unknown>;
  if (typeof d.digest !== "string" || !isDigest(d.digest)) {
    throw invalid(`invalid manifest: ${where} has an unsupported digest ${String(d.digest)}`);
  }
  if (typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw invalid(`invalid manifest: ${where} has an invalid size`);
  }
  const out: Descriptor = {
    mediaType: typeof d.mediaType === "string" ? d.mediaType : "",
    digest: d.digest,
    size: d.size,
  };
  if (Array.isArray(d.urls)) out.urls = d.urls.filter((u): u is string => typeof u === "string");
  if (typeof d.platform === "object" && d.platform !== null) {
    const p = d.platform as Record<string, unknown>;
    out.platform = {
      architecture: typeof p.architecture === "string" ? p.architecture : "",
      os: typeof p.os === "string" ? p.os : "",
      ...(typeof p.variant === "string" && p.variant !== "" ? { variant: p.variant } : {}),
      ...(typeof p["os.version"] === "string" ? { "os.version": p["os.version"] } : {}),
    };
  }
  return out;
}

/** How a layer's bytes are packed, from its media type. */
export function layerCompression(mediaType: string): "gzip" | "none" | "zstd" {
  switch (mediaType) {
    case mediaTypes.dockerLayerGzip:
    case mediaTypes.dockerForeignLayer:
    case mediaTypes.ociLayerGzip:
    case mediaTypes.ociLayerNondistributableGzip:
      return "gzip";
    case mediaTypes.ociLayer:
    case "application/vnd.oci.image.layer.nondistributable.v1.tar":
      return "none";
    case mediaTypes.ociLayerZstd:
    case "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd":
      return "zstd";
    default:
      throw invalid(distributionMessages.unknownLayerType(mediaType));
  }
}

/** The schema 2 manifest bytes of a push, indented as dockerd's (3 spaces). */
export function schema2Manifest(
  config: { digest: Digest; size: number },
  layers: { digest: Digest; size: number }[],
): Buffer {
  const m = {
    schemaVersion: 2,
    mediaType: mediaTypes.dockerManifest,
    config: { mediaType: mediaTypes.dockerConfig, size: config.size, digest: config.digest },
    layers: layers.map((l) => ({ mediaType: mediaTypes.dockerLayerGzip, size: l.size, digest: l.digest })),
  };
  return Buffer.from(JSON.stringify(m, null, 3));
}

/** "linux/arm64/v8" → a normalised platform (containerd's Parse + Normalize). */
export function parsePlatform(s: string): Platform {
  const parts = s.toLowerCase().split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === "")) {
    throw invalid(`"${s}": unknown operating system or architecture: invalid argument`);
  }
  const [os, arch, variant] = parts as [string, string, string | undefined];
  if (!["linux", "windows", "darwin", "freebsd"].includes(os)) {
    throw invalid(`"${s}": unknown operating system or architecture: invalid argument`);
  }
  return normalizePlatform({ os, architecture: arch, ...(variant !== undefined ? { variant } : {}) });
}

export function normalizePlatform(p: Platform): Platform {
  let arch = p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase() ?? "";
  switch (arch) {
    case "i386":
      arch = "386";
      variant = "";
      break;
    case "x86_64":
    case "x86-64":
    case "amd64":
      arch = "amd64";
      if (variant === "v1") variant = "";
      break;
    case "aarch64":
    case "arm64":
      arch = "arm64";
      if (variant === "8" || variant === "v8" || variant === "v8.0") variant = "";
      break;
    case "armhf":
      arch = "arm";
      variant = "v7";
      break;
    case "armel":
      arch = "arm";
      variant = "v6";
      break;
    case "arm":
      if (variant === "") variant = "v7";
      else if (/^[5-8]$/.test(variant)) variant = `v${variant}`;
      break;
    default:
      break;
  }
  return { os: p.os.toLowerCase(), architecture: arch, ...(variant !== "" ? { variant } : {}) };
}

export function platformString(p: Platform): string {
  return [p.os, p.architecture, ...(p.variant ? [p.variant] : [])].join("/");
}

/**
 * The entry of an index for `want`, as Docker's matcher orders them: same OS
 * and architecture; the same variant first, then (arm) older variants the
 * CPU also runs, first listed wins among equals.
 */
export function selectPlatform(manifests: readonly Descriptor[], want: Platform): Descriptor | undefined {
  const w = normalizePlatform(want);
  let best: { d: Descriptor; rank: number } | undefined;
  for (const d of manifests) {
    if (d.platform === undefined) continue;
    const c = normalizePlatform(d.platform);
    if (c.os !== w.os || c.architecture !== w.architecture) continue;
    const rank = variantRank(w, c.variant ?? "");
    if (rank < 0) continue;
    if (best === undefined || rank < best.rank) best = { d, rank };
  }
  return best?.d;
}

/** 0 = exact; larger = a fallback; -1 = no match. */
function variantRank(want: Platform, candidate: string): number {
  const w = want.variant ?? "";
  if (candidate === w) return 0;
  if (want.architecture === "arm") {
    const order = ["v8", "v7", "v6", "v5"];
    const wi = order.indexOf(w);
    const ci = order.indexOf(candidate);
    if (wi >= 0 && ci > wi) return ci - wi;
  }
  // amd64: a plain host runs only v1 images (a listed "v1" was normalised to "").
  return -1;
}
