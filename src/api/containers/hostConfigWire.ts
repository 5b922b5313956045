/**
 * Inspect's HostConfig in dockerd's shape: every field Docker prints, in its
 * order. Values come from the container's record where Berth keeps them (so
 * `docker update` shows), else from the create body as the client sent it,
 * else Docker's zero values for settings Berth applies its way (no cgroup
 * parent, private IPC and cgroup namespaces, runc).
 */
import type { Container } from "../../engine/containers/index.js";
import { maskedPaths, readonlyPaths } from "../../engine/containers/index.js";
import type { ContainerCreateBody, HostConfigWire } from "../types/containers.js";

/** The swap limit in effect: dockerd stores twice the memory when only memory was given. */
function memorySwap(memory: number, swap: number): number {
  if (swap !== 0) return swap;
  return memory > 0 ? memory * 2 : 0;
}

/** HostIp and HostPort always present, as Go marshals PortBinding. */
function portBindings(v: unknown): Record<string, { HostIp: string; HostPort: string }[] | null> | null {
  if (v === null || typeof v !== "object") return null;
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const [port, list] of Object.entries(v as Record<string, unknown>)) {
    out[port] = Array.isArray(list)
      ? list.map((b: { HostIp?: unknown; HostPort?: unknown }) => ({
          HostIp: typeof b?.HostIp === "string" ? b.HostIp : "",
          HostPort: typeof b?.HostPort === "string" ? b.HostPort : "",
        }))
      : null;
  }
  return out;
}

/** What the record holds, else what was sent (an empty list stays empty), else null. */
function list<T>(kept: T[] | undefined, sent: unknown): T[] | null {
  if (kept !== undefined && kept.length > 0) return kept;
  return Array.isArray(sent) ? (sent as T[]) : null;
}

export function hostConfigWire(c: Container, body: ContainerCreateBody): HostConfigWire {
  const h = c.spec.host;
  const sent: HostConfigWire = body.HostConfig ?? {};
  const pick = <K extends string>(key: K, zero: unknown): unknown => (key in sent ? sent[key] : zero);
  const ulimits = h.ulimits.map((u) => ({ Name: u.name, Hard: u.hard, Soft: u.soft }));
  return {
    Binds: sent.Binds ?? null,
    ContainerIDFile: pick("ContainerIDFile", ""),
    LogConfig: { Type: h.logConfig?.type ?? "json-file", Config: h.logConfig?.config ?? {} },
    NetworkMode: h.networkMode,
    PortBindings: portBindings(sent.PortBindings),
    RestartPolicy: { Name: h.restartPolicy.name, MaximumRetryCount: h.restartPolicy.maximumRetryCount },
    AutoRemove: h.autoRemove,
    VolumeDriver: pick("VolumeDriver", ""),
    VolumesFrom: list(h.volumesFrom, sent.VolumesFrom),
    ConsoleSize: pick("ConsoleSize", [0, 0]),
    CapAdd: h.capAdd.length > 0 ? h.capAdd : null,
    CapDrop: h.capDrop.length > 0 ? h.capDrop : null,
    // runc gets a cgroup namespace of its own (see the OCI spec's namespaces).
    CgroupnsMode: pick("CgroupnsMode", "private") || "private",
    Dns: list(h.dns, sent.Dns),
    DnsOptions: list(h.dnsOptions, sent.DnsOptions),
    DnsSearch: list(h.dnsSearch, sent.DnsSearch),
    ExtraHosts: list(h.extraHosts, sent.ExtraHosts),
    GroupAdd: list(h.groupAdd, sent.GroupAdd),
    IpcMode: pick("IpcMode", "private") || "private",
    Cgroup: pick("Cgroup", ""),
    Links: null,
    OomScoreAdj: pick("OomScoreAdj", 0),
    PidMode: h.pidMode ?? "",
    Privileged: h.privileged,
    PublishAllPorts: h.publishAll ?? false,
    ReadonlyRootfs: h.readonlyRootfs,
    SecurityOpt: sent.SecurityOpt ?? null,
    ...(sent.StorageOpt ? { StorageOpt: sent.StorageOpt } : {}),
    ...(sent.Tmpfs ? { Tmpfs: sent.Tmpfs } : {}),
    UTSMode: h.utsMode ?? "",
    UsernsMode: pick("UsernsMode", ""),
    ShmSize: h.shmSize,
    ...(sent.Sysctls ? { Sysctls: sent.Sysctls } : {}),
    Runtime: "runc",
    Isolation: "",
    CpuShares: h.cpuShares,
    Memory: h.memory,
    NanoCpus: h.nanoCpus,
    CgroupParent: pick("CgroupParent", ""),
    BlkioWeight: pick("BlkioWeight", 0),
    BlkioWeightDevice: pick("BlkioWeightDevice", null),
    BlkioDeviceReadBps: pick("BlkioDeviceReadBps", null),
    BlkioDeviceWriteBps: pick("BlkioDeviceWriteBps", null),
    BlkioDeviceReadIOps: pick("BlkioDeviceReadIOps", null),
    BlkioDeviceWriteIOps: pick("BlkioDeviceWriteIOps", null),
    // From the record, not the create body: `docker update` changes these.
    CpuPeriod: h.cpuPeriod,
    CpuQuota: h.cpuQuota,
    CpuRealtimePeriod: pick("CpuRealtimePeriod", 0),
    CpuRealtimeRuntime: pick("CpuRealtimeRuntime", 0),
    CpusetCpus: h.cpusetCpus,
    CpusetMems: pick("CpusetMems", ""),
    Devices: sent.Devices ?? null,
    DeviceCgroupRules: sent.DeviceCgroupRules ?? null,
    DeviceRequests: pick("DeviceRequests", null),
    MemoryReservation: pick("MemoryReservation", 0),
    MemorySwap: memorySwap(h.memory, h.memorySwap),
    MemorySwappiness: pick("MemorySwappiness", null),
    OomKillDisable: pick("OomKillDisable", false) ?? false,
    PidsLimit: h.pidsLimit > 0 ? h.pidsLimit : null,
    Ulimits: ulimits.length > 0 ? ulimits : (sent.Ulimits ?? null),
    CpuCount: pick("CpuCount", 0),
    CpuPercent: pick("CpuPercent", 0),
    IOMaximumIOps: pick("IOMaximumIOps", 0),
    IOMaximumBandwidth: pick("IOMaximumBandwidth", 0),
    ...(sent.Mounts && sent.Mounts.length > 0 ? { Mounts: sent.Mounts } : {}),
    // dockerd fills these at create for unprivileged containers; they are the paths runc masks.
    MaskedPaths: h.privileged ? null : [...maskedPaths],
    ReadonlyPaths: h.privileged ? null : [...readonlyPaths],
    ...(sent.Init !== undefined && sent.Init !== null ? { Init: sent.Init } : {}),
  };
}
