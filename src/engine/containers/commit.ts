/**
 * `docker commit`: a new image made of the container's image plus its
 * read-write layer as one more layer (none when nothing changed), with the
 * container's config (or the request's) after the --change lines, merged
 * over the container's as dockerd merges it, `container` and
 * `container_config` recorded, and one history entry appended.
 */
import type { EngineEvent } from "../events/index.js";
import { conflict } from "../errors.js";
import type { DiffId, ImageId } from "../ids.js";
import {
  applyChanges,
  familiarString,
  goTime,
  hostArchitecture,
  serializeConfig,
  type ContainerConfig,
  type Image,
  type ImageConfig,
  type Reference,
} from "../images/index.js";
import type { LayerIngester, LayerRefs, RwLayers } from "../layers/types.js";
import { containerExtraMessages } from "../messages.js";
import type { ContainerAccess } from "./extrasDeps.js";
import type { Container } from "./model.js";

/** The diffID of an empty tar (1024 zero bytes): a commit of an unchanged container adds no layer. */
export const EMPTY_LAYER_DIFF_ID = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

export interface CommitOptions {
  tag?: Reference;
  comment: string;
  author: string;
  /** Freeze a running container while its layer is read (Docker's default). */
  pause: boolean;
  /** Dockerfile-like lines (CMD, ENV, …). */
  changes: string[];
  /** The request body's config; the container's when absent. */
  config?: ContainerConfig;
}

export interface CommitDeps {
  containers: ContainerAccess & { pause(ref: string): Promise<void>; unpause(ref: string): Promise<void> };
  layers: Pick<RwLayers, "diffTar">;
  layerStore: LayerIngester & LayerRefs;
  images: {
    get(id: ImageId): Image | undefined;
    create(opts: { configBytes: Buffer; parent?: ImageId; tags?: Reference[] }): Promise<{ id: ImageId }>;
  };
  events: { publish(e: Omit<EngineEvent, "timeNano">): unknown };
  now?: () => bigint;
}

/** The container's config in the image config's shape (Docker's container.Config). */
export function dockerConfigOf(c: Container): ContainerConfig {
  const cfg = c.config;
  const out: ContainerConfig = {
    Hostname: cfg.hostname,
    Domainname: cfg.domainname,
    User: cfg.user,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ...(Object.keys(cfg.exposedPorts).length > 0 ? { ExposedPorts: cfg.exposedPorts } : {}),
    Tty: cfg.tty,
    OpenStdin: cfg.openStdin,
    StdinOnce: cfg.stdinOnce,
    Env: cfg.env,
    Cmd: cfg.cmd,
    ...(cfg.healthcheck
      ? {
          Healthcheck: {
            Test: cfg.healthcheck.test,
            Interval: cfg.healthcheck.intervalNs,
            Timeout: cfg.healthcheck.timeoutNs,
            StartPeriod: cfg.healthcheck.startPeriodNs,
            Retries: cfg.healthcheck.retries,
          },
        }
      : {}),
    Image: c.imageRef,
    ...(Object.keys(cfg.volumes).length > 0 ? { Volumes: cfg.volumes } : {}),
    WorkingDir: cfg.workingDir,
    Entrypoint: cfg.entrypoint,
    OnBuild: null,
    Labels: cfg.labels,
  };
  if (c.spec.stopSignal) out.StopSignal = cfg.stopSignal;
  if (cfg.stopTimeout !== undefined) out.StopTimeout = cfg.stopTimeout;
  return out;
}

const envKey = (e: string): string => e.split("=", 1)[0] ?? "";

