/**
 * A container's networks, ports and mounts in Docker's wire shapes:
 * inspect's NetworkSettings and Mounts, the list's Ports and Networks.
 * Live values (addresses, host ports) come from the running sandbox; a
 * stopped container shows its networks with empty addresses, as dockerd does.
 */
import type { Container, EndpointState, NetworkState } from "../../engine/containers/index.js";
import { parsePortKey } from "../../engine/containers/index.js";
import type { MountPointWire } from "../types/containers.js";

const emptyState: NetworkState = { endpoints: [], ports: [] };

interface EndpointWire {
  IPAMConfig: { IPv4Address: string } | null;
  Links: null;
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: null;
  GwPriority: number;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  DNSNames: string[] | null;
}

/** The networks map, keyed by network name. */
export function networksWire(c: Container, state: NetworkState = emptyState): Record<string, EndpointWire> {
  const out: Record<string, EndpointWire> = {};
  const configured = c.networks ?? [];
  const mode = c.spec.host.networkMode;
  if (configured.length === 0 && !mode.startsWith("container:")) {
    // none / host (and records from before multi-network support).
    out[mode] = endpointWire("", undefined, undefined, []);
  }
  for (const cfg of configured) {
    const live = state.endpoints.find(
      (e) => e.networkId === cfg.id || (cfg.id === "" && e.networkName === cfg.name),
    );
    out[cfg.name] = endpointWire(cfg.id, live, cfg.ipv4, cfg.aliases, cfg.mac);
  }
  return out;
}

function endpointWire(
  networkId: string,
  live: EndpointState | undefined,
  ipv4: string | undefined,
  aliases: string[],
  mac?: string,
): EndpointWire {
  return {
    IPAMConfig: ipv4 ? { IPv4Address: ipv4 } : null,
    Links: null,
    Aliases: aliases.length > 0 ? aliases : null,
    MacAddress: live?.mac ?? mac ?? "",
    DriverOpts: null,
    GwPriority: 0,
    NetworkID: live?.networkId ?? networkId,
    EndpointID: live?.endpointId ?? "",
    Gateway: live?.gateway ?? "",
    IPAddress: live?.ip ?? "",
    IPPrefixLen: live?.prefixLen ?? 0,
    IPv6Gateway: "",
    GlobalIPv6Address: "",
    GlobalIPv6PrefixLen: 0,
    DNSNames: live?.dnsNames ?? null,
  };
}

/** Every port the container exposes or publishes: "80/tcp" → bindings, or null when not published. */
export function portsWire(
  c: Container,
  state: NetworkState,
): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const key of Object.keys(c.config.exposedPorts)) {
    const p = parsePortKey(key);
    if (p) out[`${p.port}/${p.proto}`] = null;
  }
  for (const b of c.spec.host.portBindings ?? []) out[`${b.containerPort}/${b.proto}`] ??= null;
  for (const b of state.ports) {
    const key = `${b.containerPort}/${b.proto}`;
    const list = out[key] ?? [];
    list.push({ HostIp: b.hostIp, HostPort: String(b.hostPort) });
    out[key] = list;
  }
  return out;
}

/** inspect's NetworkSettings; the top-level address fields describe the default bridge only, as in Docker. */
export function networkSettingsWire(c: Container, state: NetworkState): Record<string, unknown> {
  const sandboxKey = state.sandboxKey ?? "";
  const running = state.endpoints.length > 0;
  const networks = networksWire(c, state);
  const bridge = state.endpoints.find((e) => e.networkName === "bridge");
  return {
    Bridge: "",
    SandboxID: running ? (sandboxKey.split("/").pop() ?? "") : "",
    SandboxKey: running ? sandboxKey : "",
    Ports: running ? portsWire(c, state) : {},
    HairpinMode: false,
    LinkLocalIPv6Address: "",
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: bridge?.endpointId ?? "",
    Gateway: bridge?.gateway ?? "",
    GlobalIPv6Address: "",
    GlobalIPv6PrefixLen: 0,
    IPAddress: bridge?.ip ?? "",
    IPPrefixLen: bridge?.prefixLen ?? 0,
    IPv6Gateway: "",
    MacAddress: bridge?.mac ?? "",
    Networks: networks,
  };
}

/** The list's Ports: published bindings, then exposed ports without one (by port), while the container has endpoints. */
export function summaryPortsWire(
  c: Container,
  state: NetworkState,
): { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] {
  const out: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] = [];
  // As dockerd builds them from NetworkSettings.Ports: nothing without a live endpoint
  // (created, stopped, or on the none and host networks).
  if (state.endpoints.length === 0) return out;
  const published = new Set<string>();
  for (const b of state.ports) {
    published.add(`${b.containerPort}/${b.proto}`);
    out.push({ IP: b.hostIp, PrivatePort: b.containerPort, PublicPort: b.hostPort, Type: b.proto });
  }
  for (const key of Object.keys(c.config.exposedPorts)) {
    const p = parsePortKey(key);
    if (p && !published.has(`${p.port}/${p.proto}`)) out.push({ PrivatePort: p.port, Type: p.proto });
  }
  return out.sort((a, b) => a.PrivatePort - b.PrivatePort || (a.PublicPort ?? 0) - (b.PublicPort ?? 0));
}

/** inspect's and the list's Mounts. */
export function mountsWire(c: Container): MountPointWire[] {
  return c.spec.host.mounts.map((m): MountPointWire => {
    switch (m.type) {
      case "bind":
        return {
          Type: "bind",
          Source: m.source,
          Destination: m.target,
          Mode: m.readOnly ? "ro" : "",
          RW: !m.readOnly,
          Propagation: m.propagation,
        };
      case "tmpfs":
        return { Type: "tmpfs", Source: "", Destination: m.target, Mode: "", RW: true, Propagation: "" };
      case "volume":
        return {
          Type: "volume",
          Name: m.name,
          Source: m.source,
          Destination: m.target,
          Driver: "local",
          Mode: m.mode,
          RW: !m.readOnly,
          Propagation: "",
        };
    }
  });
}
