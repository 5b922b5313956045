/**
 * Docker's wide create body to the engine's narrow ContainerSpec. Docker's
 * defaults are applied here; fields that are set but not implemented get a
 * 501 from one table, and malformed values Docker's 400 texts.
 */
import { invalid, notImplemented } from "../../engine/errors.js";
import {
  parseSeccompProfile,
  validateHealthcheck,
  validateRestartPolicy,
  type DockerSeccompProfile,
} from "../../engine/containers/index.js";
import type {
  ContainerSpec,
  Healthcheck,
  HostSpec,
  DeviceMapping,
  DeviceRuleSpec,
  MountSpec,
  Ulimit,
} from "../../engine/containers/index.js";
import type {
  ContainerCreateBody,
  HealthConfigWire,
  HostConfigWire,
  MountWire,
} from "../types/containers.js";
import { parseLogConfig } from "./logConfig.js";
import { namedVolumeBind, parseEndpoints, parsePortBindings, volumeMount } from "./translateNet.js";

const defaultShmSize = 64 * 1024 * 1024;

/** Set-but-unimplemented HostConfig fields: (field, is it set?). */
const unsupported: [string, (h: HostConfigWire) => boolean][] = [
  ["Links", (h) => Array.isArray(h.Links) && h.Links.length > 0],
  ["Runtime", (h) => typeof h.Runtime === "string" && h.Runtime !== "" && h.Runtime !== "runc"],
];

const strList = (v: unknown): string[] | undefined => {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v;
  throw invalid("json: cannot unmarshal value into a string array");
};

function parseEntrypoint(v: unknown): string[] | undefined {
  const list = strList(v);
  if (list === undefined) return undefined;
  // `--entrypoint ""` arrives as [""]: reset the image's entrypoint.
  if (list.length === 1 && list[0] === "") return [];
  return list;
}

export function parseBind(spec: string): MountSpec {
  const parts = spec.split(":");
  if (parts.length < 2 || parts.length > 3) throw invalid(`invalid volume specification: '${spec}'`);
  const [source = "", target = "", mode = ""] = parts;
  if (!target.startsWith("/")) throw invalid(`invalid volume specification: '${spec}'`);
  const opts = mode.split(",").filter((o) => o !== "");
  if (!source.startsWith("/")) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(source))
      throw invalid(`invalid volume specification: '${spec}'`);
    return namedVolumeBind(source, target, opts);
  }
  let readOnly = false;
  let propagation = "rprivate";
  for (const o of opts) {
    if (o === "ro") readOnly = true;
    else if (o === "rw") readOnly = false;
    else if (["private", "rprivate", "shared", "rshared", "slave", "rslave"].includes(o)) propagation = o;
    else if (
      o === "z" ||
      o === "Z" ||
      o === "nocopy" ||
      o === "consistent" ||
      o === "cached" ||
      o === "delegated"
    )
      continue;
    else throw invalid(`invalid mode: ${o}`);
  }
  return { type: "bind", source, target, readOnly, propagation };
}

function fromMount(m: MountWire): MountSpec {
  const target = m.Target ?? "";
  if (!target.startsWith("/"))
    throw invalid(
      `invalid mount config for type "${m.Type}": invalid mount path: '${target}' mount path must be absolute`,
    );
  switch (m.Type) {
    case "bind": {
      const source = m.Source ?? "";
      if (!source.startsWith("/"))
        throw invalid(
          `invalid mount config for type "bind": invalid mount path: '${source}' mount path must be absolute`,
        );
      return {
        type: "bind",
        source,
        target,
        readOnly: m.ReadOnly === true,
        propagation: m.BindOptions?.Propagation || "rprivate",
      };
    }
    case "tmpfs": {
      const options = ["noexec", "nosuid", "nodev"];
      if (m.TmpfsOptions?.SizeBytes) options.push(`size=${m.TmpfsOptions.SizeBytes}`);
      if (m.TmpfsOptions?.Mode) options.push(`mode=${m.TmpfsOptions.Mode.toString(8)}`);
      if (m.ReadOnly) options.push("ro");
      return { type: "tmpfs", target, options };
    }
    case "volume":
      return volumeMount(m, target);
    default:
      throw invalid(`mount type unknown: "${m.Type ?? ""}"`);
  }
}

function securityOpts(opts: string[]): Pick<HostSpec, "noNewPrivileges" | "seccomp" | "seccompProfile"> {
  let noNewPrivileges = false;
  let seccomp: "default" | "unconfined" = "default";
  let seccompProfile: DockerSeccompProfile | undefined;
  for (const raw of opts) {
    const sep = raw.search(/[=:]/);
    const key = sep < 0 ? raw : raw.slice(0, sep);
    const value = sep < 0 ? "" : raw.slice(sep + 1);
    if (key === "no-new-privileges") noNewPrivileges = value === "" || value === "true";
    else if (key === "seccomp") {
      // The CLI sends a profile's JSON; "builtin" is the default one.
      if (value === "unconfined") seccomp = "unconfined";
      else if (value !== "builtin") seccompProfile = parseSeccompProfile(value);
    } else if (key === "apparmor" || key === "label") continue;
    else throw invalid(`invalid --security-opt: ${JSON.stringify(raw)}`);
  }
  return { noNewPrivileges, seccomp, ...(seccompProfile !== undefined ? { seccompProfile } : {}) };
}

