/**
 * docker's container opts.go: the parsed flags of `run`/`create` to the
 * create body (Config + HostConfig + NetworkingConfig), field for field and
 * in Go's field order, so the daemon receives what the docker CLI sends.
 */
import { readFileSync } from "node:fs";
import type { ContainerCreateBody, HostConfigWire, MountWire } from "../../api/types/containers.js";
import type { FlagSpec, ParsedArgs } from "../spec.js";
import { containerFlags } from "./containerFlags.js";
import {
  absoluteBind,
  memBytes,
  memSwapBytes,
  parseCpus,
  parseGoDuration,
  parseKvFile,
  parseMount,
  parsePortRange,
  parsePortSpec,
  parseUlimit,
  parseVolumeSpec,
  splitProtoPort,
  toStandardNotation,
  validateAttach,
  validateDevice,
  validateDeviceCgroupRule,
  parseDevice,
  validateDnsSearch,
  validateEnv,
  validateExtraHost,
  validateIpAddress,
  validateLabel,
  type PortBindingWire,
} from "./containerOptsParse.js";

/** A flag value docker rejects while parsing flags (usage error, exit 125). */
export class FlagError extends Error {
  constructor(
    readonly flag: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`invalid argument "${value}" for "${flag}" flag: ${reason}`);
  }
}

/** An error from docker's parse() step, printed as "berth: …" (exit 125). */
export class OptsError extends Error {}

const byName = new Map(containerFlags.map((s) => [s.name, s]));

function display(name: string): string {
  const spec: FlagSpec | undefined = byName.get(name);
  return spec?.short ? `-${spec.short}, --${name}` : `--${name}`;
}

/** Runs a flag's validator over each value, as pflag's Set does. */
function each<T>(args: ParsedArgs, name: string, fn: (v: string) => T): T[] {
  return (args.lists.get(name) ?? []).map((v) => one(name, v, fn));
}

function one<T>(name: string, v: string, fn: (v: string) => T): T {
  try {
    return fn(v);
  } catch (err) {
    throw new FlagError(display(name), v, (err as Error).message);
  }
}

function str(args: ParsedArgs, name: string): string {
  return args.strings.get(name) ?? "";
}

function optional<T>(args: ParsedArgs, name: string, fn: (v: string) => T, zero: T): T {
  const v = args.strings.get(name);
  return v === undefined ? zero : one(name, v, fn);
}

function sortedRecord<T>(entries: Iterable<[string, T]>): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function kvMap(values: readonly string[]): Record<string, string> {
  const m = new Map<string, string>();
  for (const v of values) {
    const eq = v.indexOf("=");
    m.set(eq < 0 ? v : v.slice(0, eq), eq < 0 ? "" : v.slice(eq + 1));
  }
  return sortedRecord(m);
}

/** opts.NormalizeCapability, as the API client applies it before sending. */
function normalizeCap(c: string): string {
  const u = c.trim().toUpperCase();
  return u === "ALL" || u === "RESET" || u.startsWith("CAP_") ? u : `CAP_${u}`;
}

