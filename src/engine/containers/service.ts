/**
 * The container lifecycle: create, start, stop, kill, restart, pause,
 * unpause, remove, rename, wait, prune, and recovery at daemon start.
 * Operations on one container are serialised by a per-container lock; every
 * state change is committed to the store before its event is published.
 */
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { conflict, invalid, isEngineError, notModified } from "../errors.js";
import { newContainerId, type ContainerId, type ImageId } from "../ids.js";
import { containerMessages, messages } from "../messages.js";
import { log } from "../log.js";
import { resolveConfig } from "./config.js";
import type { ContainerServiceDeps } from "./deps.js";
import { KeyedLock } from "../keyedLock.js";
import type { Container, ContainerSpec } from "./model.js";
import { parseContainerName, randomName } from "./naming.js";
import { ExecManager, type ExecConfig, type ExecRecord, type ExecStartOptions } from "./exec.js";
import { Runner, type ExitInfo } from "./runner.js";
import type {
  AttachOptions,
  AttachSession,
  ConsoleSize,
  ExecSession,
  LogLine,
  LogReadOptions,
} from "./runtime/types.js";
import { parseSignal } from "./signals.js";
import { isActive, transition, viewState, type StateEvent } from "./state.js";
import type { ContainerStore } from "./store.js";
import { Undo } from "../undo.js";
import { planNetworks } from "./networkPlan.js";
import {
  connectNetwork,
  disconnectNetwork,
  networkState,
  type ConnectOptions,
  type NetworkState,
} from "./networkOps.js";
import { createVolumes, planMounts, removeAnonymousVolumes, volumeNames } from "./volumeMounts.js";
import { runProbe } from "./healthProbe.js";
import { validateRestartPolicy } from "./restartManager.js";
import type { RestartPolicy } from "./model.js";
import {
  killCancelsRestart,
  SelfHealing,
  startsAtDaemonStart,
  type SelfHealingOptions,
} from "./selfHealing.js";

export interface CreateOptions {
  name?: string;
  /** The create request body, kept for inspect. */
  createBody?: Buffer;
}

export interface StopOptions {
  signal?: string;
  /** Seconds; -1 waits forever. */
  timeout?: number;
}

export type WaitCondition = "not-running" | "next-exit" | "removed";

export interface WaitResult {
  exitCode: number;
  error?: string;
}

export interface RemoveOptions {
  force: boolean;
  /** rm -v: also remove the container's anonymous volumes. */
  volumes?: boolean;
}

export interface PruneResult {
  deleted: ContainerId[];
  spaceReclaimed: number;
}

/** Per-container paths outside the rootfs. */
export interface ContainerPaths {
  dir: string;
  bundle: string;
  hosts: string;
  resolvConf: string;
  hostname: string;
  log: string;
  /** The host-side /dev/shm of an --ipc=shareable container (a tmpfs mounted while it runs). */
  shm: string;
}

export class ContainerService {
  private readonly lock = new KeyedLock();
  private readonly removedWaiters = new Map<ContainerId, ((last: Container) => void)[]>();
  private readonly pending = new Set<Promise<void>>();
  readonly runner: Runner;
  readonly execs: ExecManager;
  /** Restart policies and health checks. */
  readonly healing: SelfHealing;

  constructor(
    private readonly store: ContainerStore,
    private readonly deps: ContainerServiceDeps,
    healingOptions: SelfHealingOptions = {},
  ) {
    this.healing = new SelfHealing(
      {
        get: (id) => store.get(id as ContainerId),
        update: (c) => store.update(c),
        restartNow: (id) => this.restartByPolicy(id as ContainerId),
        publish: (c, action) => this.publish(c, action),
        probe: (c, o) =>
          runProbe(
            { runtime: deps.runtime, events: deps.events, mergedPath: (id) => this.mergedPath(id) },
            c,
            o,
          ),
      },
      healingOptions,
    );
    this.runner = new Runner(store, deps, (c) => this.paths(c.id), {
      onExit: (c, exit) => this.afterExit(c, exit),
      beforeExitCommit: (c, exit) => this.healing.beforeExitCommit(c, exit),
    });
    this.execs = new ExecManager({
      runtime: deps.runtime,
      events: deps.events,
      container: (ref) => this.get(ref),
      mergedPath: (id) => deps.layers.mergedPath(id),
    });
  }

