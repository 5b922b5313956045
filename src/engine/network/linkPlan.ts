/**
 * The `ip` commands of a bridge and of one endpoint, as data. An endpoint is
 * set up in two batches: inside the container's netns (the veth pair is born
 * there, its peer sent to the host's netns, then address, up and default
 * route) and in the host (peer enslaved to the bridge, up). With a new netns
 * the first batch also creates it, so a whole attach is two process spawns.
 */
import { randomBytes } from "node:crypto";
import type { IpCommand } from "../host/ip.js";

export interface BridgeSpec {
  name: string;
  mtu: number;
  /** Gateway address with prefix, e.g. "172.18.0.1/16". */
  gatewayCidr: string;
}

/**
 * The bridge gets an address of its own (02:42 and four random bytes, as
 * libnetwork does): a bridge left with the kernel's would take the lowest MAC
 * among its ports, so a container joining could change the gateway's MAC under
 * the neighbours' ARP caches and cut them off (DNS included) for tens of seconds.
 */
export function bridgeUpPlan(b: BridgeSpec, random: Buffer = randomBytes(4)): IpCommand[] {
  const mac = ["02", "42", ...[...random.subarray(0, 4)].map((x) => x.toString(16).padStart(2, "0"))];
  return [
    ["link", "add", b.name, "address", mac.join(":"), "mtu", String(b.mtu), "type", "bridge"],
    ["addr", "add", b.gatewayCidr, "dev", b.name],
    ["link", "set", b.name, "up"],
  ];
}

export function linkDeletePlan(name: string): IpCommand[] {
  return [["link", "del", name]];
}

export interface EndpointLinks {
  /** Interface name inside the container: eth0, eth1… */
  ifName: string;
  /** Host side of the veth pair: veth + 7 hex, like Docker's. */
  hostIf: string;
  bridge: string;
  mac: string;
  mtu: number;
  /** Address with prefix, e.g. "172.18.0.2/16". */
  cidr: string;
  /** Default route via this gateway (the container's first network only). */
  defaultGateway?: string;
  /** The host's netns as a path the ip process can open from inside the container's netns. */
  hostNetnsPath: string;
}

export function endpointInsidePlan(e: EndpointLinks): IpCommand[] {
  const mtu = String(e.mtu);
  const cmds: IpCommand[] = [
    [
      "link",
      "add",
      e.ifName,
      "address",
      e.mac,
      "mtu",
      mtu,
      "type",
      "veth",
      "peer",
      "name",
      e.hostIf,
      "mtu",
      mtu,
      "netns",
      e.hostNetnsPath,
    ],
    ["addr", "add", e.cidr, "dev", e.ifName],
    ["link", "set", e.ifName, "up"],
  ];
  // The host side is still down here: `onlink` spares the kernel's reachability check of the gateway.
  if (e.defaultGateway)
    cmds.push(["route", "add", "default", "via", e.defaultGateway, "dev", e.ifName, "onlink"]);
  return cmds;
}

export function endpointHostPlan(e: EndpointLinks): IpCommand[] {
  return [["link", "set", e.hostIf, "master", e.bridge, "up"]];
}
