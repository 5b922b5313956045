/**
 * System endpoints: ping, version, info, events.
 */
import { invalid } from "../engine/errors.js";
import type { EngineEvent } from "../engine/events/index.js";
import { berthGitCommit, berthVersion, goArch, type SystemInfo } from "../engine/system/index.js";
import type { RequestContext } from "./context.js";
import { parseFilters, type Filters } from "./query.js";
import type { Route } from "./router.js";
import { parseTimestampNano, rfc3339Nano } from "./timestamp.js";
import { maxApiVersion, minApiVersion } from "./version.js";

export interface SystemBackend {
  info(): SystemInfo;
  subscribeEvents(opts: {
    sinceNano?: bigint;
    untilNano?: bigint;
    filter: (e: EngineEvent) => boolean;
    signal: AbortSignal;
  }): AsyncIterable<EngineEvent>;
  /** Versions of the external components (runc, conmon), for `version`. */
  componentVersions(): Promise<{ name: string; version: string; gitCommit: string }[]>;
}

export function systemRoutes(backend: SystemBackend): Route[] {
  const ping = async (ctx: RequestContext) => {
    ctx.res.setHeader("Builder-Version", "1");
    ctx.res.setHeader("Cache-Control", "no-cache, no-store, must-revalidate");
    ctx.res.setHeader("Pragma", "no-cache");
    if (ctx.req.method === "HEAD") {
      ctx.res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": 0 }).end();
      return;
    }
    ctx.text(200, "OK");
  };

  return [
    { method: "GET", path: "/_ping", handler: ping },
    { method: "HEAD", path: "/_ping", handler: ping },
    {
      method: "GET",
      path: "/version",
      handler: async (ctx) => ctx.json(200, versionBody(backend.info(), await backend.componentVersions())),
    },
    { method: "GET", path: "/info", handler: async (ctx) => ctx.json(200, infoBody(backend.info())) },
    {
      method: "GET",
      path: "/events",
      handler: async (ctx) => {
        const since = ctx.query.get("since");
        const until = ctx.query.get("until");
        const filters = parseFilters(ctx.query.get("filters"));
        const sinceNano = since ? parseTimestampNano(since) : undefined;
        const untilNano = until ? parseTimestampNano(until) : undefined;
        if (sinceNano !== undefined && untilNano !== undefined && sinceNano > untilNano)
          throw invalid(`\`since\` time (${since}) cannot be after \`until\` time (${until})`);
        const ac = new AbortController();
        ctx.req.socket.on("close", () => ac.abort());
        const events = backend.subscribeEvents({
          sinceNano,
          untilNano,
          filter: (e) => matchesEventFilters(e, filters),
          signal: ac.signal,
        });
        const out = ctx.stream("application/json");
        for await (const e of events) out.write(eventJson(e) + "\n");
        out.end();
      },
    },
  ];
}

function versionBody(info: SystemInfo, components: { name: string; version: string; gitCommit: string }[]) {
  const buildTime = "2026-11-28T00:00:00.000000000+00:00";
  return {
    Platform: { Name: "Berth" },
    Components: [
      {
        Name: "Engine",
        Version: berthVersion,
        Details: {
          ApiVersion: maxApiVersion,
          Arch: goArch(),
          BuildTime: buildTime,
          Experimental: "false",
          GitCommit: berthGitCommit,
          GoVersion: `node${process.versions.node}`,
          KernelVersion: info.host.kernelVersion,
          MinAPIVersion: minApiVersion,
          Os: "linux",
        },
      },
      ...components.map((c) => ({ Name: c.name, Version: c.version, Details: { GitCommit: c.gitCommit } })),
    ],
    Version: berthVersion,
    ApiVersion: maxApiVersion,
    MinAPIVersion: minApiVersion,
    GitCommit: berthGitCommit,
    GoVersion: `node${process.versions.node}`,
    Os: "linux",
    Arch: goArch(),
    KernelVersion: info.host.kernelVersion,
    BuildTime: buildTime,
  };
}