  /**
   * Connects to the container's stdio; for a container not running yet the
   * session opens when it starts. `signal` drops a session still waiting.
   */
  async attach(ref: string, opts: AttachOptions, signal?: AbortSignal): Promise<AttachSession> {
    const c = this.get(ref);
    if (c.state.status === "removing" || c.state.status === "dead") {
      throw conflict(containerMessages.removalInProgress(c.id));
    }
    const session = this.runner.attach(c, opts);
    signal?.addEventListener("abort", () => this.runner.cancelAttach(c.id, opts), { once: true });
    this.publish(c, "attach");
    return session;
  }

  execIdsOf(id: ContainerId): string[] {
    return this.execs.idsOf(id);
  }

  mergedPath(id: ContainerId): string {
    return this.deps.layers.mergedPath(id);
  }

  execCreate(ref: string, config: ExecConfig): ExecRecord {
    return this.execs.create(ref, config);
  }

  execStart(id: string, opts: ExecStartOptions): Promise<ExecSession> {
    return this.execs.start(id, opts);
  }

  execGet(id: string): ExecRecord {
    return this.execs.get(id);
  }

  execResize(id: string, size: ConsoleSize): Promise<void> {
    return this.execs.resize(id, size);
  }

  /** The container's log lines; with follow, until the current run exits. */
  logs(ref: string, opts: Omit<LogReadOptions, "followUntil">): AsyncIterable<LogLine> {
    const c = this.get(ref);
    const exited = this.runner.exited(c.id);
    const follow = opts.follow && exited !== undefined;
    return this.deps.runtime.logs(this.paths(c.id).log, {
      ...opts,
      follow,
      ...(follow && exited !== undefined ? { followUntil: exited } : {}),
    });
  }

  async resize(ref: string, size: ConsoleSize): Promise<void> {
    const c = this.get(ref);
    if (!isActive(c.state)) throw conflict(containerMessages.notRunning(c.id));
    await this.deps.runtime.resize(c.id, size);
  }

  paths(id: ContainerId): ContainerPaths {
    const dir = join(this.deps.root, id);
    return {
      dir,
      bundle: join(dir, "bundle"),
      hosts: join(dir, "hosts"),
      resolvConf: join(dir, "resolv.conf"),
      hostname: join(dir, "hostname"),
      log: join(dir, `${id}-json.log`),
      shm: join(dir, "shm"),
    };
  }

  /** Name, "/name", full ID or unique prefix to the record. */
  get(ref: string): Container {
    return this.store.resolve(ref);
  }

  /**
   * Runs `fn` with the container's lock held (cp, commit, update: they must
   * not race start or rm). `fn` gets the current record and may save a new
   * version of it (update).
   */
  withLock<T>(ref: string, fn: (c: Container, save: (next: Container) => void) => Promise<T>): Promise<T> {
    const id = this.get(ref).id;
    return this.lock.run(id, () => fn(this.get(id), (next) => this.save(next)));
  }

  list(): Container[] {
    return this.store.all();
  }

  counts(): { total: number; running: number; paused: number; stopped: number } {
    let running = 0;
    let paused = 0;
    const all = this.store.all();
    for (const c of all) {
      if (c.state.status === "running" || c.state.status === "restarting") running++;
      else if (c.state.status === "paused") paused++;
    }
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }

  /** IDs of the containers (any state) whose mounts name the volume. */
  containersUsingVolume(name: string): string[] {
    return this.store
      .all()
      .filter((c) => volumeNames(c).includes(name))
      .map((c) => c.id);
  }

