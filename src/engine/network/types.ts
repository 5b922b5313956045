/** Domain types of networks, endpoints and published ports. */
import type { Proto } from "./firewallPlan.js";

declare const networkIdBrand: unique symbol;
/** 64 hex, like Docker's network IDs. */
export type NetworkId = string & { readonly [networkIdBrand]: "NetworkId" };

export type NetworkDriver = "bridge" | "host" | "null";

export interface Network {
  id: NetworkId;
  name: string;
  driver: NetworkDriver;
  /** RFC 3339. */
  created: string;
  internal: boolean;
  /** Created with --attachable (kept for inspect; local networks are always attachable). */
  attachable?: boolean;
  labels: Record<string, string>;
  /** Driver options as given (com.docker.network.bridge.name, …driver.mtu, …). */
  options: Record<string, string>;
  /** Bridge networks only. */
  bridge?: BridgeConfig;
}

export interface BridgeConfig {
  /** Linux bridge name (berth0, br-<id12>). */
  name: string;
  subnet: string;
  gateway: string;
  ipRange?: string;
  /** The subnet and gateway were given by the user (inspect echoes only what was given). */
  userSubnet?: boolean;
  userGateway?: boolean;
  mtu: number;
  icc: boolean;
  masquerade: boolean;
  /** The default `bridge` network: no embedded DNS, as in Docker. */
  isDefault: boolean;
}

export interface NetworkCreateSpec {
  name: string;
  /** Default "bridge". */
  driver?: string;
  internal?: boolean;
  attachable?: boolean;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  labels?: Record<string, string>;
  options?: Record<string, string>;
}

export interface ConnectOptions {
  /** Container name without the leading "/"; resolves in DNS. */
  containerName: string;
  aliases?: readonly string[];
  /** Static IPv4 (--ip). */
  ip?: string;
  /** Otherwise derived from the IP. */
  mac?: string;
  /**
   * Answer once the container's side is set up (netns, its interface and
   * routes): the bridge port comes up meanwhile and `ready` settles when it
   * has. A container starting may create its process in between.
   */
  bridgePortLater?: boolean;
}

/** One container attached to one network. */
export interface Endpoint {
  networkId: NetworkId;
  containerId: string;
  containerName: string;
  endpointId: string;
  aliases: string[];
  /** Bridge networks only: */
  ifName?: string;
  hostIf?: string;
  ip?: string;
  prefixLen?: number;
  mac?: string;
  gateway?: string;
}

export interface ConnectResult extends Endpoint {
  /** The container's netns; null with the host network (share the host's). */
  netnsPath: string | null;
  /** Nameserver for the container's resolv.conf: the gateway on user-defined bridges. */
  dnsServer?: string;
  /** Settles when the attach is complete (see ConnectOptions.bridgePortLater); a failure has undone it. */
  ready: Promise<void>;
}

export interface PortRequest {
  containerPort: number;
  proto: Proto;
  hostIp?: string;
  /** 0 or absent: an ephemeral port. */
  hostPort?: number;
  hostPortEnd?: number;
}

export interface PortBinding {
  containerPort: number;
  proto: Proto;
  hostIp: string;
  hostPort: number;
}