/**
 * The create body's healthcheck, validated with dockerd's texts. It may set
 * only some fields (`--health-interval` alone): the engine fills the rest
 * from the image's.
 */
function healthcheck(h: HealthConfigWire | null | undefined): Healthcheck | undefined {
  if (h === null || h === undefined) return undefined;
  const hc: Healthcheck = {
    test: h.Test ?? [],
    intervalNs: h.Interval ?? 0,
    timeoutNs: h.Timeout ?? 0,
    startPeriodNs: h.StartPeriod ?? 0,
    retries: h.Retries ?? 0,
    ...(h.StartInterval ? { startIntervalNs: h.StartInterval } : {}),
  };
  validateHealthcheck(hc);
  const empty = hc.test.length === 0 && !hc.intervalNs && !hc.timeoutNs && !hc.startPeriodNs && !hc.retries;
  return empty && hc.startIntervalNs === undefined ? undefined : hc;
}

function hostSpec(h: HostConfigWire): HostSpec {
  for (const [field, isSet] of unsupported)
    if (isSet(h)) throw notImplemented(`HostConfig.${field} is not supported yet`);
  const mounts: MountSpec[] = [
    ...(h.Binds ?? []).map(parseBind),
    ...(h.Mounts ?? []).map(fromMount),
    ...Object.entries(h.Tmpfs ?? {}).map(([target, o]): MountSpec => ({
      type: "tmpfs",
      target,
      options: o === "" ? ["noexec", "nosuid", "nodev"] : o.split(","),
    })),
  ];
  const restartName = h.RestartPolicy?.Name || "no";
  // An empty name with any count is accepted, as dockerd does for old clients.
  if (h.RestartPolicy?.Name)
    validateRestartPolicy({ name: restartName, maximumRetryCount: h.RestartPolicy.MaximumRetryCount ?? 0 });
  if (h.AutoRemove && restartName !== "no") {
    throw invalid("can't create 'AutoRemove' container with restart policy");
  }
  if ((h.Memory ?? 0) > 0 && (h.Memory ?? 0) < 6 * 1024 * 1024) {
    throw invalid("Minimum memory limit allowed is 6MB");
  }
  const ulimits: Ulimit[] = (h.Ulimits ?? []).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard }));
  return {
    networkMode: h.NetworkMode || "default",
    ...namespaceModes(h),
    ...devices(h),
    mounts,
    readonlyRootfs: h.ReadonlyRootfs === true,
    privileged: h.Privileged === true,
    capAdd: h.CapAdd ?? [],
    capDrop: h.CapDrop ?? [],
    ...securityOpts(h.SecurityOpt ?? []),
    groupAdd: h.GroupAdd ?? [],
    ulimits,
    init: h.Init === true,
    shmSize: h.ShmSize && h.ShmSize > 0 ? h.ShmSize : defaultShmSize,
    memory: h.Memory ?? 0,
    memorySwap: h.MemorySwap ?? 0,
    nanoCpus: h.NanoCpus ?? 0,
    cpuShares: h.CpuShares ?? 0,
    cpuQuota: h.CpuQuota ?? 0,
    cpuPeriod: h.CpuPeriod ?? 0,
    cpusetCpus: h.CpusetCpus ?? "",
    pidsLimit: h.PidsLimit && h.PidsLimit > 0 ? h.PidsLimit : 0,
    logConfig: parseLogConfig(h.LogConfig as Parameters<typeof parseLogConfig>[0]),
    autoRemove: h.AutoRemove === true,
    restartPolicy: {
      name: restartName as HostSpec["restartPolicy"]["name"],
      maximumRetryCount: restartName === "on-failure" ? (h.RestartPolicy?.MaximumRetryCount ?? 0) : 0,
    },
    extraHosts: h.ExtraHosts ?? [],
    dns: h.Dns ?? [],
    dnsSearch: h.DnsSearch ?? [],
    dnsOptions: h.DnsOptions ?? [],
    portBindings: parsePortBindings(h.PortBindings),
    publishAll: h.PublishAllPorts === true,
    volumesFrom: Array.isArray(h.VolumesFrom)
      ? h.VolumesFrom.filter((v): v is string => typeof v === "string")
      : [],
  };
}

const validDeviceMode = (mode: string) =>
  mode !== "" && /^[rwm]+$/.test(mode) && new Set(mode).size === mode.length;