  /** docker network connect: kept in the record; joined at once when running. */
  connectNetwork(ref: string, network: string, opts: ConnectOptions): Promise<void> {
    return connectNetwork(
      this.deps,
      (r, fn) => this.withLock(r, fn),
      (c) => this.paths(c.id).hosts,
      ref,
      network,
      opts,
    );
  }

  disconnectNetwork(ref: string, network: string, force: boolean): Promise<void> {
    return disconnectNetwork(
      this.deps,
      (r, fn) => this.withLock(r, fn),
      (c) => this.paths(c.id).hosts,
      ref,
      network,
      force,
    );
  }

  /** Live endpoints and published ports (inspect, ps). */
  networkState(c: Container): NetworkState {
    return networkState(this.deps, c);
  }

  containersUsingImage(id: ImageId): { id: string; running: boolean }[] {
    return this.store
      .all()
      .filter((c) => c.imageId === id)
      .map((c) => ({ id: c.id, running: isActive(c.state) }));
  }

  async sizeRw(id: ContainerId): Promise<number> {
    return this.deps.layers.size(id).catch(() => 0);
  }

  async create(spec: ContainerSpec, opts: CreateOptions = {}): Promise<Container> {
    const image = await this.deps.images.resolve(spec.image);
    const id = newContainerId();
    const net = planNetworks(spec, this.deps, this.store);
    const network = net.mode;
    const hostname =
      spec.hostname || net.hostname || (network === "host" ? this.deps.host.hostname() : id.slice(0, 12));
    const config = resolveConfig(spec, image.config.config ?? {}, hostname);
    const mountPlan = planMounts(spec.host.mounts, config, spec.host.volumesFrom ?? [], this.store);
    const record: Container = {
      id,
      name: "",
      createdAt: new Date().toISOString(),
      imageId: image.id,
      imageRef: spec.image,
      spec: { ...spec, host: { ...spec.host, networkMode: network } },
      config,
      state: { status: "created", error: "" },
      restartCount: 0,
      createBody: opts.createBody,
      manuallyStopped: false,
      ...(net.networks !== undefined ? { networks: net.networks } : {}),
    };
    return Undo.run(async (undo) => {
      this.insertWithName(record, opts.name);
      undo.push("container record", () => this.store.delete(id));
      const p = this.paths(id);
      // The generated files need the dir only (not the layer, not the volumes' final paths).
      let dirMade = false;
      const [layer, dir] = await Promise.allSettled([
        this.deps.layers.create(id, image.chainId),
        mkdir(p.bundle, { recursive: true, mode: 0o710 }).then(() => {
          dirMade = true;
          return this.writeHostFiles(record);
        }),
      ]);
      if (dirMade) undo.push("container dir", () => rm(p.dir, { recursive: true, force: true }));
      if (layer.status === "fulfilled") undo.push("rw layer", () => this.deps.layers.remove(id));
      for (const r of [layer, dir]) if (r.status === "rejected") throw r.reason;
      let mounted = false;
      const rootfs = async () => {
        mounted = true;
        undo.push("rootfs mount", () => this.deps.layers.unmount(id).catch(() => undefined));
        return this.deps.layers.mount(id);
      };
      const mounts = await createVolumes(id, mountPlan, this.deps.volumes, rootfs, undo);
      if (mounted) await this.deps.layers.unmount(id);
      record.spec = { ...record.spec, host: { ...record.spec.host, mounts } };
      this.store.update(record);
      this.runner.markClean(id);
      this.publish(record, "create");
      return record;
    });
  }

  /** Inserts under the given name, or a random one (retrying with a digit on collision, as Docker does). */
  private insertWithName(record: Container, name: string | undefined): void {
    if (name !== undefined && name !== "") {
      record.name = parseContainerName(name);
      this.store.insert(record);
      return;
    }
    for (let retry = 0; ; retry++) {
      record.name = randomName(retry);
      try {
        this.store.insert(record);
        return;
      } catch (err) {
        if (!isEngineError(err, "conflict") || retry >= 10) throw err;
      }
    }
  }

