/**
 * The read-only layer store: unpacked layers on disk, their graph in SQLite.
 *
 * Crash safety comes from the order of steps: a layer is unpacked into
 * `layers/tmp-*`, renamed to its short cache dir, linked from `l/`, and only
 * then recorded. Deletion runs the other way (row first, files after). So
 * whatever a crash leaves is either a complete recorded layer or files with
 * no row, which `sweep()` removes at start-up.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import {
  chmod,
  lstat,
  mkdir,
  readFile,
  readdir,
  readlink,
  realpath,
  rename,
  rm,
  rmdir,
  symlink,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { sha256Digest, type ChainId } from "../ids.js";
import { log } from "../log.js";
import type { Mounter } from "../host/mount.js";
import type { Db } from "../store/index.js";
import { applyLayerTar, type AppliedLayer } from "./apply.js";
import { LayerGraph, noSuchLayer, toLayer, type LayerRow } from "./graph.js";
import { newLinkId } from "./overlay.js";
import { LayerPaths } from "./paths.js";
import { OverlayRwLayers } from "./rw.js";
import { sealUpperDir } from "./seal.js";
import { assembleTar, decodeTarSplit } from "./tarSplit.js";
import type { Layer, LayerProgress, LayerStore } from "./types.js";

export interface LayerStoreOptions {
  /** Directory owned by the store (e.g. <data-root>/overlay). */
  root: string;
  /** Opened with `layersSchema` among its schemas. */
  db: Db;
  mounter: Mounter;
}

export class OverlayLayerStore implements LayerStore {
  readonly rw: OverlayRwLayers;
  private readonly paths: LayerPaths;
  private readonly graph: LayerGraph;
  /** In-memory references held while a layer is a register's parent or being exported. */
  private readonly pins = new Map<string, number>();
  /** Pinned layers that a release would have deleted: collected again when unpinned. */
  private readonly deferred = new Set<string>();

  private constructor(opts: LayerStoreOptions) {
    this.paths = new LayerPaths(opts.root);
    this.graph = new LayerGraph(opts.db);
    // index=off lets an upper dir be mounted again after a restart; redirects and metacopy would
    // leave a diff (commit) without the data it refers to. Each is named only where the kernel knows it.
    const options = ["index", "redirect_dir", "metacopy"]
      .filter((o) => existsSync(`/sys/module/overlay/parameters/${o}`))
      .map((o) => `${o}=off`);
    this.rw = new OverlayRwLayers({
      paths: this.paths,
      graph: this.graph,
      mounter: opts.mounter,
      mountOptions: options,
      lowerDirs: (top) =>
        top === null ? [this.paths.empty] : this.rows(top).map((r) => this.paths.link(r.cache_id)),
      diffDirs: (top) => (top === null ? [] : this.rows(top).map((r) => this.paths.diff(r.cache_id))),
      collect: (chainId) => this.collect(chainId),
    });
  }

  static async open(opts: LayerStoreOptions): Promise<OverlayLayerStore> {
    await mkdir(opts.root, { recursive: true, mode: 0o710 });
    // mountinfo shows resolved paths: resolve the root once so mount checks compare like with like.
    const s = new OverlayLayerStore({ ...opts, root: await realpath(opts.root) });
    for (const d of [s.paths.layers, s.paths.links, s.paths.rw])
      await mkdir(d, { recursive: true, mode: 0o700 });
    await mkdir(s.paths.empty, { recursive: true });
    await chmod(s.paths.empty, 0o755);
    return s;
  }

  get(chainId: ChainId): Layer | undefined {
    const r = this.graph.row(chainId);
    return r ? toLayer(r) : undefined;
  }

  chain(top: ChainId): Layer[] {
    return this.rows(top).reverse().map(toLayer);
  }

  chainSize(top: ChainId | undefined): number {
    return top === undefined ? 0 : this.rows(top).reduce((n, r) => n + r.size, 0);
  }

  /** Rows from `top` down to the base (overlay's order); not-found if any is missing. */
  private rows(top: string): LayerRow[] {
    const out: LayerRow[] = [];
    for (let c: string | null = top; c !== null;) {
      const r = this.graph.row(c);
      if (!r) throw noSuchLayer(c);
      out.push(r);
      c = r.parent;
    }
    return out;
  }

  async register(
    tar: Readable,
    parent: ChainId | undefined,
    onProgress?: (p: LayerProgress) => void,
  ): Promise<Layer> {
    return this.ingest(parent, async (diff) => {
      try {
        await mkdir(diff);
        await chmod(diff, 0o755);
        return await applyLayerTar(tar, diff, onProgress);
      } catch (err) {
        tar.destroy();
        throw err;
      }
    });
  }

  async registerUpper(rwId: string, opts?: { dropIfEmpty?: readonly string[] }): Promise<Layer> {
    const row = this.graph.rw(rwId);
    if (!row) throw noSuchLayer(rwId);
    const parent = (row.parent ?? undefined) as ChainId | undefined;
    return this.ingest(parent, async (diff) => {
      await this.rw.takeUpper(rwId, diff);
      for (const rel of opts?.dropIfEmpty ?? []) await removeIfEmpty(join(diff, rel));
      return sealUpperDir(diff);
    });
  }