function infoBody(info: SystemInfo) {
  const h = info.host;
  return {
    ID: info.id,
    Containers: info.containers.total,
    ContainersRunning: info.containers.running,
    ContainersPaused: info.containers.paused,
    ContainersStopped: info.containers.stopped,
    Images: info.images,
    Driver: info.storageDriver,
    DriverStatus: [
      ["Backing Filesystem", "extfs"],
      ["Supports d_type", "true"],
      ["Using metacopy", "false"],
      ["Native Overlay Diff", "true"],
      ["userxattr", "false"],
    ],
    Plugins: {
      Volume: ["local"],
      Network: ["bridge", "host", "null"],
      Authorization: null,
      Log: ["json-file", "k8s-file"],
    },
    MemoryLimit: true,
    SwapLimit: true,
    KernelMemoryTCP: false,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    BridgeNfIptables: true,
    BridgeNfIp6tables: true,
    Debug: info.debug,
    NFd: 0,
    OomKillDisable: true,
    NGoroutines: 0,
    SystemTime: rfc3339Nano(BigInt(Date.now()) * 1_000_000n).replace("Z", "+00:00"),
    LoggingDriver: info.loggingDriver,
    CgroupDriver: info.cgroupDriver,
    CgroupVersion: h.cgroupVersion,
    NEventsListener: info.eventListeners,
    KernelVersion: h.kernelVersion,
    OperatingSystem: h.operatingSystem,
    OSVersion: h.osVersion,
    OSType: "linux",
    Architecture: h.architecture,
    IndexServerAddress: "https://index.docker.io/v1/",
    RegistryConfig: {
      AllowNondistributableArtifactsCIDRs: null,
      AllowNondistributableArtifactsHostnames: null,
      InsecureRegistryCIDRs: ["127.0.0.0/8"],
      IndexConfigs: {
        "docker.io": { Name: "docker.io", Mirrors: [], Secure: true, Official: true },
      },
      Mirrors: null,
    },
    NCPU: h.ncpu,
    MemTotal: h.memTotal,
    GenericResources: null,
    DockerRootDir: info.dataRoot,
    HttpProxy: "",
    HttpsProxy: "",
    NoProxy: "",
    Name: h.hostname,
    Labels: info.labels,
    ExperimentalBuild: false,
    ServerVersion: berthVersion,
    Runtimes: Object.fromEntries(info.runtimes.map((r) => [r, { path: r }])),
    DefaultRuntime: info.defaultRuntime,
    Swarm: {
      NodeID: "",
      NodeAddr: "",
      LocalNodeState: "inactive",
      ControlAvailable: false,
      Error: "",
      RemoteManagers: null,
    },
    LiveRestoreEnabled: info.liveRestore,
    Isolation: "",
    InitBinary: info.initBinary,
    ContainerdCommit: { ID: "", Expected: "" },
    RuncCommit: { ID: "", Expected: "" },
    InitCommit: { ID: "", Expected: "" },
    SecurityOptions: ["name=seccomp,profile=builtin"],
    CDISpecDirs: [],
    Warnings: info.warnings.length > 0 ? info.warnings : null,
  };
}

/** Docker's event message; `status`, `id` and `from` are the pre-1.22 fields, still sent. */
export function eventMessage(e: EngineEvent) {
  const msg: Record<string, unknown> = {};
  if (e.type === "container" || e.type === "image") {
    msg.status = e.action;
    msg.id = e.actorId;
    if (e.attributes.image !== undefined && e.type === "container") msg.from = e.attributes.image;
  }
  msg.Type = e.type;
  msg.Action = e.action;
  msg.Actor = { ID: e.actorId, Attributes: e.attributes };
  msg.scope = "local";
  msg.time = Number(e.timeNano / 1_000_000_000n);
  msg.timeNano = Number(e.timeNano);
  return msg;
}

/** The event as a JSON line, with timeNano exact (a double would round its last digits). */
export function eventJson(e: EngineEvent): string {
  return JSON.stringify({ ...eventMessage(e), timeNano: 0 }).replace(
    /"timeNano":0}$/,
    `"timeNano":${e.timeNano}}`,
  );
}

export function matchesEventFilters(e: EngineEvent, filters: Filters): boolean {
  for (const [key, values] of filters) {
    if (values.length === 0) continue;
    const ok = values.some((v) => {
      switch (key) {
        case "type":
          return e.type === v;
        case "event":
          return e.action === v || e.action.split(":")[0] === v;
        case "container":
          return e.type === "container" && (e.actorId.startsWith(v) || e.attributes.name === v);
        case "image":
          return (
            (e.type === "image" && (e.actorId === v || e.attributes.name === v)) ||
            (e.type === "container" && e.attributes.image === v)
          );
        case "network":
          return e.type === "network" && (e.actorId.startsWith(v) || e.attributes.name === v);
        case "volume":
          return e.type === "volume" && e.actorId === v;
        case "daemon":
          return e.type === "daemon";
        case "scope":
          return v === "local";
        case "label": {
          const eq = v.indexOf("=");
          return eq < 0 ? v in e.attributes : e.attributes[v.slice(0, eq)] === v.slice(eq + 1);
        }
        default:
          return false;
      }
    });
    if (!ok) return false;
  }
  return true;
}