  private async writeHostFiles(c: Container): Promise<void> {
    const p = this.paths(c.id);
    const files = await this.runner.hostFiles(c, []);
    await Promise.all([
      writeFile(p.hosts, files.hosts),
      writeFile(p.resolvConf, files.resolvConf),
      writeFile(p.hostname, files.hostname),
    ]);
  }

  async start(ref: string): Promise<void> {
    const c0 = this.get(ref);
    try {
      await this.startLocked(c0.id);
    } catch (err) {
      // As dockerd: a --rm container whose start failed is removed (clients wait for "removed").
      const c = this.store.get(c0.id);
      if (c?.spec.host.autoRemove && !isActive(c.state) && !isEngineError(err, "not-modified")) {
        await this.lock
          .run(c.id, () => this.removeLocked(c.id, { force: true, volumes: true }))
          .catch(() => undefined);
      }
      throw err;
    }
  }

  private async startLocked(id: ContainerId): Promise<void> {
    const c0 = this.get(id);
    await this.lock.run(c0.id, async () => {
      const c = this.get(c0.id);
      switch (c.state.status) {
        case "running":
        // dockerd counts a restarting container as running.
        case "restarting":
          throw notModified();
        case "paused":
          throw conflict(containerMessages.startPaused());
        case "removing":
          throw conflict(containerMessages.removalInProgress(c.id));
        case "dead":
          throw conflict(`container ${c.id} is marked for removal and cannot be started`);
        case "created":
        case "exited":
          break;
      }
      this.save(this.healing.userStart(c));
      await this.runner.start(this.get(c.id), (ev) => this.apply(c.id, ev));
      this.publish(this.get(c.id), "start");
      this.healing.started(this.get(c.id));
    });
  }

  /** A restart policy's start, once the back-off has passed; a stop in between leaves it exited. */
  private async restartByPolicy(id: ContainerId): Promise<void> {
    await this.lock.run(id, async () => {
      const c = this.store.get(id);
      if (c?.state.status !== "restarting") return;
      try {
        await this.runner.start(c, (ev) => this.apply(id, ev));
      } catch (err) {
        log.warn(`restart ${id}: ${(err as Error).message}`);
        return;
      }
      this.publish(this.get(id), "start");
      this.healing.started(this.get(id));
    });
  }

  /** docker update --restart: the next exit follows the new policy. */
  async setRestartPolicy(ref: string, policy: RestartPolicy): Promise<void> {
    validateRestartPolicy(policy);
    await this.withLock(ref, async (c, save) => {
      if (c.spec.host.autoRemove && policy.name !== "no")
        throw invalid("Restart policy cannot be updated because AutoRemove is enabled for the container");
      save({ ...c, spec: { ...c.spec, host: { ...c.spec.host, restartPolicy: policy } } });
    });
  }

  /** Sends the stop signal, then SIGKILL after the timeout; resolves once the exit is recorded. */
  async stop(ref: string, opts: StopOptions = {}): Promise<void> {
    const c0 = this.get(ref);
    await this.lock.run(c0.id, async () => {
      const c = this.get(c0.id);
      if (!isActive(c.state)) throw notModified();
      this.save({ ...c, manuallyStopped: true });
      this.healing.cancel(c, (ev) => this.apply(c.id, ev));
      await this.stopLocked(c, opts);
      this.publish(this.get(c.id), "stop");
    });
  }