  /** Fills `layers/tmp-<random>/diff` with `fill`, then records the layer (or finds it recorded). */
  private async ingest(
    parent: ChainId | undefined,
    fill: (diff: string) => Promise<AppliedLayer>,
  ): Promise<Layer> {
    if (parent !== undefined && !this.graph.row(parent)) throw noSuchLayer(parent);
    this.pin(parent);
    const tmp = join(this.paths.layers, `tmp-${randomBytes(8).toString("hex")}`);
    try {
      let applied;
      try {
        await mkdir(tmp, { mode: 0o700 });
        applied = await fill(join(tmp, "diff"));
        await writeFile(join(tmp, "tar-split.gz"), applied.tarSplit, { mode: 0o600 });
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        throw err;
      }
      const chainId = parent === undefined ? applied.diffId : sha256Digest(`${parent} ${applied.diffId}`);
      const existing = this.graph.row(chainId);
      if (existing) {
        await rm(tmp, { recursive: true, force: true });
        return toLayer(existing);
      }
      const cacheId = await this.moveIntoPlace(tmp);
      await symlink(this.paths.linkTarget(cacheId), this.paths.link(cacheId));
      const { row, inserted } = this.graph.insert({
        chain_id: chainId,
        diff_id: applied.diffId,
        parent: parent ?? null,
        cache_id: cacheId,
        size: applied.size,
        tar_size: applied.tarSize,
      });
      if (!inserted) await this.removeDirs([cacheId]); // another register of the same chain won
      return toLayer(row);
    } finally {
      await this.unpin(parent);
    }
  }

  private async moveIntoPlace(tmp: string): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const cacheId = newLinkId();
      const dest = this.paths.layerDir(cacheId);
      if (existsSync(dest) || existsSync(this.paths.link(cacheId))) {
        if (attempt < 10) continue;
      }
      await rename(tmp, dest);
      return cacheId;
    }
  }

  tarStream(chainId: ChainId): Readable {
    const row = this.graph.row(chainId);
    if (!row) throw noSuchLayer(chainId);
    this.pin(chainId);
    const gen = async function* (this: OverlayLayerStore): AsyncGenerator<Buffer> {
      try {
        const records = decodeTarSplit(await readFile(this.paths.tarSplit(row.cache_id)));
        yield* assembleTar(records, this.paths.diff(row.cache_id), row.diff_id);
      } finally {
        await this.unpin(chainId);
      }
    };
    return Readable.from(gen.call(this), { objectMode: false });
  }

  retain(chainId: ChainId): void {
    this.graph.retain(chainId);
  }

  async release(chainId: ChainId): Promise<void> {
    this.graph.unref(chainId);
    await this.collect(chainId);
  }

  /** Deletes `chainId` and its ancestors as far as nothing holds them. */
  private async collect(chainId: string): Promise<void> {
    const pinned = (c: string) => {
      const held = (this.pins.get(c) ?? 0) > 0;
      if (held) this.deferred.add(c);
      return held;
    };
    await this.removeDirs(this.graph.collect(chainId, pinned));
  }

  private pin(chainId: string | undefined): void {
    if (chainId !== undefined) this.pins.set(chainId, (this.pins.get(chainId) ?? 0) + 1);
  }

  private async unpin(chainId: string | undefined): Promise<void> {
    if (chainId === undefined) return;
    const n = (this.pins.get(chainId) ?? 1) - 1;
    if (n > 0) {
      this.pins.set(chainId, n);
      return;
    }
    this.pins.delete(chainId);
    if (this.deferred.delete(chainId)) await this.collect(chainId); // released while pinned
  }

  private async removeDirs(cacheIds: readonly string[]): Promise<void> {
    for (const id of cacheIds) {
      await rm(this.paths.link(id), { force: true });
      await rm(this.paths.layerDir(id), { recursive: true, force: true });
    }
  }

  async sweep(): Promise<void> {
    const byCache = new Map(this.graph.rows().map((r) => [r.cache_id, r]));
    for (const name of await readdir(this.paths.layers)) {
      if (name.startsWith("tmp-")) {
        await rm(join(this.paths.layers, name), { recursive: true, force: true });
      } else if (!byCache.has(name)) {
        log.warn("removing a layer directory with no record", { dir: name });
        await rm(join(this.paths.layers, name), { recursive: true, force: true });
      }
    }
    for (const r of byCache.values()) {
      if (!this.graph.row(r.chain_id)) continue; // dropped with an ancestor
      if (!existsSync(this.paths.diff(r.cache_id)) || !existsSync(this.paths.tarSplit(r.cache_id))) {
        log.warn("layer files missing: forgetting the layer and its descendants", { layer: r.chain_id });
        await this.removeDirs(this.graph.dropTree(r.chain_id));
        continue;
      }
      const link = this.paths.link(r.cache_id);
      if ((await readlink(link).catch(() => undefined)) !== this.paths.linkTarget(r.cache_id)) {
        await rm(link, { force: true });
        await symlink(this.paths.linkTarget(r.cache_id), link);
      }
    }
    const live = new Set(this.graph.rows().map((r) => r.cache_id));
    for (const name of await readdir(this.paths.links)) {
      if (!live.has(name)) await rm(join(this.paths.links, name), { force: true });
    }
    await this.rw.sweep();
    // Layers nobody references (e.g. an import that crashed before its image was recorded).
    for (const r of this.graph.rows()) if (r.refcount === 0) await this.collect(r.chain_id);
  }
}

/** Removes an empty regular file or an empty directory at `path`; anything else stays. */
async function removeIfEmpty(path: string): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (st?.isFile() === true && st.size === 0) await rm(path);
  else if (st?.isDirectory() === true) await rmdir(path).catch(() => undefined); // not empty: kept
}
