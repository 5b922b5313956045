/** In-memory stand-ins for the runtime, layers, images and host, for service tests. */
import type { EngineEvent } from "../events/index.js";
import type { ChainId, ImageId } from "../ids.js";
import type { Image } from "../images/types.js";
import { notFound } from "../errors.js";
import type { RwLayers } from "../layers/types.js";
import type { ContainerServiceDeps } from "./deps.js";
import type { ExitStatus, Runtime, RuntimeCreateOptions } from "./runtime/types.js";

export class FakeRuntime {
  readonly calls: string[] = [];
  readonly created = new Map<string, RuntimeCreateOptions>();
  private readonly exits = new Map<string, (e: ExitStatus) => void>();
  private readonly exitPromises = new Map<string, Promise<ExitStatus>>();
  /** Signals the fake process ignores (like a shell ignoring SIGTERM as PID 1). */
  ignored = new Set<number>();
  failCreate: Error | undefined;

  exit(id: string, code: number): void {
    this.exits.get(id)?.({
      exitCode: code,
      finishedAtNano: BigInt(Date.now()) * 1_000_000n,
      oomKilled: false,
    });
  }

  readonly runtime: Runtime = {
    create: async (o) => {
      this.calls.push(`create ${o.id.slice(0, 4)}`);
      if (this.failCreate) throw this.failCreate;
      this.created.set(o.id, o);
      this.exitPromises.set(o.id, new Promise((r) => this.exits.set(o.id, r)));
      return { pid: 4242 };
    },
    start: async (id) => void this.calls.push(`start ${id.slice(0, 4)}`),
    kill: async (id, sig) => {
      this.calls.push(`kill ${id.slice(0, 4)} ${sig}`);
      if (!this.ignored.has(sig)) setTimeout(() => this.exit(id, 128 + sig), 5);
    },
    pause: async (id) => void this.calls.push(`pause ${id.slice(0, 4)}`),
    resume: async (id) => void this.calls.push(`resume ${id.slice(0, 4)}`),
    delete: async (id) => {
      if (this.created.delete(id)) this.calls.push(`delete ${id.slice(0, 4)}`);
    },
    state: async () => undefined,
    waitExit: (id) => this.exitPromises.get(id) ?? Promise.reject(new Error("unknown")),
    attach: async () => ({ output: (async function* () {})(), close: () => undefined }),
    resize: async () => undefined,
    exec: async () => {
      throw new Error("not in the fake");
    },
    resizeExec: async () => undefined,
    logs: () => (async function* () {})(),
    stats: async () => {
      throw new Error("not in the fake");
    },
    recover: async () => ({ monitorAlive: false, state: undefined, exit: undefined }),
    list: async () => [...this.created.keys()],
  };
}

export class FakeLayers implements RwLayers {
  readonly dirs = new Set<string>();
  readonly mounted = new Set<string>();
  failCreate = false;
  constructor(private readonly root: string) {}
  async create(id: string): Promise<void> {
    if (this.failCreate) throw new Error("disk full");
    this.dirs.add(id);
  }
  async mount(id: string): Promise<string> {
    this.mounted.add(id);
    return this.mergedPath(id);
  }
  async unmount(id: string): Promise<void> {
    this.mounted.delete(id);
  }
  async remove(id: string): Promise<void> {
    this.mounted.delete(id);
    this.dirs.delete(id);
  }
  async release(id: string): Promise<{ files: Promise<void> }> {
    return { files: this.remove(id) };
  }
  async changes(): Promise<never[]> {
    return [];
  }
  diffTar(): never {
    throw new Error("not in the fake");
  }
  async size(): Promise<number> {
    return 0;
  }
  mergedPath(id: string): string {
    return `${this.root}/${id}/merged`;
  }
}

export const busyboxImage: Image = {
  id: `sha256:${"b".repeat(64)}` as ImageId,
  config: {
    architecture: "amd64",
    os: "linux",
    config: { Cmd: ["sh"], Env: ["PATH=/bin"] },
    rootfs: { type: "layers", diff_ids: [] },
  },
  chainId: `sha256:${"c".repeat(64)}` as ChainId,
  repoTags: ["busybox:latest"],
  repoDigests: [],
  parent: "",
  createdAtNano: 0n,
  size: 0,
};

export function fakeDeps(root: string) {
  const runtime = new FakeRuntime();
  const layers = new FakeLayers(root);
  const events: Omit<EngineEvent, "timeNano">[] = [];
  const deps: ContainerServiceDeps = {
    images: {
      resolve: async (ref) => {
        if (ref === "busybox" || ref === "busybox:latest") return busyboxImage;
        throw notFound(`No such image: ${ref}`);
      },
    },
    layers,
    runtime: runtime.runtime,
    events: { publish: (e) => events.push(e) },
    host: {
      arch: "amd64",
      kernel: "6.1.0",
      hostname: () => "host",
      resolvConf: async () => "nameserver 10.0.0.1\n",
      hostsFile: async () => "127.0.0.1 localhost\n",
      devices: async () => [],
      devicesAt: async (path) => [{ path, type: "c", major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 }],
    },
    root,
    initPath: "/usr/bin/tini-static",
    defaultNetwork: "none",
  };
  return { deps, runtime, layers, events };
}