  private async stopLocked(c: Container, opts: StopOptions): Promise<void> {
    const signal = parseSignal(opts.signal || c.config.stopSignal || "SIGTERM");
    const timeout = opts.timeout ?? c.config.stopTimeout ?? 10;
    const exited = this.runner.exited(c.id);
    if (exited === undefined) return;
    await this.signal(c, signal);
    if (c.state.status === "paused") await this.deps.runtime.resume(c.id).catch(() => undefined);
    if (timeout >= 0) {
      const done = await Promise.race([exited.then(() => true), sleep(timeout * 1000).then(() => false)]);
      if (done) return;
      await this.signal(c, 9);
    }
    await exited;
  }

  private async signal(c: Container, signal: number): Promise<void> {
    this.publish(c, "kill", { signal: String(signal) });
    await this.deps.runtime.kill(c.id, signal).catch((err: unknown) => {
      // The process may have exited between the check and the signal.
      log.debug(`kill ${c.id}: ${(err as Error).message}`);
    });
  }

  async kill(ref: string, signalText = "SIGKILL"): Promise<void> {
    const signal = parseSignal(signalText || "SIGKILL");
    const c0 = this.get(ref);
    await this.lock.run(c0.id, async () => {
      const c = this.get(c0.id);
      if (!isActive(c.state)) throw conflict(containerMessages.notRunning(c.id));
      // As dockerd: any kill marks it stopped by the user; some also cancel the restart policy.
      this.save({ ...c, manuallyStopped: true });
      if (killCancelsRestart(c, signal)) this.healing.cancel(c, (ev) => this.apply(c.id, ev));
      // Waiting for a restart: no process to signal.
      if (c.state.status === "restarting") return;
      const exited = this.runner.exited(c.id);
      await this.signal(c, signal);
      // SIGKILL always ends it: answer once the exit is recorded, as dockerd does.
      if (signal === 9 && exited) await exited;
    });
  }

  async restart(ref: string, opts: StopOptions = {}): Promise<void> {
    const c0 = this.get(ref);
    await this.lock.run(c0.id, async () => {
      const c = this.get(c0.id);
      if (isActive(c.state)) {
        this.save({ ...c, manuallyStopped: true });
        this.healing.cancel(c, (ev) => this.apply(c.id, ev));
        await this.stopLocked(c, opts);
      }
      const fresh = this.get(c.id);
      this.save(this.healing.userStart(fresh));
      await this.runner.start(this.get(c.id), (ev) => this.apply(c.id, ev));
      this.publish(this.get(c.id), "start");
      this.publish(this.get(c.id), "restart");
      this.healing.started(this.get(c.id));
    });
  }

  async pause(ref: string): Promise<void> {
    const c0 = this.get(ref);
    await this.lock.run(c0.id, async () => {
      const c = this.get(c0.id);
      if (c.state.status === "paused") throw conflict(containerMessages.alreadyPaused(c.id));
      if (c.state.status !== "running") throw conflict(containerMessages.notRunning(c.id));
      await this.deps.runtime.pause(c.id);
      this.apply(c.id, { type: "paused" });
      this.healing.paused(c.id);
      this.publish(c, "pause");
    });
  }

  async unpause(ref: string): Promise<void> {
    const c0 = this.get(ref);
    await this.lock.run(c0.id, async () => {
      const c = this.get(c0.id);
      if (c.state.status !== "paused") throw conflict(containerMessages.notPaused(c.id));
      await this.deps.runtime.resume(c.id);
      this.healing.unpaused(this.apply(c.id, { type: "unpaused" }));
      this.publish(c, "unpause");
    });
  }

  async rename(ref: string, newName: string): Promise<void> {
    const c0 = this.get(ref);
    const name = parseContainerName(newName);
    await this.lock.run(c0.id, async () => {
      const c = this.get(c0.id);
      if (c.name === name) throw invalid(containerMessages.renameSame());
      const oldName = c.name;
      this.save({ ...c, name });
      this.publish(this.get(c.id), "rename", { oldName: `/${oldName}` });
    });
  }

  async remove(ref: string, opts: RemoveOptions): Promise<void> {
    const c0 = this.get(ref);
    await this.lock.run(c0.id, () => this.removeLocked(c0.id, opts));
  }