/** HostConfig.Devices and DeviceCgroupRules, checked as dockerd checks them. */
function devices(h: HostConfigWire): Pick<HostSpec, "devices" | "deviceCgroupRules"> {
  const mappings: DeviceMapping[] = (h.Devices ?? []).map((d) => {
    const pathOnHost = d.PathOnHost ?? "";
    const permissions = d.CgroupPermissions || "rwm";
    if (!validDeviceMode(permissions)) throw invalid(`invalid device mode: ${permissions}`);
    if (!pathOnHost.startsWith("/"))
      throw invalid(`device path ${JSON.stringify(pathOnHost)} is not absolute`);
    const pathInContainer = d.PathInContainer || pathOnHost;
    if (!pathInContainer.startsWith("/"))
      throw invalid(`device path ${JSON.stringify(pathInContainer)} in the container is not absolute`);
    return { pathOnHost, pathInContainer, permissions };
  });
  const rules: DeviceRuleSpec[] = (h.DeviceCgroupRules ?? []).map((r) => {
    const m = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/.exec(r);
    if (m === null || !validDeviceMode(m[4] ?? "")) throw invalid(`invalid device cgroup format '${r}'`);
    return {
      type: m[1] as DeviceRuleSpec["type"],
      ...(m[2] !== "*" ? { major: Number(m[2]) } : {}),
      ...(m[3] !== "*" ? { minor: Number(m[3]) } : {}),
      access: m[4] as string,
    };
  });
  return {
    ...(mappings.length > 0 ? { devices: mappings } : {}),
    ...(rules.length > 0 ? { deviceCgroupRules: rules } : {}),
  };
}

/** --pid, --uts and --ipc, checked as dockerd checks them. */
function namespaceModes(h: HostConfigWire): Pick<HostSpec, "pidMode" | "utsMode" | "ipcMode"> {
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  const pid = text(h.PidMode);
  const uts = text(h.UTSMode);
  const ipc = text(h.IpcMode);
  if (!(pid === "" || pid === "host" || /^container:.+/.test(pid))) throw invalid(`invalid PID mode: ${pid}`);
  if (!(uts === "" || uts === "host")) throw invalid(`invalid UTS mode: ${uts}`);
  if (!(["", "private", "shareable", "none", "host"].includes(ipc) || /^container:.+/.test(ipc)))
    throw invalid(`invalid IPC mode: ${ipc}`);
  // Berth remaps no users: every container already runs in the host's user namespace.
  if (!["", "host"].includes(text(h.UsernsMode))) throw invalid(`invalid USER mode: ${text(h.UsernsMode)}`);
  return {
    ...(pid !== "" ? { pidMode: pid } : {}),
    ...(uts !== "" ? { utsMode: uts } : {}),
    ...(ipc !== "" && ipc !== "private" ? { ipcMode: ipc } : {}),
  };
}

export function toContainerSpec(body: ContainerCreateBody): ContainerSpec {
  if (typeof body.Image !== "string" || body.Image === "")
    throw invalid("config cannot be empty in order to create a container");
  const entrypoint = parseEntrypoint(body.Entrypoint);
  const cmd = strList(body.Cmd);
  const hc = healthcheck(body.Healthcheck);
  const host = hostSpec(body.HostConfig ?? {});
  if (host.utsMode === "host" && typeof body.Hostname === "string" && body.Hostname !== "")
    throw invalid("conflicting options: hostname and the UTS mode");
  const networks = parseEndpoints(body.NetworkingConfig?.EndpointsConfig, host.networkMode, body.MacAddress);
  const exposedPorts = Object.keys(body.ExposedPorts ?? {});
  const volumes = Object.keys(body.Volumes ?? {});
  const spec: ContainerSpec = {
    image: body.Image,
    env: body.Env ?? [],
    labels: body.Labels ?? {},
    tty: body.Tty === true,
    openStdin: body.OpenStdin === true,
    stdinOnce: body.StdinOnce === true,
    host,
    ...(networks.length > 0 ? { networks } : {}),
    ...(exposedPorts.length > 0 ? { exposedPorts } : {}),
    ...(volumes.length > 0 ? { volumes } : {}),
    ...(entrypoint !== undefined ? { entrypoint } : {}),
    ...(cmd !== undefined ? { cmd } : {}),
    ...(body.WorkingDir ? { workingDir: body.WorkingDir } : {}),
    ...(body.User ? { user: body.User } : {}),
    ...(body.Hostname ? { hostname: body.Hostname } : {}),
    ...(body.Domainname ? { domainname: body.Domainname } : {}),
    ...(body.StopSignal ? { stopSignal: body.StopSignal } : {}),
    ...(typeof body.StopTimeout === "number" ? { stopTimeout: body.StopTimeout } : {}),
    ...(hc !== undefined ? { healthcheck: hc } : {}),
  };
  if (spec.workingDir !== undefined && !spec.workingDir.startsWith("/")) {
    throw invalid(`the working directory '${spec.workingDir}' is invalid, it needs to be an absolute path`);
  }
  return spec;
}
