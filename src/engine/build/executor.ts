/**
 * How one step becomes an image: probe the cache, else do the work in a container (created for
 * every step as dockerd's classic builder does, started only for RUN), take the container's
 * filesystem diff as a layer, write the image, remember it in the cache.
 */
import { EngineError, invalid } from "../errors.js";
import { newHexId, type ImageId } from "../ids.js";
import { buildMessages } from "../messages.js";
import type { ContainerSpec, HostSpec, MountSpec } from "../containers/index.js";
import type { Layer } from "../layers/index.js";
import { serializeConfig, type ContainerConfig } from "../images/index.js";
import { cacheKey, type BuildCacheStore } from "./cache.js";
import type { BuildDeps } from "./deps.js";
import type { BuildEmit } from "./events.js";
import { stepImageConfig } from "./imageConfig.js";
import type { BuildOptions } from "./options.js";
import type { StageState } from "./stage.js";
import { filterDiff } from "./diffFilter.js";

/** A RUN that exited non-zero: its code becomes errorDetail.code and the CLI's exit status. */
export class RunFailedError extends EngineError {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super("invalid", message);
    this.name = "RunFailedError";
  }
}

export interface StepSpec {
  /** The step container's command, also its history `created_by` and part of its cache key. */
  cmd: string[];
  /** The config after the step. */
  config: ContainerConfig;
  /** Print ` ---> Running in` / `Removing intermediate container` (metadata and RUN steps). */
  announce: boolean;
  /** Files to change in the mounted rootfs (COPY, ADD, WORKDIR). */
  work?: (rootfs: string) => Promise<void>;
  /** Run the container (RUN): its process command, build-arg env, network. */
  run?: {
    argv: string[];
    env: string[];
    network: string;
    privileged: boolean;
    /** `--mount`s and heredoc scripts bound into the step container. */
    mounts?: MountSpec[];
  };
  /** What else decides the result besides `cmd` (mount definitions, bound content hashes). */
  cacheExtra?: string;
}

/** The client went away: the build stops, its running step container is killed and removed. */
export class BuildCancelledError extends EngineError {
  constructor() {
    super("invalid", buildMessages.cancelled);
    this.name = "BuildCancelledError";
  }
}

export class Executor {
  constructor(
    readonly deps: BuildDeps,
    readonly opts: BuildOptions,
    readonly cache: BuildCacheStore,
    /** Images --cache-from allows (undefined: the whole local cache). */
    private readonly cacheSources: Set<string> | undefined,
    /** Aborted when the client goes away (dockerd cancels the build with the request). */
    readonly signal?: AbortSignal,
  ) {}

  /** Throws if the build was cancelled: checked before every step. */
  checkCancelled(): void {
    if (this.signal?.aborted === true) throw new BuildCancelledError();
  }