function emptyEndpoint(): Record<string, unknown> {
  return {
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    MacAddress: "",
    DriverOpts: null,
    GwPriority: 0,
    NetworkID: "",
    EndpointID: "",
    Gateway: "",
    IPAddress: "",
    IPPrefixLen: 0,
    IPv6Gateway: "",
    GlobalIPv6Address: "",
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
}

interface NetworkAttachment {
  target: string;
  aliases: string[];
  links: string[];
  ipv4: string;
  ipv6: string;
  mac: string;
  linkLocalIps: string[];
  driverOpts: Record<string, string>;
  gwPriority: number;
}

/** opts.NetworkOpt: "name" or "name=x,alias=y,ip=…". */
function parseNetworkOpt(value: string): NetworkAttachment {
  const n: NetworkAttachment = {
    target: value,
    aliases: [],
    links: [],
    ipv4: "",
    ipv6: "",
    mac: "",
    linkLocalIps: [],
    driverOpts: {},
    gwPriority: 0,
  };
  if (!value.includes("=")) return n;
  n.target = "";
  for (const field of value.split(",")) {
    const eq = field.indexOf("=");
    if (eq < 0) throw new Error(`invalid field '${field}' must be a key=value pair`);
    const key = field.slice(0, eq).toLowerCase();
    const val = field.slice(eq + 1);
    if (key === "name") n.target = val;
    else if (key === "alias") n.aliases.push(val);
    else if (key === "ip") n.ipv4 = val;
    else if (key === "ip6") n.ipv6 = val;
    else if (key === "mac-address") n.mac = val;
    else if (key === "link-local-ip") n.linkLocalIps.push(val);
    else if (key === "driver-opt") {
      const e = val.indexOf("=");
      n.driverOpts[e < 0 ? val : val.slice(0, e)] = e < 0 ? "" : val.slice(e + 1);
    } else if (key === "gw-priority") n.gwPriority = Number(val);
    else throw new Error(`invalid field key ${key}`);
  }
  return n;
}

const isUserDefined = (mode: string) =>
  !["default", "bridge", "host", "none"].includes(mode) && !mode.startsWith("container:");

function endpointFor(n: NetworkAttachment): Record<string, unknown> {
  if (n.target.trim() === "") throw new OptsError("no name set for network");
  if (!isUserDefined(n.target)) {
    if (n.aliases.length > 0)
      throw new OptsError("network-scoped aliases are only supported for user-defined networks");
    if (n.links.length > 0) throw new OptsError("links are only supported for user-defined networks");
  }
  const ep = emptyEndpoint();
  ep.GwPriority = n.gwPriority;
  if (n.aliases.length > 0) ep.Aliases = n.aliases;
  if (Object.keys(n.driverOpts).length > 0) ep.DriverOpts = n.driverOpts;
  if (n.links.length > 0) ep.Links = n.links;
  if (n.ipv4 || n.ipv6 || n.linkLocalIps.length > 0) {
    ep.IPAMConfig = {
      ...(n.ipv4 ? { IPv4Address: n.ipv4 } : {}),
      ...(n.ipv6 ? { IPv6Address: n.ipv6 } : {}),
      ...(n.linkLocalIps.length > 0 ? { LinkLocalIPs: n.linkLocalIps } : {}),
    };
  }
  if (n.mac) {
    if (!isMac(n.mac)) throw new OptsError(`${n.mac} is not a valid mac address`);
    ep.MacAddress = n.mac;
  }
  return ep;
}

function isMac(v: string): boolean {
  return /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(v.trim());
}

function networkingConfig(args: ParsedArgs): {
  mode: string;
  endpoints: Record<string, unknown>;
} {
  const nets = [...each(args, "net", parseNetworkOpt), ...each(args, "network", parseNetworkOpt)];
  const aliases = [...(args.lists.get("net-alias") ?? []), ...(args.lists.get("network-alias") ?? [])];
  const links = args.lists.get("link") ?? [];
  const linkLocal = args.lists.get("link-local-ip") ?? [];
  const ip = str(args, "ip");
  const ip6 = str(args, "ip6");
  const mac = str(args, "mac-address");
  const apply = (n: NetworkAttachment) => {
    const conflict = (what: string) => new OptsError(`conflicting options: cannot specify both ${what}`);
    if (n.aliases.length > 0 && aliases.length > 0) throw conflict("--network-alias and per-network alias");
    if (n.ipv4 && ip) throw conflict("--ip and per-network IPv4 address");
    if (n.ipv6 && ip6) throw conflict("--ip6 and per-network IPv6 address");
    if (n.mac && mac) throw conflict("--mac-address and per-network MAC address");
    if (n.linkLocalIps.length > 0 && linkLocal.length > 0)
      throw conflict("--link-local-ip and per-network link-local IP addresses");
    if (aliases.length > 0) n.aliases = [...aliases];
    if (isUserDefined(n.target) && links.length > 0) n.links = [...links];
    if (ip) n.ipv4 = ip;
    if (ip6) n.ipv6 = ip6;
    if (mac) n.mac = mac;
    if (linkLocal.length > 0) n.linkLocalIps = [...linkLocal];
  };
  const endpoints: Record<string, unknown> = {};
  if (nets.length === 0) {
    const n = parseNetworkOpt("default");
    apply(n);
    endpoints.default = endpointFor(n);
    return { mode: "default", endpoints };
  }
  let userDefined = false;
  let other = false;
  nets.forEach((n, i) => {
    if (isUserDefined(n.target)) userDefined = true;
    else other = true;
    if (i === 0) apply(n);
    const ep = endpointFor(n);
    if (n.target in endpoints) throw new OptsError(`network "${n.target}" is specified multiple times`);
    if (i === 0 && nets.length === 1 && JSON.stringify(ep) === JSON.stringify(emptyEndpoint())) return;
    endpoints[n.target] = ep;
  });
  if (userDefined && other)
    throw new OptsError(
      "conflicting options: cannot attach both user-defined and non-user-defined network-modes",
    );
  return { mode: nets[0]!.target, endpoints };
}

function healthcheck(args: ParsedArgs): Record<string, unknown> | undefined {
  const cmd = str(args, "health-cmd");
  const dur = (name: string) => optional(args, name, parseGoDuration, 0);
  const interval = dur("health-interval");
  const timeout = dur("health-timeout");
  const startPeriod = dur("health-start-period");
  const startInterval = dur("health-start-interval");
  const retries = args.ints.get("health-retries") ?? 0;
  const any =
    cmd !== "" ||
    interval !== 0 ||
    timeout !== 0 ||
    startPeriod !== 0 ||
    retries !== 0 ||
    startInterval !== 0;
  if (args.bools.get("no-healthcheck") === true) {
    if (any) throw new OptsError("--no-healthcheck conflicts with --health-* options");
    return { Test: ["NONE"] };
  }
  if (!any) return undefined;
  if (interval < 0) throw new OptsError("--health-interval cannot be negative");
  if (timeout < 0) throw new OptsError("--health-timeout cannot be negative");
  if (retries < 0) throw new OptsError("--health-retries cannot be negative");
  if (startPeriod < 0) throw new OptsError("--health-start-period cannot be negative");
  if (startInterval < 0) throw new OptsError("--health-start-interval cannot be negative");
  return {
    ...(cmd !== "" ? { Test: ["CMD-SHELL", cmd] } : {}),
    ...(interval ? { Interval: interval } : {}),
    ...(timeout ? { Timeout: timeout } : {}),
    ...(startPeriod ? { StartPeriod: startPeriod } : {}),
    ...(startInterval ? { StartInterval: startInterval } : {}),
    ...(retries ? { Retries: retries } : {}),
  };
}

function ports(args: ParsedArgs): { exposed: Map<string, object>; bindings: Map<string, PortBindingWire[]> } {
  const exposed = new Map<string, object>();
  const bindings = new Map<string, PortBindingWire[]>();
  for (const raw of args.lists.get("publish") ?? []) {
    let spec: ReturnType<typeof parsePortSpec>;
    try {
      spec = parsePortSpec(toStandardNotation(raw));
    } catch (err) {
      throw new OptsError((err as Error).message);
    }
    for (const { port, binding } of spec) {
      exposed.set(port, {});
      bindings.set(port, [...(bindings.get(port) ?? []), binding]);
    }
  }
  for (const e of args.lists.get("expose") ?? []) {
    if (e.includes(":")) throw new OptsError(`invalid port format for --expose: ${e}`);
    const [proto, port] = splitProtoPort(e);
    let range: [number, number];
    try {
      range = parsePortRange(port);
    } catch (err) {
      throw new OptsError(`invalid range format for --expose: ${e}, error: ${(err as Error).message}`);
    }
    for (let p = range[0]; p <= range[1]; p++)
      if (!exposed.has(`${p}/${proto}`)) exposed.set(`${p}/${proto}`, {});
  }
  return { exposed, bindings };
}

function restartPolicy(v: string): { Name: string; MaximumRetryCount: number } {
  if (v === "") return { Name: "", MaximumRetryCount: 0 };
  const colon = v.indexOf(":");
  const k = colon < 0 ? v : v.slice(0, colon);
  const count = colon < 0 ? "" : v.slice(colon + 1);
  if (colon >= 0 && k === "")
    throw new OptsError("invalid restart policy format: no policy provided before colon");
  let n = 0;
  if (count !== "") {
    if (!/^[+-]?[0-9]+$/.test(count))
      throw new OptsError("invalid restart policy format: maximum retry count must be an integer");
    n = Number(count);
  }
  return { Name: k, MaximumRetryCount: n };
}

function readFiles(
  files: readonly string[],
  lookup: ((k: string) => string | undefined) | undefined,
): string[] {
  try {
    return files.flatMap((file) => parseKvFile(file, lookup));
  } catch (err) {
    throw new OptsError((err as Error).message);
  }
}

/** A seccomp profile file, compacted as docker sends it (the daemon reads the JSON, not the path). */
function seccompFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new OptsError(`opening seccomp profile (${path}) failed: ${(err as Error).message}`);
  }
  try {
    return JSON.stringify(JSON.parse(text));
  } catch (err) {
    throw new OptsError(`compacting json for seccomp profile (${path}) failed: ${(err as Error).message}`);
  }
}

