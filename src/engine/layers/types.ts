/**
 * The layer store's roles. Implemented in this folder; images/ and
 * containers/ depend only on these interfaces.
 *
 * Glossary:
 * - *diffID*: sha256 of a layer's uncompressed tar; *chainID*: identity of
 *   the stack of layers ending with it (see ids.ts chainIdOf).
 * - A *read-only layer* is an unpacked layer tar, an overlay lower dir, shared
 *   by every image whose chain contains it, kept while referenced.
 * - A *read-write layer* belongs to one container: upper + work dirs over
 *   the lower dirs of its image's chain, mounted on `merged`.
 */
import type { Readable } from "node:stream";
import type { ChainId, DiffId } from "../ids.js";

export interface Layer {
  chainId: ChainId;
  diffId: DiffId;
  parent: ChainId | undefined;
  /** Bytes of this layer's own unpacked files (Docker's per-layer Size). */
  size: number;
  /** Bytes of its uncompressed tar. */
  tarSize: number;
}

export interface LayerProgress {
  /** Bytes of (possibly compressed) input consumed so far. */
  bytesRead: number;
}

/** Reads the graph of read-only layers. */
export interface LayerReader {
  get(chainId: ChainId): Layer | undefined;
  /** Base-first list of the layers of a chain; throws not-found if any is missing. */
  chain(top: ChainId): Layer[];
  /** Sum of the sizes of the chain's layers. */
  chainSize(top: ChainId | undefined): number;
}

/** Adds read-only layers. */
export interface LayerIngester {
  /**
   * Unpacks one layer tar (plain or gzip, detected) on top of `parent`. If the
   * resulting chainID already exists the existing layer is returned and the
   * new files are dropped. Entries that would escape the layer are refused
   * with an `invalid` error and nothing is kept.
   *
   * Does not retain: the caller retains the top layer when it records the
   * image (retain is synchronous, so it can share the image's DB
   * transaction). Until then the new layers are unreferenced, and sweep()
   * at start-up deletes unreferenced layers that have no children.
   */
  register(
    tar: Readable,
    parent: ChainId | undefined,
    onProgress?: (p: LayerProgress) => void,
  ): Promise<Layer>;
}

/** Reproduces a layer's tar byte for byte (its sha256 is the diffID). */
export interface LayerExporter {
  tarStream(chainId: ChainId): Readable;
}

/** Keeps layers alive: each retain needs a release; unreferenced layers with no children are deleted. */
export interface LayerRefs {
  retain(chainId: ChainId): void;
  release(chainId: ChainId): Promise<void>;
}

export type ChangeKind = 0 | 1 | 2; // Docker's Kind: 0 modified, 1 added, 2 deleted

export interface Change {
  path: string;
  kind: ChangeKind;
}

/** A container's read-write layer. */
export interface RwLayers {
  /** Creates upper/work dirs over `parent` (undefined: scratch) and retains the parent. */
  create(id: string, parent: ChainId | undefined): Promise<void>;
  /** Mounts the overlay (idempotent) and returns the merged directory. */
  mount(id: string): Promise<string>;
  unmount(id: string): Promise<void>;
  /** Unmounts, deletes the dirs, releases the parent. Idempotent. */
  remove(id: string): Promise<void>;
  /**
   * remove() in two steps: the record goes and the parent is released
   * before this resolves; the mount and the dirs go after, and `files`
   * settles when they are gone. Dirs a crash leaves in between have no
   * record, which sweep() removes. Idempotent.
   */
  release(id: string): Promise<{ files: Promise<void> }>;
  /** The container's changes against its image, as Docker's `diff` lists them. */
  changes(id: string): Promise<Change[]>;
  /** The upper dir as a layer tar (overlay whiteouts turned back into .wh. files), for commit. */
  diffTar(id: string): Readable;
  /** Bytes in the upper dir (Docker's SizeRw). */
  size(id: string): Promise<number>;
  /** Where the merged filesystem is (mounted or not). */
  mergedPath(id: string): string;
}

export interface LayerStore extends LayerReader, LayerIngester, LayerExporter, LayerRefs {
  rw: RwLayers;
  /**
   * Makes a read-write layer's changes a layer on its parent by moving its upper dir into the
   * store (no byte copied); the read-write layer is left unmounted and empty. For build steps,
   * whose container goes right after. Same result as `register(rw.diffTar(id), parent)`.
   * `dropIfEmpty`: paths (relative to the root, children before parents) left out of the layer
   * when they are an empty file or directory (the runtime's mount points).
   */
  registerUpper(rwId: string, opts?: { dropIfEmpty?: readonly string[] }): Promise<Layer>;
  /** Start-up recovery: drops half-unpacked layers and dirs without a record. */
  sweep(): Promise<void>;
}