  private async removeLocked(id: ContainerId, opts: RemoveOptions): Promise<void> {
    const c = this.store.get(id);
    if (c === undefined) return;
    if (c.state.status === "removing") throw conflict(containerMessages.removalInProgress(c.id));
    if (isActive(c.state)) {
      if (!opts.force) throw conflict(containerMessages.removeActive(c.name, c.state.status));
      if (!this.healing.cancel(c, (ev) => this.apply(id, ev))) {
        const exited = this.runner.exited(c.id);
        await this.signal(c, 9);
        if (c.state.status === "paused") await this.deps.runtime.resume(c.id).catch(() => undefined);
        await exited;
      }
    }
    // An exit still being processed (its record is committed, its cleanup and "die" are not): as
    // dockerd, the removal comes after it, so "die" always precedes "destroy".
    await this.runner.exited(id)?.catch(() => undefined);
    this.apply(id, { type: "remove" });
    let files: Promise<unknown>;
    try {
      // What others could see goes first (the network's addresses and ports, volumes in use); after a
      // run whose exit released them (the usual case) there is nothing to retry.
      if (!this.runner.isDetached(id)) await this.runner.cleanup(this.get(id), { keepRuntime: true });
      const layer = await this.deps.layers.release(id);
      const dir = this.paths(id).dir;
      files = Promise.all([
        layer.files,
        this.deps.runtime
          .delete(id)
          .then(() => this.runner.unmountShm(id))
          .then(() => rm(dir, { recursive: true, force: true })),
      ]);
    } catch (err) {
      this.apply(id, { type: "remove-failed" });
      throw err;
    }
    const last = this.get(id);
    this.store.delete(id);
    // After the record is gone, so the volumes no longer count it as a user.
    if (opts.volumes) await removeAnonymousVolumes(c, this.deps);
    this.healing.forget(id);
    this.execs.forget(id);
    this.runner.forget(id);
    this.publish(c, "destroy");
    for (const w of this.removedWaiters.get(id) ?? []) w(last);
    this.removedWaiters.delete(id);
    // Nothing left to see (no record, the name is free, no process): the rootfs mount and the dirs
    // go after the answer; start-up sweeps remove what a crash leaves behind.
    this.inBackground(`remove ${id}`, files);
  }

