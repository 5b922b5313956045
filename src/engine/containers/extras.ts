/**
 * The container extras (cp, top, diff, export, commit, stats, update) behind
 * one object, which satisfies the archive and extras routers' backends.
 * Each job lives in its own module; this file only wires them.
 */
import type { Readable } from "node:stream";
import type { ImageId } from "../ids.js";
import type { Change, LayerIngester, LayerRefs, RwLayers } from "../layers/types.js";
import { ContainerArchive, type ExtractToDirOptions, type PathStat } from "./archive.js";
import { ContainerCommitter, type CommitDeps, type CommitOptions } from "./commit.js";
import { ContainerFilesystem } from "./export.js";
import type { ContainerAccess } from "./extrasDeps.js";
import type { CgroupStats, RuntimeState } from "./runtime/types.js";
import { ContainerStats, type StatsFrame, type StatsOptions } from "./stats.js";
import { ContainerTop, type TopResult } from "./top.js";
import { ContainerUpdater, type RuntimeResources, type UpdateSpec } from "./update.js";

export type { ExtractToDirOptions, PathStat } from "./archive.js";
export type { CommitOptions } from "./commit.js";
export type { ContainerAccess } from "./extrasDeps.js";
export type { StatsFrame, StatsOptions, StatsSample, NetDevStats } from "./stats.js";
export type { TopResult } from "./top.js";
export type { UpdateSpec, RuntimeResources } from "./update.js";
export { EMPTY_LAYER_DIFF_ID } from "./commit.js";

export interface ContainerExtrasDeps {
  containers: ContainerAccess & { pause(ref: string): Promise<void>; unpause(ref: string): Promise<void> };
  layers: Pick<RwLayers, "mount" | "unmount" | "changes" | "diffTar">;
  layerStore: LayerIngester & LayerRefs;
  images: CommitDeps["images"];
  events: CommitDeps["events"];
  runtime: {
    state(id: string): Promise<RuntimeState | undefined>;
    stats(id: string): Promise<CgroupStats>;
  };
  /** `runc update` for a live container. */
  updateResources(id: string, r: RuntimeResources): Promise<void>;
  /** Runs the host's ps; rejects with the first line of its stderr. */
  ps(args: string[]): Promise<string>;
}

export class ContainerExtras {
  private readonly archive: ContainerArchive;
  private readonly fs: ContainerFilesystem;
  private readonly topper: ContainerTop;
  private readonly committer: ContainerCommitter;
  private readonly sampler: ContainerStats;
  private readonly updater: ContainerUpdater;

  constructor(d: ContainerExtrasDeps) {
    this.archive = new ContainerArchive(d.containers, d.layers);
    this.fs = new ContainerFilesystem(d.containers, d.layers);
    this.topper = new ContainerTop({
      containers: d.containers,
      runtime: d.runtime,
      ps: (args) => d.ps(args),
    });
    this.committer = new ContainerCommitter({
      containers: d.containers,
      layers: d.layers,
      layerStore: d.layerStore,
      images: d.images,
      events: d.events,
    });
    this.sampler = new ContainerStats({ containers: d.containers, runtime: d.runtime });
    this.updater = new ContainerUpdater({
      containers: d.containers,
      updateResources: (id, r) => d.updateResources(id, r),
    });
  }

  statPath(ref: string, path: string): Promise<PathStat> {
    return this.archive.statPath(ref, path);
  }

  archivePath(ref: string, path: string): Promise<{ stat: PathStat; tar: Readable }> {
    return this.archive.archivePath(ref, path);
  }

  extractToDir(
    ref: string,
    path: string,
    tar: AsyncIterable<Uint8Array>,
    opts: ExtractToDirOptions,
  ): Promise<void> {
    return this.archive.extractToDir(ref, path, tar, opts);
  }

  top(ref: string, psArgs: string): Promise<TopResult> {
    return this.topper.top(ref, psArgs);
  }

  changes(ref: string): Promise<Change[]> {
    return this.fs.changes(ref);
  }

  export(ref: string): Promise<Readable> {
    return this.fs.export(ref);
  }

  commit(ref: string, opts: CommitOptions): Promise<ImageId> {
    return this.committer.commit(ref, opts);
  }

  stats(ref: string, opts: StatsOptions): AsyncIterable<StatsFrame> {
    return this.sampler.stats(ref, opts);
  }

  update(ref: string, u: UpdateSpec): Promise<string[]> {
    return this.updater.update(ref, u);
  }
}