  /** Runs one step on `st` and moves `st` to the resulting image (the caller prints its ID). */
  async step(st: StageState, spec: StepSpec, emit: BuildEmit): Promise<void> {
    this.checkCancelled();
    const key = cacheKey({
      parent: st.imageId,
      cmd: spec.cmd,
      config: st.config,
      platform: "linux/amd64",
      ...(spec.cacheExtra !== undefined ? { extra: spec.cacheExtra } : {}),
    });
    if (!this.opts.noCache) {
      const hit = this.probe(key);
      if (hit !== undefined) {
        emit({ type: "cache-hit" });
        this.moveTo(st, hit);
        return;
      }
    }
    const { containerId, layer } = await this.inContainer(st, spec, emit);
    let created: ImageId;
    try {
      const cfg = stepImageConfig({
        parent: st.imageId,
        config: spec.config,
        containerCmd: spec.cmd,
        containerId,
        diffIds: st.diffIds,
        history: st.history,
        newDiffId: layer?.diffId,
        author: st.maintainer,
        createdNano: BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n),
        engineVersion: this.deps.engineVersion,
      });
      const { bytes } = serializeConfig(cfg);
      const parent = st.imageId === "" ? undefined : (st.imageId as ImageId);
      created = (await this.deps.images.create({ configBytes: bytes, ...(parent ? { parent } : {}) })).id;
    } finally {
      if (layer) {
        // The image holds the layer now (or nothing does and this frees it).
        this.deps.layers.retain(layer.chainId);
        await this.deps.layers.release(layer.chainId);
      }
    }
    this.cache.put(key, created, BigInt(Date.now()) * 1_000_000n);
    this.moveTo(st, created);
  }

  private probe(key: string): ImageId | undefined {
    const id = this.cache.get(key) as ImageId | undefined;
    if (id === undefined || this.deps.images.get(id) === undefined) return undefined;
    if (this.cacheSources !== undefined && !this.cacheSources.has(id)) return undefined;
    return id;
  }

  moveTo(st: StageState, id: ImageId): void {
    const img = this.deps.images.get(id);
    if (img === undefined) throw invalid(buildMessages.noImage(id));
    st.imageId = img.id;
    st.chainId = img.chainId;
    st.diffIds = [...img.config.rootfs.diff_ids];
    st.history = [...(img.config.history ?? [])];
  }

  hostSpec(network: string, privileged: boolean): HostSpec {
    const o = this.opts;
    return {
      networkMode: network,
      mounts: [],
      readonlyRootfs: false,
      privileged,
      capAdd: [],
      capDrop: [],
      noNewPrivileges: false,
      seccomp: "default",
      groupAdd: [],
      ulimits: [],
      init: false,
      shmSize: o.shmSize > 0 ? o.shmSize : 64 * 1024 * 1024,
      memory: o.memory,
      memorySwap: o.memorySwap,
      nanoCpus: 0,
      cpuShares: o.cpuShares,
      cpuQuota: 0,
      cpuPeriod: 0,
      cpusetCpus: o.cpusetCpus,
      pidsLimit: 0,
      autoRemove: false,
      restartPolicy: { name: "no", maximumRetryCount: 0 },
      extraHosts: [...o.extraHosts],
      dns: [],
      dnsSearch: [],
      dnsOptions: [],
    };
  }

  /** Creates the step's container (or a bare rw layer on scratch), does the work, takes the diff. */
  private async inContainer(
    st: StageState,
    spec: StepSpec,
    emit: BuildEmit,
  ): Promise<{ containerId: string; layer: Layer | undefined }> {
    if (st.imageId === "") return this.onScratch(st, spec);
    const run = spec.run;
    const cspec: ContainerSpec = {
      image: st.imageId,
      entrypoint: [],
      cmd: run ? run.argv : spec.cmd,
      env: run ? run.env : [],
      labels: {},
      tty: false,
      openStdin: false,
      stdinOnce: false,
      host: {
        ...this.hostSpec(run?.network ?? this.opts.networkMode, run?.privileged ?? false),
        mounts: run?.mounts ?? [],
      },
    };
    const c = await this.deps.containers.create(cspec);
    if (spec.announce) emit({ type: "container", id: c.id });
    let ok = false;
    try {
      this.checkCancelled(); // cancelled while it was made: it is removed below, never started
      let layer: Layer | undefined;
      if (run) {
        await this.runContainer(c.id, run.argv, emit);
      } else if (spec.work) {
        const root = await this.deps.layers.rw.mount(c.id);
        try {
          await spec.work(root);
        } finally {
          await this.deps.layers.rw.unmount(c.id);
        }
      }
      const stubs = (run?.mounts ?? []).map((m) => m.target);
      if (run || spec.work) layer = await this.diffLayer(c.id, stubs);
      ok = true;
      return { containerId: c.id, layer };
    } finally {
      // A cancelled step's container goes whatever --rm says, as dockerd removes it.
      if (this.opts.forceRm || (ok && this.opts.rm) || this.signal?.aborted === true) {
        await this.deps.containers.remove(c.id, { force: true });
        if (spec.announce) emit({ type: "container-removed", id: c.id });
      }
    }
  }

  private async onScratch(
    st: StageState,
    spec: StepSpec,
  ): Promise<{ containerId: string; layer: Layer | undefined }> {
    const id = newHexId();
    if (spec.run) throw invalid("Please provide a source image with `from` prior to run");
    if (!spec.work) return { containerId: id, layer: undefined };
    const rw = this.deps.layers.rw;
    await rw.create(id, undefined);
    try {
      const root = await rw.mount(id);
      try {
        await spec.work(root);
      } finally {
        await rw.unmount(id);
      }
      return { containerId: id, layer: await this.diffLayer(id) };
    } finally {
      await rw.remove(id);
    }
  }

  private async runContainer(id: string, argv: string[], emit: BuildEmit): Promise<void> {
    // An attach to a created container resolves when it starts: start it meanwhile.
    const attached = this.deps.containers.attach(id, { stdout: true, stderr: true });
    const exited = this.deps.containers.wait(id, "next-exit");
    // A start that fails (no such executable) rejects these too, and then nothing awaits them.
    attached.catch(() => undefined);
    exited.catch(() => undefined);
    await this.deps.containers.start(id);
    const session = await attached;
    const kill = () => void this.deps.containers.kill(id).catch(() => undefined);
    this.signal?.addEventListener("abort", kill, { once: true });
    try {
      if (this.signal?.aborted === true) kill();
      for await (const chunk of session.output)
        emit({ type: "output", stream: chunk.stream, data: chunk.data });
    } finally {
      this.signal?.removeEventListener("abort", kill);
      session.close();
    }
    const res = await exited;
    this.checkCancelled();
    if (res.exitCode !== 0)
      throw new RunFailedError(buildMessages.runFailed(argv, res.exitCode), res.exitCode);
  }

  /** The container's changes as a layer on its image; undefined when nothing changed. */
  private async diffLayer(id: string, mountTargets: readonly string[] = []): Promise<Layer | undefined> {
    const changes = await this.deps.layers.rw.changes(id);
    const filtered = filterDiff(changes, mountTargets);
    if (filtered.keep.length === 0) return undefined;
    return this.deps.layers.registerUpper(id, { dropIfEmpty: filtered.dropped });
  }
}
