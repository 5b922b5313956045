/**
 * Containers' read-write layers: an upper and a work dir per container,
 * mounted as overlay over the short links of its image's layers.
 */
import { chmod, mkdir, readdir, rename, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { conflict, invalid, notFound } from "../errors.js";
import type { ChainId } from "../ids.js";
import type { Mounter } from "../host/mount.js";
import { log } from "../log.js";
import { overlayChanges } from "./changes.js";
import { diffTarStream, treeSize } from "./diffTar.js";
import type { LayerGraph } from "./graph.js";
import { overlayMountData } from "./overlay.js";
import type { LayerPaths } from "./paths.js";
import type { Change, RwLayers } from "./types.js";

export interface RwDeps {
  paths: LayerPaths;
  graph: LayerGraph;
  mounter: Mounter;
  mountOptions: readonly string[];
  /** Lower dirs for a parent, top-most first (short links, or the empty dir for scratch). */
  lowerDirs(top: string | null): string[];
  /** The real diff dirs of a parent's chain, top-most first. */
  diffDirs(top: string | null): string[];
  /** Deletes a layer (and ancestors) if nothing holds it any more. */
  collect(chainId: string): Promise<void>;
}

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export class OverlayRwLayers implements RwLayers {
  /** Serialises mount/unmount/remove per container. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly d: RwDeps) {}

  private row(id: string) {
    const r = this.d.graph.rw(id);
    if (!r) throw notFound(`no read-write layer for ${id}`);
    return r;
  }

  private async locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(id, tail);
    try {
      return await next;
    } finally {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    }
  }

  async create(id: string, parent: ChainId | undefined): Promise<void> {
    if (!idPattern.test(id)) throw invalid(`invalid read-write layer id: ${id}`);
    if (this.d.graph.rw(id)) throw conflict(`read-write layer ${id} already exists`);
    const p = this.d.paths;
    try {
      await mkdir(p.rwDir(id), { mode: 0o710 });
      await Promise.all([
        mkdir(p.upper(id)).then(() => chmod(p.upper(id), 0o755)),
        mkdir(p.work(id), { mode: 0o700 }),
        mkdir(p.merged(id), { mode: 0o700 }),
      ]);
      this.d.graph.insertRw(id, parent); // retains the parent in the same transaction
    } catch (err) {
      await rm(p.rwDir(id), { recursive: true, force: true });
      throw err;
    }
  }

  mergedPath(id: string): string {
    return this.d.paths.merged(id);
  }

  async mount(id: string): Promise<string> {
    return this.locked(id, async () => {
      const row = this.row(id);
      const p = this.d.paths;
      const merged = p.merged(id);
      if (await this.d.mounter.isMountPoint(merged)) return merged;
      const data = overlayMountData({
        lowerDirs: this.d.lowerDirs(row.parent),
        upperDir: p.upper(id),
        workDir: p.work(id),
        options: this.d.mountOptions,
      });
      await this.d.mounter.mount({ source: "overlay", target: merged, fstype: "overlay", data });
      return merged;
    });
  }

  async unmount(id: string): Promise<void> {
    await this.locked(id, () => this.unmountNow(id));
  }

  private async unmountNow(id: string): Promise<void> {
    const merged = this.d.paths.merged(id);
    // Loop: a mount may have been stacked by a racing caller outside this process's lock.
    for (let i = 0; i < 8 && (await this.d.mounter.isMountPoint(merged)); i++) {
      await this.d.mounter.unmount(merged);
    }
  }

  async remove(id: string): Promise<void> {
    await this.locked(id, async () => {
      await this.unmountNow(id);
      await rm(this.d.paths.rwDir(id), { recursive: true, force: true });
      const row = this.d.graph.deleteRw(id);
      if (row?.parent) await this.d.collect(row.parent);
    });
  }

  async release(id: string): Promise<{ files: Promise<void> }> {
    const record = this.locked(id, async () => {
      const row = this.d.graph.deleteRw(id);
      // The overlay over the parent is no longer used (its container is gone), only not yet detached.
      if (row?.parent) await this.d.collect(row.parent);
    });
    // Queued now, so a later call for the id waits for the files too.
    const files = this.locked(id, async () => {
      await this.unmountNow(id);
      await rm(this.d.paths.rwDir(id), { recursive: true, force: true });
    });
    try {
      await record;
    } catch (err) {
      files.catch(() => undefined);
      throw err;
    }
    return { files };
  }

  /** Moves the upper dir to `dest` (same filesystem) and leaves an empty one; unmounts first. */
  async takeUpper(id: string, dest: string): Promise<void> {
    await this.locked(id, async () => {
      this.row(id);
      await this.unmountNow(id);
      const upper = this.d.paths.upper(id);
      await rename(upper, dest);
      await mkdir(upper);
      await chmod(upper, 0o755);
    });
  }

  async changes(id: string): Promise<Change[]> {
    const row = this.row(id);
    return overlayChanges(this.d.paths.upper(id), this.d.diffDirs(row.parent));
  }

  diffTar(id: string): Readable {
    this.row(id);
    return Readable.from(diffTarStream(this.d.paths.upper(id)), { objectMode: false });
  }

  async size(id: string): Promise<number> {
    this.row(id);
    return treeSize(this.d.paths.upper(id));
  }

  /** Start-up: dirs without a record are unmounted and removed; records without dirs are dropped. */
  async sweep(): Promise<void> {
    const p = this.d.paths;
    const rows = new Map(this.d.graph.rwRows().map((r) => [r.id, r]));
    for (const name of await readdir(p.rw)) {
      if (rows.has(name)) continue;
      log.warn("removing a read-write layer with no record", { id: name });
      await this.unmountNow(name);
      await rm(p.rwDir(name), { recursive: true, force: true });
    }
    for (const r of rows.values()) {
      try {
        await readdir(p.upper(r.id));
      } catch {
        log.warn("read-write layer files missing: forgetting it", { id: r.id });
        const gone = this.d.graph.deleteRw(r.id);
        if (gone?.parent) await this.d.collect(gone.parent);
      }
    }
  }
}
