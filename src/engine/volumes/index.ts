/**
 * volumes: named and anonymous volumes with the `local` driver.
 *
 * Glossary:
 * - *volume*: a directory `<data-root>/volumes/<name>/_data` with a row in
 *   SQLite (name, driver, labels, options, created time, anonymous flag).
 * - *anonymous volume*: created without a name; it gets 64 random hex
 *   characters and the label `com.docker.volume.anonymous`; `prune` without
 *   `all` removes only these (API >= 1.42).
 * - *options*: the local driver's `type`, `device`, `o` (tmpfs, bind, a block
 *   device); such a volume has a *device* mounted on `_data` while in use.
 * - *holder*: a container that acquired a volume with a device; the device is
 *   unmounted when the last holder releases it.
 * - *in use*: a container (created or running, as the containers module
 *   answers through `VolumeUsers`) or a holder refers to the volume; in-use
 *   volumes are neither removed nor pruned, and are not dangling.
 * - *copy-up*: an empty volume mounted over an image path first receives
 *   that path's content.
 */
export { VolumeService, type VolumeEvents, type VolumeServiceDeps } from "./service.js";
export { volumesSchema } from "./schema.js";
export { anonymousLabel, validateVolumeName } from "./names.js";
export { parseAllValues, parseDanglingValues } from "./filters.js";
export type {
  CreateOptions,
  ListOptions,
  MountEventInfo,
  PruneOptions,
  PruneReport,
  Volume,
  VolumeUsage,
  VolumeUsers,
} from "./types.js";
export type { VolumeOptions } from "./options.js";
export type { CopySys } from "./copyUp.js";