/** moby's merge: what the user config leaves empty comes from the container's. */
export function mergeCommitConfig(user: ContainerConfig, base: ContainerConfig): ContainerConfig {
  const out: ContainerConfig = structuredClone(user);
  if (!out.User) out.User = base.User;
  if (!out.ExposedPorts || Object.keys(out.ExposedPorts).length === 0) out.ExposedPorts = base.ExposedPorts;
  else if (base.ExposedPorts) for (const p of Object.keys(base.ExposedPorts)) out.ExposedPorts[p] ??= {};
  if (!out.Env || out.Env.length === 0) out.Env = base.Env;
  else {
    const have = new Set(out.Env.map(envKey));
    for (const e of base.Env ?? []) if (!have.has(envKey(e))) out.Env.push(e);
  }
  out.Labels = { ...(base.Labels ?? {}), ...(out.Labels ?? {}) };
  if (!out.Entrypoint || out.Entrypoint.length === 0) {
    if (!out.Cmd || out.Cmd.length === 0) out.Cmd = base.Cmd;
    if (out.Entrypoint === undefined || out.Entrypoint === null) out.Entrypoint = base.Entrypoint;
  }
  if (base.Healthcheck) {
    if (!out.Healthcheck) out.Healthcheck = base.Healthcheck;
    else {
      const h = out.Healthcheck;
      const b = base.Healthcheck;
      if (!h.Test || h.Test.length === 0) h.Test = b.Test;
      h.Interval ||= b.Interval;
      h.Timeout ||= b.Timeout;
      h.StartPeriod ||= b.StartPeriod;
      h.StartInterval ||= b.StartInterval;
      h.Retries ||= b.Retries;
    }
  }
  if (!out.WorkingDir) out.WorkingDir = base.WorkingDir;
  if (!out.Volumes || Object.keys(out.Volumes).length === 0) out.Volumes = base.Volumes;
  else Object.assign(out.Volumes, base.Volumes ?? {});
  if (!out.StopSignal) out.StopSignal = base.StopSignal;
  return out;
}

/** Drops keys whose value is undefined, so the JSON (and so the image ID) is stable. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export class ContainerCommitter {
  constructor(private readonly d: CommitDeps) {}

  /** POST /commit: the new image's ID. */
  async commit(ref: string, opts: CommitOptions): Promise<ImageId> {
    const c0 = this.d.containers.get(ref);
    if (c0.state.status === "dead") throw conflict(containerExtraMessages.commitDead(c0.id));
    if (c0.state.status === "removing") throw conflict(containerExtraMessages.commitRemoving(c0.id));
    const pause = opts.pause && c0.state.status === "running";
    if (pause) await this.d.containers.pause(c0.id);
    try {
      return await this.d.containers.withLock(c0.id, (c) => this.commitLocked(c, opts));
    } finally {
      if (pause) await this.d.containers.unpause(c0.id).catch(() => undefined);
    }
  }

  private async commitLocked(c: Container, opts: CommitOptions): Promise<ImageId> {
    const parent = this.d.images.get(c.imageId);
    const containerConfig = dockerConfigOf(c);
    const config = mergeCommitConfig(
      applyChanges(opts.config ?? containerConfig, opts.changes),
      containerConfig,
    );
    const layer = await this.d.layerStore.register(this.d.layers.diffTar(c.id), parent?.chainId);
    const empty = layer.diffId === EMPTY_LAYER_DIFF_ID;
    const created = goTime((this.d.now ?? nowNano)());
    const diffIds: DiffId[] = [...(parent?.config.rootfs.diff_ids ?? []), ...(empty ? [] : [layer.diffId])];
    const image: ImageConfig = defined({
      ...(opts.comment ? { comment: opts.comment } : {}),
      created,
      container: c.id,
      container_config: containerConfig,
      ...(opts.author ? { author: opts.author } : {}),
      config,
      architecture: parent?.config.architecture || hostArchitecture(),
      ...(parent?.config.variant ? { variant: parent.config.variant } : {}),
      os: parent?.config.os || "linux",
      rootfs: { type: "layers" as const, diff_ids: diffIds },
      history: [
        ...(parent?.config.history ?? []),
        defined({
          created,
          author: opts.author || undefined,
          created_by: (containerConfig.Cmd ?? []).join(" ") || undefined,
          comment: opts.comment || undefined,
          empty_layer: empty || undefined,
        }),
      ],
    });
    const { bytes } = serializeConfig(image);
    let id: ImageId | undefined;
    try {
      ({ id } = await this.d.images.create({
        configBytes: bytes,
        ...(parent ? { parent: parent.id } : {}),
        ...(opts.tag ? { tags: [opts.tag] } : {}),
      }));
    } finally {
      // register does not retain: an unused (empty, or failed) layer is dropped by a retain/release pair.
      if (empty || id === undefined) {
        this.d.layerStore.retain(layer.chainId);
        await this.d.layerStore.release(layer.chainId);
      }
    }
    this.d.events.publish({ type: "image", action: "create", actorId: id, attributes: { name: id } });
    this.d.containers.publish(c, "commit", {
      comment: opts.comment,
      imageID: id,
      imageRef: opts.tag ? familiarString(opts.tag) : "",
    });
    return id;
  }
}

const nowNano = (): bigint => BigInt(Date.now()) * 1_000_000n;
