/**
 * Docker's texts for registry operations (moby distribution/, registry/ and
 * the docker CLI), and this engine's own where it refuses something.
 * Kept beside the registry client while engine/messages.ts has edits in
 * flight by others; they can move there unchanged.
 */
export const distributionMessages = {
  dockerHubUnreachable: (purpose: "pull" | "push" | "login") =>
    purpose === "pull"
      ? `docker.io is not reachable from this engine: set "registry-mirrors" in daemon.json (or --registry-mirror) to pull docker.io images, or name a registry (localhost:5000/name)`
      : `docker.io is not reachable from this engine: ${purpose} needs a registry named in the reference, e.g. localhost:5000/name`,
  pingFailed: (base: string, why: string) => `Get "${base}/v2/": ${why}`,
  noBasicAuth: (method: string, url: string) =>
    `${method.charAt(0)}${method.slice(1).toLowerCase()} "${url}": no basic auth credentials`,
  schema1: () =>
    "[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed. Suggest the author of the image to upgrade it to the OCI Format or Docker Image manifest v2, schema 2.",
  unknownLayerType: (mediaType: string) => `unsupported media type for a layer: ${mediaType}`,
  verificationFailed: (digest: string) => `filesystem layer verification failed for digest ${digest}`,
  manifestVerification: (digest: string) => `manifest verification failed for digest ${digest}`,
  noMatchingManifest: (platform: string) =>
    `no matching manifest for ${platform} in the manifest list entries`,
  diffIdMismatch: (blob: string, want: string, got: string) =>
    `layer ${blob} unpacked to ${got}, but the image config expects ${want}`,
  noZstd: () =>
    `zstd-compressed layers cannot be unpacked: this Node.js (${process.version}) has no zstd decoder; push the image with gzip layers`,
  platformMismatch: (ref: string, want: string, actual: string) =>
    `image with reference ${ref} was found but does not match the specified platform: wanted ${want}, actual: ${actual}`,
  pullDenied: (name: string, detail: string) =>
    `pull access denied for ${name}, repository does not exist or may require 'docker login': ${detail}`,
  manifestUnknown: (ref: string, detail: string) => `manifest for ${ref} not found: ${detail}`,
  repoUnknown: (name: string, detail: string) => `repository ${name} not found: ${detail}`,
  noLocalTag: (name: string) => `An image does not exist locally with the tag: ${name}`,
  loginFailed: (url: string, status: string) => `login attempt to ${url} failed with status: ${status}`,
  loginSucceeded: () => "Login Succeeded",
  searchLimit: (limit: number) => `limit ${limit} is outside the range of [1, 100]`,
  searchUnsupported: (registry: string, why: string) =>
    `registry ${registry} does not offer the search API (GET /v1/search): ${why}`,
} as const;
