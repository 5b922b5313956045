/**
 * The OCI runtime spec (config.json) for a container, as pure data: Docker's
 * defaults (namespaces, capabilities, seccomp, masked paths, mounts, device
 * rules) changed by the container's options. Golden-tested; the service
 * writes it into the bundle.
 */
import type { OciProcess } from "../runtime/types.js";
import type { HostSpec, MountSpec, ResolvedConfig } from "../model.js";
import { applyCapabilities } from "./caps.js";
import { processEnv } from "./env.js";
import { seccompFor, type OciSeccomp } from "./seccomp.js";
import type { ExecUser } from "./user.js";

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface OciDevice {
  path: string;
  type: "c" | "b";
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

interface DeviceRule {
  allow: boolean;
  type?: string;
  major?: number;
  minor?: number;
  access: string;
}

export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly: boolean };
  /** Absent with --uts=host (runc sets no hostname without a UTS namespace of its own). */
  hostname?: string;
  mounts: OciMount[];
  linux: {
    namespaces: { type: string; path?: string }[];
    maskedPaths?: string[];
    readonlyPaths?: string[];
    resources: {
      devices: DeviceRule[];
      memory?: { limit: number; swap: number };
      cpu?: { shares?: number; quota?: number; period?: number; cpus?: string };
      pids?: { limit: number };
    };
    cgroupsPath: string;
    seccomp?: OciSeccomp;
    devices?: OciDevice[];
  };
}

export type NetworkPlan = { kind: "none" } | { kind: "host" } | { kind: "netns"; path: string };

export interface SpecInput {
  id: string;
  config: ResolvedConfig;
  host: HostSpec;
  user: ExecUser;
  /** The mounted rootfs (merged dir). */
  rootfs: string;
  /** Host paths of the generated files. */
  files: { hosts: string; resolvConf: string; hostname: string };
  network: NetworkPlan;
  /** Host path of the init binary bound at /sbin/docker-init for --init. */
  initPath: string;
  /** Go's GOARCH. */
  arch: string;
  kernel: string;
  /** Host devices, given to privileged containers. */
  hostDevices: OciDevice[];
  /** With --pid=container:…, that container's PID namespace (/proc/<pid>/ns/pid). */
  pidNamespace?: string;
  /** --ipc=container:…: that container's IPC namespace; with shareable or container:, the host-side /dev/shm. */
  ipcNamespace?: string;
  shmSource?: string;
  /** --device nodes (container paths) and the access each grants. */
  devices?: { node: OciDevice; access: string }[];
}

export const maskedPaths: readonly string[] = [
  "/proc/asound",
  "/proc/acpi",
  "/proc/interrupts",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
  "/sys/devices/virtual/powercap",
];

export const readonlyPaths: readonly string[] = [
  "/proc/bus",
  "/proc/fs",
  "/proc/irq",
  "/proc/sys",
  "/proc/sysrq-trigger",
];

/** null, zero, full, random, urandom, tty, ptmx, pts; deny mknod elsewhere (Docker's list). */
const defaultDeviceRules: DeviceRule[] = [
  { allow: false, access: "rwm" },
  { allow: true, type: "c", major: 1, minor: 5, access: "rwm" },
  { allow: true, type: "c", major: 1, minor: 3, access: "rwm" },
  { allow: true, type: "c", major: 1, minor: 9, access: "rwm" },
  { allow: true, type: "c", major: 1, minor: 8, access: "rwm" },
  { allow: true, type: "c", major: 5, minor: 0, access: "rwm" },
  { allow: true, type: "c", major: 5, minor: 1, access: "rwm" },
  { allow: false, type: "c", major: 10, minor: 229, access: "rwm" },
];

const rlimitName = (name: string): string => `RLIMIT_${name.toUpperCase()}`;

/** Docker combines Entrypoint and Cmd; --init puts docker-init in front. */
export function processArgs(config: ResolvedConfig, init: boolean): string[] {
  const argv = [config.path, ...config.args];
  return init ? ["/sbin/docker-init", "--", ...argv] : argv;
}

