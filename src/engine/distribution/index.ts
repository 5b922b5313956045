/**
 * distribution: the registry client (pull, push, login, search, inspect).
 *
 * Glossary:
 * - *registry* / *domain*: the host[:port] part of a reference
 *   ("localhost:5000"); docker.io names go to the configured mirrors.
 * - *endpoint*: a base URL serving a registry (https://…, or http://… for
 *   an insecure registry).
 * - *repository* / *path*: "library/busybox"; a *scope* grants pull or push
 *   on one ("repository:library/busybox:pull,push").
 * - *manifest digest*: sha256 of the manifest bytes, recorded as the image's
 *   RepoDigest; for an index it is the index's digest.
 * - *blob digest*: sha256 of the compressed layer as stored in the registry,
 *   unlike the *diffID* (sha256 of the uncompressed tar, in the image config).
 * - *mount*: asking a registry to link a blob from another repository
 *   instead of uploading it again.
 */
export * from "./types.js";
export {
  DistributionService,
  pullRef,
  hostPlatform,
  type DistributionDeps,
  type DistributionInspect,
  type PullOptions,
} from "./service.js";
export { distributionSchema, BlobCache, type BlobLocation } from "./blobCache.js";
export {
  endpointsFor,
  isInsecure,
  validateRegistryConfig,
  type Endpoint,
  type RegistryConfig,
} from "./endpoints.js";
export { registryDomain, type SearchResult } from "./account.js";
export { parsePlatform, platformString, selectPlatform, normalizePlatform } from "./manifest.js";
export { hasZstd } from "./pull.js";