  /** Work that finishes after its answer; settle() waits for it (daemon shutdown). */
  private inBackground(what: string, p: Promise<unknown>): void {
    const tracked = p.then(
      () => undefined,
      (err: unknown) => log.warn(`${what}: ${(err as Error).message}`),
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  /** Resolves once the work still running after its answer (file removals) is done. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Waits for the condition; resolves with the exit code Docker's wait returns. */
  async wait(ref: string, condition: WaitCondition, signal?: AbortSignal): Promise<WaitResult> {
    const c = this.get(ref);
    const resultOf = (rec: Container | undefined): WaitResult => {
      const v = viewState(rec?.state ?? c.state);
      return v.error ? { exitCode: v.exitCode, error: v.error } : { exitCode: v.exitCode };
    };
    const result = () => resultOf(this.store.get(c.id));
    const removed = () =>
      new Promise<WaitResult>((resolve) => {
        const list = this.removedWaiters.get(c.id) ?? [];
        // dockerd reports the removal's error here (none), not the last start's.
        list.push((last) => resolve({ exitCode: resultOf(last).exitCode }));
        this.removedWaiters.set(c.id, list);
      });
    const aborted = new Promise<never>((_, reject) => {
      signal?.addEventListener("abort", () => reject(new Error("wait aborted")), { once: true });
    });
    // The client may hang up after the outcome is known (or with no race at all): not a crash.
    aborted.catch(() => undefined);
    let outcome: Promise<WaitResult>;
    switch (condition) {
      case "removed":
        outcome = removed();
        break;
      case "not-running":
        if (!isActive(c.state)) {
          // Its exit may still be processed: answer once it is (cleanup done, "die" published).
          await this.runner.exited(c.id)?.catch(() => undefined);
          return result();
        }
        outcome = this.runner.nextExit(c.id).then(result);
        break;
      case "next-exit":
        outcome = this.runner.nextExit(c.id).then(result);
        break;
    }
    return Promise.race([outcome, aborted]);
  }

  async prune(filter: (c: Container) => boolean): Promise<PruneResult> {
    const deleted: ContainerId[] = [];
    let spaceReclaimed = 0;
    for (const c of this.store.all()) {
      if (isActive(c.state) || c.state.status === "removing" || !filter(c)) continue;
      const size = await this.sizeRw(c.id);
      try {
        await this.remove(c.id, { force: false });
        deleted.push(c.id);
        spaceReclaimed += size;
      } catch (err) {
        log.warn(`prune: cannot remove ${c.id}: ${(err as Error).message}`);
      }
    }
    return { deleted, spaceReclaimed };
  }

  /** At daemon start: reattach to live containers, record exits that happened while down. */
  async recover(): Promise<void> {
    const known = new Set<string>(this.store.all().map((c) => c.id));
    this.healing.recovering = true;
    for (const c of this.store.all()) {
      try {
        if (c.state.status === "removing") {
          await this.lock.run(c.id, () => this.removeLocked(c.id, { force: true }).catch(() => undefined));
          continue;
        }
        await this.runner.recover(c, (ev) => this.apply(c.id, ev));
      } catch (err) {
        log.warn(`recover ${c.id}: ${(err as Error).message}`);
      }
    }
    this.healing.recovering = false;
    for (const id of await this.deps.runtime.list().catch(() => [])) {
      if (!known.has(id)) await this.deps.runtime.delete(id).catch(() => undefined);
    }
    // Dirs whose removal a crash cut short: their records are gone.
    for (const name of await readdir(this.deps.root).catch(() => [] as string[])) {
      if (/^[a-f0-9]{64}$/.test(name) && this.store.get(name as ContainerId) === undefined)
        await this.runner
          .unmountShm(name as ContainerId)
          .then(() => rm(join(this.deps.root, name), { recursive: true, force: true }))
          .catch((err: unknown) =>
            log.warn(`remove leftover container dir ${name}: ${(err as Error).message}`),
          );
    }
    // As dockerd's restore: health checks start over, and restart policies start what they keep running.
    for (const c of this.store.all()) if (c.state.status === "running") this.healing.started(c);
    for (const c of this.store.all().filter(startsAtDaemonStart)) {
      await this.start(c.id).catch((err: unknown) =>
        log.warn(`restart policy: cannot start ${c.id}: ${(err as Error).message}`),
      );
    }
  }

  /** After an exit is recorded: --rm removes the container (events: die, then destroy). */
  private afterExit(c: Container, exit: ExitInfo): void {
    this.publish(c, "die", { exitCode: String(exit.exitCode), execDuration: String(exit.durationSec) });
    if (this.healing.afterExit(c)) return;
    if (c.spec.host.autoRemove) {
      this.inBackground(
        `auto-remove ${c.id}`,
        this.lock.run(c.id, () => this.removeLocked(c.id, { force: true, volumes: true })),
      );
    }
  }

  private apply(id: ContainerId, ev: StateEvent): Container {
    const c = this.store.get(id);
    if (c === undefined) throw conflict(messages.noSuchContainer(id));
    const next = { ...c, state: transition(c.state, ev) };
    this.store.update(next);
    return next;
  }

  private save(c: Container): void {
    this.store.update(c);
  }

  publish(c: Container, action: string, extra: Record<string, string> = {}): void {
    this.deps.events.publish({
      type: "container",
      action,
      actorId: c.id,
      attributes: { ...c.config.labels, image: c.imageRef, name: c.name, ...extra },
    });
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
