/**
 * network: bridge networking like netavark/aardvark-dns, without HTTP.
 *
 * Glossary:
 * - *network*: a named, ID'd broadcast domain; driver `bridge` (a Linux bridge
 *   with an IPv4 pool), or the pseudo-networks `host` (share the host's netns)
 *   and `none` (driver `null`: loopback only).
 * - *sandbox*: a container's network namespace, bound at `<execRoot>/netns/<id>`.
 * - *endpoint*: one container on one network: a veth pair (`ethN` inside,
 *   `vethXXXXXXX` on the bridge), an address and a MAC from IPAM.
 * - *pool*: the subnet of a network, its gateway (the bridge's address) and the
 *   range dynamic addresses come from.
 * - *published port*: hostIp:hostPort → containerIp:containerPort, by DNAT
 *   (and a userland proxy in "proxy" localhost mode); its *owner* is the container ID.
 * - *chain prefix*: names the iptables chains (`P`, `P-USER`, `P-FORWARD`,
 *   `P-ISOLATION-STAGE-1/2`) and starts every rule's comment, so rules are found
 *   and removed exactly.
 */
import { readFileSync } from "node:fs";
import { parseProcRoutes } from "./ipam.js";
import { formatIp, formatSubnet, maskOf, parseIp, type Subnet } from "./ipv4.js";
import type { Upstream } from "./dnsServer.js";
import { invalid } from "../errors.js";
import { ipamSchema } from "./ipam.js";
import { networkSchema } from "./store.js";

export {
  NetworkService,
  isPredefinedNetwork,
  type NetworkEvents,
  type NetworkServiceDeps,
} from "./service.js";
// Every domain type of the folder is public.
export type * from "./types.js";
export {
  Ipam,
  ipamSchema,
  defaultPools,
  chooseSubnet,
  macForIp,
  parseProcRoutes,
  type AddressPool,
  type Pool,
  type PoolRequest,
} from "./ipam.js";
export { parseIp, formatIp, parseSubnet, formatSubnet, type Subnet } from "./ipv4.js";
export { Firewall } from "./firewall.js";
export {
  desiredRules,
  restoreText,
  type BridgeRules,
  type FirewallConfig,
  type LocalhostMode,
  type PortRule,
  type Proto,
} from "./firewallPlan.js";
export { DnsServer, dnsTtl, type Upstream } from "./dnsServer.js";
export { DnsTable } from "./dnsTable.js";
export {
  PortAllocator,
  bindProbe,
  readEphemeralRange,
  type HostPort,
  type HostPortRequest,
} from "./portAllocator.js";
export { startPortProxy, type PortProxy, type ProxySpec } from "./portProxy.js";
export { netMessages } from "./messages.js";
export { networkSchema } from "./store.js";

/** The schemas this folder owns, for openDatabase. */
export const networkSchemas = [ipamSchema, networkSchema];

/** Subnets routed on this host now. */
export function readHostRoutes(): Subnet[] {
  return parseProcRoutes(readFileSync("/proc/net/route", "utf8"));
}

/** dockerd's --bip ("10.200.0.1/24": the bridge's address and prefix) as the default network's pool. */
export function bipPool(bip: string): { subnet: string; gateway: string } {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(bip);
  const prefix = Number(m?.[2]);
  if (!m?.[1] || prefix > 30) throw invalid(`invalid bip: ${bip}`);
  const ip = parseIp(m[1]);
  const base = (ip & maskOf(prefix)) >>> 0;
  if (ip === base || ip === (base | ~maskOf(prefix)) >>> 0) throw invalid(`invalid bip: ${bip}`);
  return { subnet: formatSubnet({ base, prefix }), gateway: formatIp(ip) };
}

/** IPv4 nameservers of a resolv.conf text, each on port 53: where the embedded DNS forwards. */
export function parseResolvConf(text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m?.[1]) continue;
    try {
      parseIp(m[1]);
      out.push({ address: m[1], port: 53 });
    } catch {
      // IPv6 nameservers: the embedded server forwards over IPv4 only.
    }
  }
  return out;
}

/** The host's resolvers, read on each call so edits to /etc/resolv.conf apply at once. */
export function hostUpstreams(path = "/etc/resolv.conf"): Upstream[] {
  try {
    return parseResolvConf(readFileSync(path, "utf8"));
  } catch {
    return [];
  }
}