function baseMounts(host: HostSpec, shmSource: string | undefined): OciMount[] {
  const sysOpts = host.privileged ? ["nosuid", "noexec", "nodev"] : ["nosuid", "noexec", "nodev", "ro"];
  return [
    { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
    {
      destination: "/dev",
      type: "tmpfs",
      source: "tmpfs",
      options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
    },
    {
      destination: "/dev/pts",
      type: "devpts",
      source: "devpts",
      options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
    },
    { destination: "/sys", type: "sysfs", source: "sysfs", options: sysOpts },
    {
      destination: "/sys/fs/cgroup",
      type: "cgroup",
      source: "cgroup",
      options: [host.privileged ? "rw" : "ro", "nosuid", "noexec", "nodev"],
    },
    ...ipcMounts(host, shmSource),
  ];
}

/**
 * /dev/mqueue and /dev/shm. mqueue is the IPC namespace's own filesystem: mounted in a container
 * that shares the host's IPC namespace (--ipc=host), it is the host's. /dev/shm is a tmpfs of the
 * container's, the host's bound with --ipc=host, and absent with --ipc=none.
 */
function ipcMounts(host: HostSpec, shmSource: string | undefined): OciMount[] {
  const mqueue: OciMount = {
    destination: "/dev/mqueue",
    type: "mqueue",
    source: "mqueue",
    options: ["nosuid", "noexec", "nodev"],
  };
  if (host.ipcMode === "none") return [mqueue];
  if (host.ipcMode === "host" || shmSource !== undefined) {
    const source = shmSource ?? "/dev/shm";
    return [mqueue, { destination: "/dev/shm", type: "bind", source, options: ["rbind", "rw"] }];
  }
  const shmOpts = ["nosuid", "noexec", "nodev", "mode=1777", `size=${host.shmSize}`];
  return [mqueue, { destination: "/dev/shm", type: "tmpfs", source: "shm", options: shmOpts }];
}

function userMount(m: MountSpec): OciMount {
  switch (m.type) {
    case "bind":
      return {
        destination: m.target,
        type: "bind",
        source: m.source,
        options: ["rbind", m.readOnly ? "ro" : "rw", m.propagation],
      };
    case "tmpfs":
      return {
        destination: m.target,
        type: "tmpfs",
        source: "tmpfs",
        options: m.options.length > 0 ? m.options : ["noexec", "nosuid", "nodev"],
      };
    case "volume":
      // The runner acquires volumes and passes them as binds of their data directories.
      throw new Error(`volume ${m.name} at ${m.target} was not acquired`);
  }
}

const depth = (p: string): number => p.split("/").filter((s) => s !== "").length;

/** Mounts in the order runc must apply them: defaults, then user mounts parents first, then the files. */
function allMounts(input: SpecInput): OciMount[] {
  const { host } = input;
  const user = [...host.mounts].sort((a, b) => depth(a.target) - depth(b.target)).map(userMount);
  const taken = new Set(user.map((m) => m.destination));
  const base = baseMounts(host, input.shmSource).filter((m) => !taken.has(m.destination));
  const fileOpts = ["rbind", "rprivate", ...(host.readonlyRootfs ? ["ro"] : [])];
  const files: OciMount[] = [
    { destination: "/etc/resolv.conf", type: "bind", source: input.files.resolvConf, options: fileOpts },
    { destination: "/etc/hostname", type: "bind", source: input.files.hostname, options: fileOpts },
    { destination: "/etc/hosts", type: "bind", source: input.files.hosts, options: fileOpts },
  ].filter((m) => !taken.has(m.destination));
  const init: OciMount[] = host.init
    ? [{ destination: "/sbin/docker-init", type: "bind", source: input.initPath, options: ["bind", "ro"] }]
    : [];
  return [...base, ...user, ...files, ...init];
}

function namespaces(input: SpecInput): { type: string; path?: string }[] {
  const { host, network } = input;
  const ns: { type: string; path?: string }[] = [];
  // --pid=host, --ipc=host, --uts=host: the host's namespace, so none of its own.
  if (input.pidNamespace !== undefined) ns.push({ type: "pid", path: input.pidNamespace });
  else if (host.pidMode !== "host") ns.push({ type: "pid" });
  if (input.ipcNamespace !== undefined) ns.push({ type: "ipc", path: input.ipcNamespace });
  else if (host.ipcMode !== "host") ns.push({ type: "ipc" });
  if (host.utsMode !== "host") ns.push({ type: "uts" });
  ns.push({ type: "mount" }, { type: "cgroup" });
  switch (network.kind) {
    case "none":
      ns.push({ type: "network" });
      break;
    case "netns":
      ns.push({ type: "network", path: network.path });
      break;
    case "host":
      break;
  }
  return ns;
}

function resources(input: SpecInput): OciSpec["linux"]["resources"] {
  const { host } = input;
  const extra: DeviceRule[] = [
    ...(input.devices ?? []).map(({ node, access }) => ({
      allow: true,
      type: node.type,
      major: node.major,
      minor: node.minor,
      access,
    })),
    ...(host.deviceCgroupRules ?? []).map((r) => ({ allow: true, ...r })),
  ];
  const r: OciSpec["linux"]["resources"] = {
    devices: host.privileged ? [{ allow: true, access: "rwm" }] : [...defaultDeviceRules, ...extra],
  };
  if (host.memory > 0) {
    const swap = host.memorySwap === -1 ? -1 : host.memorySwap > 0 ? host.memorySwap : host.memory * 2;
    r.memory = { limit: host.memory, swap };
  }
  const cpu: NonNullable<OciSpec["linux"]["resources"]["cpu"]> = {};
  if (host.cpuShares > 0) cpu.shares = host.cpuShares;
  if (host.nanoCpus > 0) {
    cpu.period = 100_000;
    cpu.quota = Math.round((host.nanoCpus * 100_000) / 1e9);
  } else {
    if (host.cpuPeriod > 0) cpu.period = host.cpuPeriod;
    if (host.cpuQuota > 0) cpu.quota = host.cpuQuota;
  }
  if (host.cpusetCpus !== "") cpu.cpus = host.cpusetCpus;
  if (Object.keys(cpu).length > 0) r.cpu = cpu;
  if (host.pidsLimit > 0) r.pids = { limit: host.pidsLimit };
  return r;
}

export function buildOciSpec(input: SpecInput): OciSpec {
  const { config, host, user } = input;
  const caps = applyCapabilities({ privileged: host.privileged, add: host.capAdd, drop: host.capDrop });
  const process: OciProcess = {
    terminal: config.tty,
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    args: processArgs(config, host.init),
    env: processEnv(config.env, config.hostname, config.tty),
    cwd: config.workingDir === "" ? "/" : config.workingDir,
    capabilities: { bounding: caps, effective: caps, permitted: caps },
    noNewPrivileges: host.noNewPrivileges,
    oomScoreAdj: 0,
  };
  if (host.ulimits.length > 0) {
    process.rlimits = host.ulimits.map((u) => ({ type: rlimitName(u.name), hard: u.hard, soft: u.soft }));
  }
  const linux: OciSpec["linux"] = {
    namespaces: namespaces(input),
    resources: resources(input),
    cgroupsPath: `/berth/${input.id}`,
  };
  if (!host.privileged) {
    linux.maskedPaths = [...maskedPaths];
    linux.readonlyPaths = [...readonlyPaths];
    if (host.seccomp === "default")
      linux.seccomp = seccompFor(caps, input.arch, input.kernel, host.seccompProfile);
  }
  // A --device at a path a privileged container has anyway replaces the host's node there.
  const nodes = new Map<string, OciDevice>();
  for (const d of host.privileged ? input.hostDevices : []) nodes.set(d.path, d);
  for (const { node } of input.devices ?? []) nodes.set(node.path, node);
  if (nodes.size > 0) linux.devices = [...nodes.values()];
  return {
    ociVersion: "1.0.2-dev",
    process,
    root: { path: input.rootfs, readonly: host.readonlyRootfs },
    ...(host.utsMode === "host" ? {} : { hostname: config.hostname }),
    mounts: allMounts(input),
    linux,
  };
}