function securityOpts(values: string[]): { opts: string[]; unconfinedPaths: boolean } {
  const out: string[] = [];
  let unconfinedPaths = false;
  for (const opt of values) {
    let sep = opt.indexOf("=");
    if (sep < 0 && opt !== "no-new-privileges") sep = opt.indexOf(":");
    const k = sep < 0 ? opt : opt.slice(0, sep);
    const v = sep < 0 ? "" : opt.slice(sep + 1);
    if ((sep < 0 || v === "") && k !== "no-new-privileges")
      throw new OptsError(`Invalid --security-opt: ${JSON.stringify(opt)}`);
    if (opt === "systempaths=unconfined") unconfinedPaths = true;
    else if (k === "seccomp" && v !== "builtin" && v !== "unconfined") out.push(`seccomp=${seccompFile(v)}`);
    else out.push(opt);
  }
  return { opts: out, unconfinedPaths };
}

export interface ParsedContainer {
  body: ContainerCreateBody;
  /** The -a streams asked for (empty: stdout and stderr). */
  attach: string[];
}

/**
 * docker's parse(): flags and positionals to the create body. Throws
 * FlagError (bad value for a flag) or OptsError (docker's parse errors).
 */
export function toCreateBody(
  args: ParsedArgs,
  image: string,
  cmd: string[],
  consoleSize: [number, number],
): ParsedContainer {
  const attach = each(args, "attach", validateAttach);
  const env = each(args, "env", validateEnv);
  const labels = each(args, "label", validateLabel);
  const extraHosts = each(args, "add-host", validateExtraHost);
  const dns = each(args, "dns", validateIpAddress);
  const dnsSearch = each(args, "dns-search", validateDnsSearch);
  const dnsOptions = [...(args.lists.get("dns-opt") ?? []), ...(args.lists.get("dns-option") ?? [])];
  const ulimits = new Map<string, { Name: string; Hard: number; Soft: number }>();
  for (const u of each(args, "ulimit", parseUlimit)) ulimits.set(u.Name, u);
  const mounts: MountWire[] = each(args, "mount", parseMount);
  const memory = optional(args, "memory", memBytes, 0);
  const memoryReservation = optional(args, "memory-reservation", memBytes, 0);
  const memorySwap = optional(args, "memory-swap", memSwapBytes, 0);
  const kernelMemory = optional(args, "kernel-memory", memBytes, 0);
  const shmSize = optional(args, "shm-size", memBytes, 0);
  const ioMaxBandwidth = optional(args, "io-maxbandwidth", memBytes, 0);
  const nanoCpus = optional(args, "cpus", parseCpus, 0);
  const health = healthcheck(args);

  const mac = str(args, "mac-address");
  if (mac && !isMac(mac)) throw new OptsError(`${mac} is not a valid mac address`);
  const interactive = args.bools.get("interactive") === true;
  const swappiness = args.ints.get("memory-swappiness") ?? -1;
  if (swappiness !== -1 && (swappiness < 0 || swappiness > 100))
    throw new OptsError(`invalid value: ${swappiness}. Valid memory swappiness range is 0-100`);

  const volumes = new Map<string, object>();
  const binds: string[] = [];
  for (const v of args.lists.get("volume") ?? []) volumes.set(v, {});
  for (const v of new Set(args.lists.get("volume") ?? [])) {
    let parsed;
    try {
      parsed = parseVolumeSpec(v);
    } catch (err) {
      throw new OptsError((err as Error).message);
    }
    if (parsed.source !== "") {
      binds.push(parsed.type === "bind" ? absoluteBind(v) : v);
      volumes.delete(v);
    }
  }
  const tmpfs = new Map<string, string>();
  for (const t of args.lists.get("tmpfs") ?? []) {
    const colon = t.indexOf(":");
    tmpfs.set(colon < 0 ? t : t.slice(0, colon), colon < 0 ? "" : t.slice(colon + 1));
  }
  const entrypoint = args.strings.get("entrypoint");
  const { exposed, bindings } = ports(args);
  const envVars = [...readFiles(args.lists.get("env-file") ?? [], (k) => process.env[k]), ...env];
  const labelVars = [...readFiles(args.lists.get("label-file") ?? [], undefined), ...labels];
  const pid = str(args, "pid");
  if (pid !== "" && pid !== "host" && !/^container:.+/.test(pid))
    throw new OptsError("--pid: invalid PID mode");
  const uts = str(args, "uts");
  if (uts !== "" && uts !== "host") throw new OptsError("--uts: invalid UTS mode");
  const userns = str(args, "userns");
  if (userns !== "" && userns !== "host") throw new OptsError("--userns: invalid USER mode");
  const cgroupns = str(args, "cgroupns");
  if (cgroupns !== "" && cgroupns !== "host" && cgroupns !== "private")
    throw new OptsError("--cgroupns: invalid CGROUP mode");
  const restart = restartPolicy(str(args, "restart"));
  const logDriver = str(args, "log-driver");
  const logOpts = args.lists.get("log-opt") ?? [];
  if (logDriver === "none" && logOpts.length > 0)
    throw new OptsError(`invalid logging opts for driver ${logDriver}`);
  const security = securityOpts(args.lists.get("security-opt") ?? []);
  const storageOpts = new Map<string, string>();
  for (const o of args.lists.get("storage-opt") ?? []) {
    const eq = o.indexOf("=");
    if (eq < 0) throw new OptsError("invalid storage option");
    storageOpts.set(o.slice(0, eq), o.slice(eq + 1));
  }

  const attachSet = new Set(attach);
  const attachStdin = attachSet.has("stdin") || interactive;
  const attachStdout = attach.length === 0 || attachSet.has("stdout");
  const attachStderr = attach.length === 0 || attachSet.has("stderr");
  const autoRemove = args.bools.get("rm") === true;
  if (autoRemove && restart.Name !== "" && restart.Name !== "no")
    throw new OptsError("conflicting options: cannot specify both --restart and --rm");
  const net = networkingConfig(args);

  const hostConfig: HostConfigWire = {
    Binds: binds.length > 0 ? binds : null,
    ContainerIDFile: str(args, "cidfile"),
    LogConfig: { Type: logDriver, Config: kvMap(logOpts) },
    NetworkMode: net.mode,
    PortBindings: sortedRecord(bindings),
    RestartPolicy: restart,
    AutoRemove: autoRemove,
    VolumeDriver: str(args, "volume-driver"),
    VolumesFrom: (args.lists.get("volumes-from") ?? []).length > 0 ? args.lists.get("volumes-from")! : null,
    ConsoleSize: consoleSize,
    ...((args.lists.get("annotation") ?? []).length > 0
      ? { Annotations: kvMap(args.lists.get("annotation")!) }
      : {}),
    CapAdd:
      (args.lists.get("cap-add") ?? []).length > 0 ? args.lists.get("cap-add")!.map(normalizeCap) : null,
    CapDrop:
      (args.lists.get("cap-drop") ?? []).length > 0 ? args.lists.get("cap-drop")!.map(normalizeCap) : null,
    CgroupnsMode: cgroupns,
    Dns: dns,
    DnsOptions: dnsOptions,
    DnsSearch: dnsSearch,
    ExtraHosts: extraHosts.length > 0 ? extraHosts : null,
    GroupAdd: (args.lists.get("group-add") ?? []).length > 0 ? args.lists.get("group-add")! : null,
    IpcMode: str(args, "ipc"),
    Cgroup: "",
    Links: (args.lists.get("link") ?? []).length > 0 ? args.lists.get("link")! : null,
    OomScoreAdj: args.ints.get("oom-score-adj") ?? 0,
    PidMode: pid,
    Privileged: args.bools.get("privileged") === true,
    PublishAllPorts: args.bools.get("publish-all") === true,
    ReadonlyRootfs: args.bools.get("read-only") === true,
    SecurityOpt: security.opts.length > 0 ? security.opts : null,
    ...(storageOpts.size > 0 ? { StorageOpt: sortedRecord(storageOpts) } : {}),
    ...(tmpfs.size > 0 ? { Tmpfs: sortedRecord(tmpfs) } : {}),
    UTSMode: uts,
    UsernsMode: userns,
    ShmSize: shmSize,
    ...((args.lists.get("sysctl") ?? []).length > 0 ? { Sysctls: kvMap(args.lists.get("sysctl")!) } : {}),
    ...(str(args, "runtime") ? { Runtime: str(args, "runtime") } : {}),
    Isolation: str(args, "isolation"),
    CpuShares: args.ints.get("cpu-shares") ?? 0,
    Memory: memory,
    NanoCpus: nanoCpus,
    CgroupParent: str(args, "cgroup-parent"),
    BlkioWeight: args.ints.get("blkio-weight") ?? 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: args.ints.get("cpu-period") ?? 0,
    CpuQuota: args.ints.get("cpu-quota") ?? 0,
    CpuRealtimePeriod: args.ints.get("cpu-rt-period") ?? 0,
    CpuRealtimeRuntime: args.ints.get("cpu-rt-runtime") ?? 0,
    CpusetCpus: str(args, "cpuset-cpus"),
    CpusetMems: str(args, "cpuset-mems"),
    Devices: each(args, "device", validateDevice).map(parseDevice),
    DeviceCgroupRules:
      (args.lists.get("device-cgroup-rule") ?? []).length > 0
        ? each(args, "device-cgroup-rule", validateDeviceCgroupRule)
        : null,
    DeviceRequests: null,
    ...(kernelMemory ? { KernelMemory: kernelMemory } : {}),
    MemoryReservation: memoryReservation,
    MemorySwap: memorySwap,
    MemorySwappiness: swappiness,
    OomKillDisable: args.bools.get("oom-kill-disable") === true,
    PidsLimit: args.ints.get("pids-limit") ?? 0,
    Ulimits: [...ulimits.values()],
    CpuCount: args.ints.get("cpu-count") ?? 0,
    CpuPercent: args.ints.get("cpu-percent") ?? 0,
    IOMaximumIOps: args.ints.get("io-maxiops") ?? 0,
    IOMaximumBandwidth: ioMaxBandwidth,
    ...(mounts.length > 0 ? { Mounts: mounts } : {}),
    MaskedPaths: security.unconfinedPaths ? [] : null,
    ReadonlyPaths: security.unconfinedPaths ? [] : null,
    ...(args.given.has("init") ? { Init: args.bools.get("init") === true } : {}),
  };
  const tty = args.bools.get("tty") === true;
  const body: ContainerCreateBody = {
    Hostname: str(args, "hostname"),
    Domainname: str(args, "domainname"),
    User: str(args, "user"),
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
    ...(exposed.size > 0 ? { ExposedPorts: sortedRecord(exposed) } : {}),
    Tty: tty,
    OpenStdin: interactive,
    StdinOnce: interactive && attachStdin,
    Env: envVars.length > 0 ? envVars : null,
    Cmd: cmd.length > 0 ? cmd : null,
    ...(health !== undefined ? { Healthcheck: health } : {}),
    Image: image,
    Volumes: sortedRecord(volumes),
    WorkingDir: str(args, "workdir"),
    Entrypoint: entrypoint === undefined ? null : entrypoint === "" ? [""] : [entrypoint],
    OnBuild: null,
    Labels: kvMap(labelVars),
    ...(str(args, "stop-signal") ? { StopSignal: str(args, "stop-signal") } : {}),
    ...(args.given.has("stop-timeout") ? { StopTimeout: args.ints.get("stop-timeout") ?? 0 } : {}),
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: net.endpoints },
  };
  return { body, attach };
}
