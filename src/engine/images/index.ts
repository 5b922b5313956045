/**
 * images: references, the image config model, tags, import/load/save.
 *
 * Glossary:
 * - *image ID*: sha256 of the exact config bytes (kept in the content store).
 * - *reference*: what a user types (name[:tag][@digest]); stored normalised
 *   (docker.io/library/busybox:latest), shown familiar (busybox:latest).
 * - *RepoTags* / *RepoDigests*: the tag and digest references of an image.
 * - *dangling*: an image without tags (and without children).
 * - *chain ID*: the layer-store key of an image's top layer (see ids.ts).
 */
export * from "./types.js";
export {
  ImageService,
  parseTagTarget,
  type HistoryItem,
  type ImageEvents,
  type ImageLayers,
  type ImageServiceDeps,
  type ImageSummary,
  type ImageUsers,
  type ListOptions,
} from "./service.js";
export { ImageRemover, type DeleteItem, type PruneOptions, type RemoveOptions } from "./remove.js";
export { openUrlSource } from "./urlSource.js";
export { importImage, type ImportOptions } from "./importer.js";
export { loadImages, type LoadProgress } from "./archive/load.js";
export { saveImages } from "./archive/save.js";
export { imagesSchema } from "./schema.js";
export { applyChanges } from "./changes.js";
export { parseConfig, serializeConfig, hostArchitecture, goTime } from "./config.js";
export { parseDanglingFilter, parseTimeFilter, matchLabelFilters } from "./filters.js";
export {
  familiarName,
  familiarString,
  parseAnyReference,
  parseNormalizedNamed,
  parseRepoTag,
  referenceString,
  withDefaultTag,
  type Reference,
} from "./reference.js";
