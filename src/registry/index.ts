/**
 * berth's OCI distribution (v1.1) registry: `berth registry serve`.
 *
 * Glossary:
 *   repository  a name such as "library/alpine" (the distribution grammar)
 *   blob        content-addressed bytes (layer, config, or a manifest's bytes)
 *   blob link   a blob made visible in one repository (upload or mount)
 *   revision    a manifest stored in a repository, by digest
 *   tag         a name in a repository pointing at one revision
 *   referrer    a manifest whose `subject` names another manifest
 *   upload      a resumable session that becomes a blob when completed
 *
 * Layers: storage/ (filesystem), registry.ts (operations), http/ (the wire
 * protocol), auth/ (basic and bearer), gc.ts (garbage collection).
 */
export {
  startRegistry,
  parseAddr,
  defaultAddr,
  type RegistryOptions,
  type RunningRegistry,
  type AuthOptions,
} from "./server.js";
export { garbageCollect, defaultGraceMs, type GcOptions, type GcResult } from "./gc.js";
export { openStorage, type Storage } from "./storage/index.js";
export { Registry } from "./registry.js";
export { RegistryError, type RegistryErrorCode } from "./errors.js";
export { mediaTypes, maxManifestSize } from "./manifests.js";
