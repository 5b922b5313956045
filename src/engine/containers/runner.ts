/**
 * Running a container: mount its rootfs, join its network, write the
 * bundle, have the runtime create it, connect waiting attach clients, start
 * it, and watch for its exit; then record the exit and release what the run
 * held (mount, network, runtime state). Also reattaches after a daemon
 * restart. The caller holds the container's lock for start; exit handling
 * takes no lock (it only commits state and releases resources), and a new
 * start first waits for the previous run's exit handling to finish.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { conflict, notImplemented } from "../errors.js";
import { log } from "../log.js";
import type { ContainerId } from "../ids.js";
import type { ContainerServiceDeps } from "./deps.js";
import type { Container } from "./model.js";
import { readFileInRoot } from "./rootfsFiles.js";
import { LogRotation } from "./runtime/logRotation.js";
import type { AttachOptions, AttachSession, ExitStatus } from "./runtime/types.js";
import { hostFilesFor, joinSandbox, leaveSandbox } from "./sandbox.js";
import { buildOciSpec, type SpecInput } from "./spec/oci.js";
import { acquireVolumes, releaseVolumes } from "./volumeMounts.js";
import { resolveUser } from "./spec/user.js";
import { transition, type StateEvent } from "./state.js";
import type { ContainerStore } from "./store.js";
import { Undo } from "../undo.js";
import type { ContainerPaths } from "./service.js";

/** The cap for records made before log options existed (api/containers/logConfig.ts sets new ones). */
const defaultLogMaxSize = 100 * 1024 * 1024;

export interface ExitInfo {
  exitCode: number;
  durationSec: number;
  /** How long the run lasted, for the restart back-off. */
  ranMs: number;
}

interface Run {
  /** Settles when the exit is recorded and the run's resources are released. */
  exited: Promise<ExitInfo>;
}

interface PendingAttach {
  opts: AttachOptions;
  resolve: (s: AttachSession) => void;
  reject: (err: unknown) => void;
}

type Apply = (ev: StateEvent) => Container;

export class Runner {
  private readonly runs = new Map<ContainerId, Run>();
  private readonly exitWaiters = new Map<ContainerId, (() => void)[]>();
  private readonly pendingAttach = new Map<ContainerId, PendingAttach[]>();
  /** Containers whose last cleanup released everything, until their next start. */
  private readonly clean = new Set<ContainerId>();
  /** Containers whose last cleanup released network and volumes, until their next start. */
  private readonly detached = new Set<ContainerId>();
  /** Log files kept by max-file, followed while the container runs. */
  private readonly rotations = new Map<ContainerId, LogRotation>();

  constructor(
    private readonly store: ContainerStore,
    private readonly deps: ContainerServiceDeps,
    private readonly paths: (c: Container) => ContainerPaths,
    private readonly hooks: {
      onExit(c: Container, exit: ExitInfo): void;
      /** Before the exit is committed: may turn the exited record into a restarting one. */
      beforeExitCommit?(c: Container, exit: ExitInfo): Container;
    },
  ) {}

  /** The current run's exit, if it is running. */
  exited(id: ContainerId): Promise<ExitInfo> | undefined {
    return this.runs.get(id)?.exited;
  }

  /** Resolves at the next recorded exit (of this or a later run). */
  nextExit(id: ContainerId): Promise<void> {
    return new Promise((resolve) => {
      const list = this.exitWaiters.get(id) ?? [];
      list.push(resolve);
      this.exitWaiters.set(id, list);
    });
  }

  /**
   * Attach to the container's stdio. For a container that is not running
   * yet, the session opens at its next start, before its process runs, so
   * no output is missed (docker run attaches, then starts).
   */
  attach(c: Container, opts: AttachOptions): Promise<AttachSession> {
    if (this.runs.has(c.id)) return this.deps.runtime.attach(c.id, opts);
    return new Promise((resolve, reject) => {
      const list = this.pendingAttach.get(c.id) ?? [];
      list.push({ opts, resolve, reject });
      this.pendingAttach.set(c.id, list);
    });
  }

  /** Drops a waiting attach (client went away before start). */
  cancelAttach(id: ContainerId, opts: AttachOptions): void {
    const list = this.pendingAttach.get(id);
    if (list === undefined) return;
    const left = list.filter((p) => p.opts !== opts);
    if (left.length > 0) this.pendingAttach.set(id, left);
    else this.pendingAttach.delete(id);
  }

