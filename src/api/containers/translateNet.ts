/**
 * The networking parts of Docker's create body: HostConfig.PortBindings,
 * NetworkingConfig.EndpointsConfig, and the mount kinds that name volumes.
 */
import { invalid, notImplemented } from "../../engine/errors.js";
import type { MountSpec, NetworkRequest, PortBindingSpec } from "../../engine/containers/index.js";
import type { MountWire } from "../types/containers.js";

const portKeyRe = /^(\d{1,5})(?:\/([a-z]+))?$/;

function containerPort(key: string): { port: number; proto: "tcp" | "udp" } {
  const m = portKeyRe.exec(key.toLowerCase());
  const port = Number(m?.[1]);
  if (!m || port < 1 || port > 65535) throw invalid(`invalid port specification: "${key}"`);
  const proto = m[2] ?? "tcp";
  if (proto === "sctp") throw notImplemented("sctp ports are not supported");
  if (proto !== "tcp" && proto !== "udp") throw invalid(`invalid proto: ${proto}`);
  return { port, proto };
}

function hostPorts(v: string, key: string): { hostPort: number; hostPortEnd?: number } {
  if (v === "") return { hostPort: 0 };
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(v);
  const lo = Number(m?.[1]);
  const hi = m?.[2] === undefined ? undefined : Number(m[2]);
  if (!m || lo > 65535 || (hi !== undefined && (hi > 65535 || hi < lo)))
    throw invalid(`invalid port specification: "${v}" for ${key}`);
  return hi === undefined || hi === lo ? { hostPort: lo } : { hostPort: lo, hostPortEnd: hi };
}

/** {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]} to one spec per host binding. */
export function parsePortBindings(raw: unknown): PortBindingSpec[] {
  if (raw === null || raw === undefined) return [];
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalid("json: cannot unmarshal PortBindings");
  const out: PortBindingSpec[] = [];
  for (const [key, list] of Object.entries(raw as Record<string, unknown>)) {
    const { port, proto } = containerPort(key);
    const entries = list === null ? [] : Array.isArray(list) ? list : undefined;
    if (entries === undefined) throw invalid("json: cannot unmarshal PortBindings");
    for (const e of entries as { HostIp?: unknown; HostPort?: unknown }[]) {
      const hostIp = typeof e?.HostIp === "string" ? e.HostIp : "";
      if (hostIp !== "" && !/^\d{1,3}(\.\d{1,3}){3}$/.test(hostIp)) {
        if (hostIp.includes(":")) throw notImplemented("IPv6 host addresses are not supported");
        throw invalid(`invalid IP address: ${hostIp}`);
      }
      const hp = hostPorts(typeof e?.HostPort === "string" ? e.HostPort : "", key);
      out.push({ containerPort: port, proto, hostIp, ...hp });
    }
  }
  return out;
}

interface EndpointWire {
  Aliases?: string[] | null;
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string } | null;
  MacAddress?: string;
}

/** NetworkingConfig.EndpointsConfig (plus the deprecated Config.MacAddress) to network requests. */
export function parseEndpoints(raw: unknown, networkMode: string, macAddress: unknown): NetworkRequest[] {
  const out: NetworkRequest[] = [];
  if (raw !== null && raw !== undefined) {
    if (typeof raw !== "object" || Array.isArray(raw))
      throw invalid("json: cannot unmarshal EndpointsConfig");
    for (const [ref, v] of Object.entries(raw as Record<string, EndpointWire | null>)) {
      const ep = v ?? {};
      if (ep.IPAMConfig?.IPv6Address) throw notImplemented("IPv6 addresses are not supported");
      out.push({
        ref,
        aliases: (ep.Aliases ?? []).filter((a) => a !== ""),
        ...(ep.IPAMConfig?.IPv4Address ? { ipv4: ep.IPAMConfig.IPv4Address } : {}),
        ...(ep.MacAddress ? { mac: ep.MacAddress } : {}),
      });
    }
  }
  if (typeof macAddress === "string" && macAddress !== "") {
    const own = out.find((r) => r.ref === networkMode);
    if (own) own.mac ??= macAddress;
    else out.push({ ref: networkMode, aliases: [], mac: macAddress });
  }
  for (const r of out) {
    if (r.mac !== undefined && !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(r.mac))
      throw invalid(`invalid MAC address: ${r.mac}`);
  }
  return out;
}

/** A -v whose source is a name: a named volume ("z" is the Mode Docker reports for it). */
export function namedVolumeBind(name: string, target: string, opts: string[]): MountSpec {
  let readOnly = false;
  let noCopy = false;
  for (const o of opts) {
    if (o === "ro") readOnly = true;
    else if (o === "rw") readOnly = false;
    else if (o === "nocopy") noCopy = true;
    else if (!["z", "Z"].includes(o)) throw invalid(`invalid mode: ${o}`);
  }
  return {
    type: "volume",
    name,
    source: "",
    target,
    readOnly,
    anonymous: false,
    noCopy,
    mode: opts.length > 0 ? opts.join(",") : "z",
  };
}

/** --mount type=volume. Without a source the volume is anonymous. */
export function volumeMount(m: MountWire, target: string): MountSpec {
  const opts = (m.VolumeOptions ?? {}) as {
    NoCopy?: boolean;
    Labels?: Record<string, string> | null;
    DriverConfig?: { Name?: string; Options?: Record<string, string> | null } | null;
    Subpath?: string;
  };
  if (opts.DriverConfig?.Name && opts.DriverConfig.Name !== "local")
    throw notImplemented(`volume driver ${opts.DriverConfig.Name} is not supported`);
  if (opts.Subpath) throw notImplemented("volume subpaths are not supported");
  const source = m.Source ?? "";
  const driverOptions = opts.DriverConfig?.Options ?? undefined;
  const labels = opts.Labels ?? undefined;
  return {
    type: "volume",
    name: source,
    source: "",
    target,
    readOnly: m.ReadOnly === true,
    anonymous: source === "",
    noCopy: opts.NoCopy === true,
    mode: "z",
    ...(driverOptions && Object.keys(driverOptions).length > 0 ? { createOptions: driverOptions } : {}),
    ...(labels && Object.keys(labels).length > 0 ? { createLabels: labels } : {}),
  };
}
