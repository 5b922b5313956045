/**
 * Domain container records to Docker's wire shapes: inspect, list summary,
 * status text. Fields that exist only for compatibility are computed here.
 */
import type { Container, ContainerPaths, NetworkState } from "../../engine/containers/index.js";
import { viewState } from "../../engine/containers/index.js";
import type {
  ContainerConfigWire,
  ContainerCreateBody,
  ContainerInspectResponse,
  ContainerSummary,
  MountPointWire,
} from "../types/containers.js";
import { hostConfigWire } from "./hostConfigWire.js";
import { healthcheckWire, healthSuffix, healthSummaryWire, healthWire } from "./healthWire.js";
import { mountsWire, networkSettingsWire, networksWire, summaryPortsWire } from "./netWire.js";

/** go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return "Less than a second";
  if (s === 1) return "1 second";
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m === 1) return "About a minute";
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return "About an hour";
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}

/** Docker's State.String(): "Up 2 minutes", "Exited (3) 5 seconds ago", "Created"… */
export function statusText(c: Container, nowMs = Date.now()): string {
  const v = viewState(c.state);
  switch (v.status) {
    case "running":
      return `Up ${humanDuration(nowMs - Date.parse(v.startedAt))}${healthSuffix(c)}`;
    case "paused":
      return `Up ${humanDuration(nowMs - Date.parse(v.startedAt))} (Paused)`;
    case "restarting":
      return `Restarting (${v.exitCode}) ${humanDuration(nowMs - Date.parse(v.finishedAt))} ago`;
    case "removing":
      return "Removal In Progress";
    case "dead":
      return "Dead";
    case "created":
      return "Created";
    case "exited":
      if (v.finishedAt.startsWith("0001-")) return "";
      return `Exited (${v.exitCode}) ${humanDuration(nowMs - Date.parse(v.finishedAt))} ago`;
  }
}

/** inspect's and the list's Mounts: dockerd lists a `--mount type=tmpfs`, not a `--tmpfs`. */
function mounts(c: Container): MountPointWire[] {
  const tmpfsOption = new Set(Object.keys(createBody(c).HostConfig?.Tmpfs ?? {}));
  return mountsWire(c).filter((m) => !(m.Type === "tmpfs" && tmpfsOption.has(m.Destination)));
}

function createBody(c: Container): ContainerCreateBody {
  if (c.createBody === undefined) return {};
  try {
    return JSON.parse(c.createBody.toString("utf8")) as ContainerCreateBody;
  } catch {
    return {};
  }
}

export function toInspect(
  c: Container,
  paths: ContainerPaths,
  extra: { execIds: string[]; mergedDir: string; sizeRw?: number; network?: NetworkState },
): ContainerInspectResponse {
  const v = viewState(c.state);
  const health = healthWire(c);
  const body = createBody(c);
  const cfg = c.config;
  const config: ContainerConfigWire = {
    Hostname: cfg.hostname,
    Domainname: cfg.domainname,
    User: cfg.user,
    AttachStdin: body.AttachStdin ?? false,
    AttachStdout: body.AttachStdout ?? false,
    AttachStderr: body.AttachStderr ?? false,
    ...(Object.keys(cfg.exposedPorts).length > 0 ? { ExposedPorts: cfg.exposedPorts } : {}),
    Tty: cfg.tty,
    OpenStdin: cfg.openStdin,
    StdinOnce: cfg.stdinOnce,
    Env: cfg.env.length > 0 ? cfg.env : null,
    Cmd: cfg.cmd,
    ...(cfg.healthcheck ? { Healthcheck: healthcheckWire(cfg.healthcheck) } : {}),
    Image: c.imageRef,
    Volumes: Object.keys(cfg.volumes).length > 0 ? cfg.volumes : null,
    WorkingDir: cfg.workingDir,
    Entrypoint: cfg.entrypoint,
    OnBuild: null,
    Labels: cfg.labels,
    ...(cfg.stopSignal !== "SIGTERM" || body.StopSignal ? { StopSignal: cfg.stopSignal } : {}),
    ...(cfg.stopTimeout !== undefined ? { StopTimeout: cfg.stopTimeout } : {}),
  };
  const hostConfig = hostConfigWire(c, body);

  return {
    Id: c.id,
    Created: c.createdAt,
    Path: cfg.path,
    Args: cfg.args,
    State: {
      Status: v.status,
      Running: v.running,
      Paused: v.paused,
      Restarting: v.restarting,
      OOMKilled: v.oomKilled,
      Dead: v.dead,
      Pid: v.pid,
      ExitCode: v.exitCode,
      Error: v.error,
      StartedAt: v.startedAt,
      FinishedAt: v.finishedAt,
      ...(health !== undefined ? { Health: health } : {}),
    },
    Image: c.imageId,
    ResolvConfPath: paths.resolvConf,
    HostnamePath: paths.hostname,
    HostsPath: paths.hosts,
    LogPath: paths.log,
    Name: `/${c.name}`,
    RestartCount: c.restartCount,
    Driver: "overlay2",
    Platform: "linux",
    MountLabel: "",
    ProcessLabel: "",
    AppArmorProfile: "",
    ExecIDs: extra.execIds.length > 0 ? extra.execIds : null,
    HostConfig: hostConfig,
    GraphDriver: { Name: "overlay2", Data: { MergedDir: extra.mergedDir } },
    ...(extra.sizeRw !== undefined ? { SizeRw: extra.sizeRw } : {}),
    Mounts: mounts(c),
    Config: config,
    NetworkSettings: networkSettingsWire(c, extra.network ?? { endpoints: [], ports: [] }),
  };
}

/** Docker's Command column: the path and args, space-joined, args with spaces in single quotes. */
export function commandText(c: Container): string {
  return [c.config.path, ...c.config.args.map((a) => (a.includes(" ") ? `'${a}'` : a))].join(" ");
}

export interface SummaryOptions {
  sizeRw?: number;
  network?: NetworkState;
  /** The Health field, which Docker returns from API 1.52 on. */
  health?: boolean;
}

export function toSummary(c: Container, opts: SummaryOptions = {}): ContainerSummary {
  const net = opts.network ?? { endpoints: [], ports: [] };
  const sizeRw = opts.sizeRw;
  return {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: c.imageRef,
    ImageID: c.imageId,
    Command: commandText(c),
    Created: Math.floor(Date.parse(c.createdAt) / 1000),
    Ports: summaryPortsWire(c, net),
    ...(sizeRw !== undefined ? { SizeRw: sizeRw } : {}),
    Labels: c.config.labels,
    State: c.state.status,
    Status: statusText(c),
    HostConfig: { NetworkMode: c.spec.host.networkMode },
    NetworkSettings: { Networks: networksWire(c, net) },
    Mounts: mounts(c),
    ...(opts.health ? { Health: healthSummaryWire(c) } : {}),
  };
}