  /** With --pid=container:<ref>, that container's PID namespace; it must be running (dockerd's rule). */
  private pidNamespaceOf(c: Container): string | undefined {
    const mode = c.spec.host.pidMode;
    if (mode === undefined || !mode.startsWith("container:")) return undefined;
    const other = this.store.resolve(mode.slice("container:".length)); // "No such container: …"
    if (other.state.status !== "running") throw conflict(`container ${other.id} is not running`);
    return `/proc/${other.state.pid}/ns/pid`;
  }

  /**
   * --ipc=container:<ref>: a running, shareable container's IPC namespace and /dev/shm (dockerd's
   * rules and words); --ipc=shareable: this container's own host-side /dev/shm.
   */
  private ipcOf(c: Container): Pick<SpecInput, "ipcNamespace" | "shmSource"> {
    const mode = c.spec.host.ipcMode;
    if (mode === "shareable") return { shmSource: this.paths(c).shm };
    if (mode === undefined || !mode.startsWith("container:")) return {};
    const other = this.store.resolve(mode.slice("container:".length));
    const why = `can't join IPC of container ${other.id}`;
    if (other.state.status !== "running") throw conflict(`${why}: container ${other.id} is not running`);
    if (other.spec.host.ipcMode !== "shareable")
      throw conflict(`${why}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
    return { ipcNamespace: `/proc/${other.state.pid}/ns/ipc`, shmSource: this.paths(other).shm };
  }

  /** An --ipc=shareable container's /dev/shm: a tmpfs on the host side, for others to join. */
  private async mountShm(c: Container, undo: Undo): Promise<void> {
    const mounter = this.deps.mounter;
    if (mounter === undefined) throw notImplemented("--ipc=shareable needs the host mounter");
    const shm = this.paths(c).shm;
    await mkdir(shm, { recursive: true, mode: 0o700 });
    if (await mounter.isMountPoint(shm)) await mounter.unmount(shm);
    const data = `mode=1777,size=${c.spec.host.shmSize}`;
    const nosuidNodevNoexec = 0x2 | 0x4 | 0x8; // MS_NOSUID | MS_NODEV | MS_NOEXEC
    await mounter.mount({ source: "shm", target: shm, fstype: "tmpfs", flags: nosuidNodevNoexec, data });
    undo.push("shm mount", () => mounter.unmount(shm));
  }

  /** --device nodes as the container sees them, each with the access it grants. */
  private async devicesOf(c: Container): Promise<NonNullable<SpecInput["devices"]>> {
    const out: NonNullable<SpecInput["devices"]> = [];
    for (const m of c.spec.host.devices ?? [])
      for (const node of await this.deps.host.devicesAt(m.pathOnHost))
        out.push({
          node: { ...node, path: m.pathInContainer + node.path.slice(m.pathOnHost.length) },
          access: m.permissions,
        });
    return out;
  }

  hostFiles(
    c: Container,
    addresses: string[],
    dnsServer?: string,
  ): Promise<{ hosts: string; resolvConf: string; hostname: string }> {
    return hostFilesFor(c, this.deps, addresses, dnsServer);
  }

  async start(c: Container, apply: Apply): Promise<void> {
    const previous = this.runs.get(c.id);
    if (previous) await previous.exited.catch(() => undefined);
    const p = this.paths(c);
    try {
      const pidNamespace = this.pidNamespaceOf(c);
      const ipc = this.ipcOf(c);
      const devices = await this.devicesOf(c);
      await Undo.run(async (undo) => {
        // Leftovers of an earlier run (a crash between create and delete); none after a clean exit.
        if (!this.clean.has(c.id)) await this.deps.runtime.delete(c.id).catch(() => undefined);
        this.clean.delete(c.id);
        this.detached.delete(c.id);
        if (c.spec.host.ipcMode === "shareable") await this.mountShm(c, undo);
        // The rootfs, the volumes and the network do not depend on one another: they are set up at
        // once (the network's ip processes take longest), each pushing its own undo.
        const [fs, vols, net] = await Promise.allSettled([
          (async () => {
            const rootfs = await this.deps.layers.mount(c.id);
            undo.push("rootfs mount", () => this.deps.layers.unmount(c.id));
            const [passwd, group] = await Promise.all([
              readFileInRoot(rootfs, "/etc/passwd"),
              readFileInRoot(rootfs, "/etc/group"),
            ]);
            return { rootfs, user: resolveUser(c.config.user, c.spec.host.groupAdd, passwd, group) };
          })(),
          acquireVolumes(c, this.deps, undo),
          joinSandbox(c, this.deps, this.store, (id) => this.paths({ ...c, id }), undo),
        ]);
        const { rootfs, user } = settled(fs);
        const mounts = settled(vols);
        const network = settled(net);
        const files = network.files ?? (await this.hostFiles(c, network.addresses, network.dnsServer));
        const written = Promise.all([
          writeFile(p.hosts, files.hosts),
          writeFile(p.resolvConf, files.resolvConf),
          writeFile(p.hostname, files.hostname),
        ]);
        const spec = buildOciSpec({
          id: c.id,
          config: c.config,
          host: { ...c.spec.host, mounts },
          user,
          rootfs,
          files: { hosts: p.hosts, resolvConf: p.resolvConf, hostname: p.hostname },
          network: network.plan,
          initPath: this.deps.initPath,
          arch: this.deps.host.arch,
          kernel: this.deps.host.kernel,
          hostDevices: c.spec.host.privileged ? await this.deps.host.devices() : [],
          ...(pidNamespace !== undefined ? { pidNamespace } : {}),
          ...ipc,
          devices,
        });
        await Promise.all([written, writeFile(join(p.bundle, "config.json"), JSON.stringify(spec))]);
        const { pid } = await this.deps.runtime.create({
          id: c.id,
          bundle: p.bundle,
          tty: c.config.tty,
          openStdin: c.config.openStdin,
          stdinOnce: c.config.stdinOnce,
          logPath: p.log,
          logMaxSize: c.spec.host.logConfig?.maxSize ?? defaultLogMaxSize,
        });
        undo.push("runtime container", () => this.deps.runtime.delete(c.id));
        // The bridge ports came up while the runtime created the container.
        await network.ready;
        await this.connectPending(c.id);
        await this.deps.runtime.start(c.id);
        const startedAt = new Date();
        apply({ type: "started", pid, at: startedAt.toISOString() });
        this.watch(c.id, startedAt.getTime());
      });
    } catch (err) {
      this.failPending(c.id, err);
      const message = (err as Error).message;
      apply({
        type: "start-failed",
        error: message,
        exitCode: exitCodeForStartError(message),
        at: new Date().toISOString(),
      });
      throw err;
    }
  }

  private async connectPending(id: ContainerId): Promise<void> {
    const list = this.pendingAttach.get(id) ?? [];
    this.pendingAttach.delete(id);
    for (const p of list) {
      try {
        p.resolve(await this.deps.runtime.attach(id, p.opts));
      } catch (err) {
        p.reject(err);
      }
    }
  }

  private failPending(id: ContainerId, err: unknown): void {
    for (const p of this.pendingAttach.get(id) ?? []) p.reject(err);
    this.pendingAttach.delete(id);
  }

  private watch(id: ContainerId, startedMs: number): void {
    const c = this.store.get(id);
    const maxFile = c?.spec.host.logConfig?.maxFile ?? 1;
    if (c !== undefined && maxFile > 1 && !this.rotations.has(id)) {
      const rotation = new LogRotation(this.paths(c).log, maxFile);
      rotation.start();
      this.rotations.set(id, rotation);
    }
    const exited = this.deps.runtime.waitExit(id).then(
      (exit) => this.recordExit(id, exit, startedMs),
      (err: unknown) => {
        log.warn(`waiting for ${id} failed: ${(err as Error).message}`);
        return this.recordExit(
          id,
          { exitCode: 255, finishedAtNano: BigInt(Date.now()) * 1_000_000n, oomKilled: false },
          startedMs,
        );
      },
    );
    this.runs.set(id, { exited });
  }

  private async recordExit(id: ContainerId, exit: ExitStatus, startedMs: number): Promise<ExitInfo> {
    const rotation = this.rotations.get(id);
    this.rotations.delete(id);
    await rotation?.stop();
    const finishedMs = Number(exit.finishedAtNano / 1_000_000n);
    const info: ExitInfo = {
      exitCode: exit.exitCode,
      durationSec: Math.max(0, Math.round((finishedMs - startedMs) / 1000)),
      ranMs: Math.max(0, finishedMs - startedMs),
    };
    const c = this.store.get(id);
    if (c !== undefined && (c.state.status === "running" || c.state.status === "paused")) {
      const ev: StateEvent = {
        type: "exited",
        exitCode: exit.exitCode,
        oomKilled: exit.oomKilled,
        at: new Date(finishedMs).toISOString(),
      };
      const exited = { ...c, state: transition(c.state, ev) };
      const next = this.hooks.beforeExitCommit?.(exited, info) ?? exited;
      this.store.update(next);
      // A --rm container is removed next; its removal deletes the runtime's container and unmounts
      // the rootfs after answering.
      await this.cleanup(next, { keepRuntime: next.spec.host.autoRemove && next.state.status === "exited" });
      this.runs.delete(id);
      this.hooks.onExit(next, info);
    } else {
      this.runs.delete(id);
    }
    for (const w of this.exitWaiters.get(id) ?? []) w();
    this.exitWaiters.delete(id);
    return info;
  }

  /**
   * Releases what a run holds: the network, volumes, and unless `keepRuntime`
   * (a removal follows and takes them after its answer) the runtime's
   * container and the rootfs mount. They do not depend on one another (the
   * process is gone, and the mount is detached lazily), so they go at once.
   * Idempotent.
   */
  async cleanup(c: Container, o: { keepRuntime: boolean } = { keepRuntime: false }): Promise<void> {
    const warn = (what: string) => (err: unknown) => {
      log.warn(`${what} ${c.id}: ${(err as Error).message}`);
      return false;
    };
    // The network's first step spawns ip, which blocks this thread for the fork: the others start first.
    const [runtime, shm, volumes, mount, network] = await Promise.all([
      o.keepRuntime || this.deps.runtime.delete(c.id).then(() => true, warn("runtime delete")),
      // (the shm of a shareable container goes with its process: none can join a stopped one)
      this.unmountShm(c.id).then(() => true, warn("shm unmount")),
      releaseVolumes(c, this.deps).then(() => true, warn("release volumes")),
      o.keepRuntime || this.deps.layers.unmount(c.id).then(() => true, warn("unmount")),
      new Promise((r) => setImmediate(r))
        .then(() => leaveSandbox(c, this.deps))
        .then(() => true, warn("network detach")),
    ]);
    if (volumes && network && shm) this.detached.add(c.id);
    if (!o.keepRuntime && runtime && volumes && mount && network) this.clean.add(c.id);
  }

  /** Unmounts a container's host-side /dev/shm if it is mounted (shareable IPC); idempotent. */
  async unmountShm(id: ContainerId): Promise<void> {
    const mounter = this.deps.mounter;
    const shm = join(this.deps.root, id, "shm");
    if (mounter !== undefined && (await mounter.isMountPoint(shm))) await mounter.unmount(shm);
  }

  /** The last run released its network and volumes: a removal need not wait for anything else. */
  isDetached(id: ContainerId): boolean {
    return this.detached.has(id) && !this.runs.has(id);
  }

  /** A new container: the runtime has nothing of it yet. */
  markClean(id: ContainerId): void {
    this.clean.add(id);
    this.detached.add(id);
  }

  /** The container is gone: nothing to remember. */
  forget(id: ContainerId): void {
    this.clean.delete(id);
    this.detached.delete(id);
  }

  /** After a daemon restart: keep watching live containers, record the exits of the others. */
  async recover(c: Container, apply: Apply): Promise<void> {
    if (c.state.status !== "running" && c.state.status !== "paused") {
      // Its pending restart died with the old daemon; the daemon-start pass decides again.
      if (c.state.status === "restarting") apply({ type: "restart-cancelled" });
      return;
    }
    const found = await this.deps.runtime.recover(c.id);
    const startedMs = Date.parse(c.state.startedAt);
    if (found.monitorAlive && found.exit === undefined) {
      if (found.state?.status === "running" && c.state.status === "paused") apply({ type: "unpaused" });
      if (found.state?.status === "paused" && c.state.status === "running") apply({ type: "paused" });
      this.watch(c.id, startedMs);
      return;
    }
    const exit = found.exit ?? {
      exitCode: 255,
      finishedAtNano: BigInt(Date.now()) * 1_000_000n,
      oomKilled: false,
    };
    await this.recordExit(c.id, exit, startedMs);
  }
}

/** The value of a settled promise, or its error thrown. */
function settled<T>(r: PromiseSettledResult<T>): T {
  if (r.status === "rejected") throw r.reason;
  return r.value;
}

/** Docker's exit codes for a process that could not start: 127 not found, 126 not executable. */
function exitCodeForStartError(message: string): number {
  if (/no such file or directory|executable file not found|not found in \$PATH/i.test(message)) return 127;
  if (/permission denied|is a directory/i.test(message)) return 126;
  return 128;
}
