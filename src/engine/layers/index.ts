/**
 * layers: read-only image layers and containers' read-write layers, on overlay.
 *
 * Glossary:
 * - *diffID*: sha256 of a layer's uncompressed tar. *chainID*: identity of a
 *   layer together with everything under it (ids.ts chainIdOf); the store is
 *   keyed by chainID, so one tar applied on two parents is two layers.
 * - *cache ID*: the short random name of a layer's directory
 *   (`layers/<cacheId>/diff`); also its *link* `l/<cacheId>`, which keeps
 *   overlay's lowerdir option under one page.
 * - *tar-split*: the bytes of a layer tar that are not file contents, kept so
 *   that `tarStream` rebuilds the tar byte for byte (its sha256 is the diffID).
 * - *whiteout*: a deleted path; `.wh.NAME` in a tar, a 0/0 character device in
 *   overlay. *opaque dir*: a dir hiding everything below it; `.wh..wh..opq` in a
 *   tar, `trusted.overlay.opaque=y` in overlay.
 * - *refcount*: references held by images and containers (`retain`/`release`);
 *   a layer with none and no child layer is deleted.
 * - *upper/work/merged*: a container's writable dir, overlay's scratch dir, and
 *   the mount point of the container's root filesystem.
 */
import { NativeMounter, type Mounter } from "../host/mount.js";
import type { Db } from "../store/index.js";
import { OverlayLayerStore } from "./store.js";
import type { LayerStore } from "./types.js";

export { layersSchema } from "./graph.js";
export { overlayMountData, MOUNT_DATA_LIMIT, type OverlayPlan } from "./overlay.js";
export { cleanTarPath } from "./confine.js";
export type * from "./types.js";

export interface OpenLayerStoreOptions {
  /** A directory owned by the layer store, e.g. `<data-root>/overlay`. */
  root: string;
  /** The metadata database, opened with `layersSchema`. */
  db: Db;
  /** Defaults to the native mount(2) one. */
  mounter?: Mounter;
}

/** Opens the store; call `sweep()` once at daemon start-up, before serving. */
export async function openLayerStore(opts: OpenLayerStoreOptions): Promise<LayerStore> {
  return OverlayLayerStore.open({
    root: opts.root,
    db: opts.db,
    mounter: opts.mounter ?? new NativeMounter(),
  });
}
