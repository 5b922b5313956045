/**
 * What the container service needs from the rest of the engine, as small
 * roles. wire.ts passes the real services; unit tests pass literals.
 */
import type { EngineEvent } from "../events/index.js";
import type { ImageLookup } from "../images/types.js";
import type { RwLayers } from "../layers/types.js";
import type { Runtime } from "./runtime/types.js";
import type { OciDevice } from "./spec/oci.js";

export interface ContainerEvents {
  publish(e: Omit<EngineEvent, "timeNano">): unknown;
}

/** A container's place on a network, made before the runtime creates it. */
export interface NetworkAttachment {
  /** The named netns the container joins. */
  netnsPath: string;
  /** Its addresses, for /etc/hosts. */
  addresses: string[];
  /** The network's own DNS server (user-defined networks), replacing the host's. */
  dnsServer?: string;
}

/** Networks other than none/host (bridge, user-defined), when a network backend is wired. */
export interface ContainerNetworking {
  attach(c: { id: string; name: string; hostname: string; network: string }): Promise<NetworkAttachment>;
  /** Undoes attach; idempotent. */
  detach(id: string): Promise<void>;
}

/** Facts about the host the spec depends on. */
export interface HostFacts {
  /** Go's GOARCH (amd64, arm64). */
  arch: string;
  kernel: string;
  hostname(): string;
  /** The host's /etc/resolv.conf and /etc/hosts (for host networking). */
  resolvConf(): Promise<string>;
  hostsFile(): Promise<string>;
  /** Devices given to privileged containers. */
  devices(): Promise<OciDevice[]>;
}

export interface ContainerServiceDeps {
  images: ImageLookup;
  layers: RwLayers;
  runtime: Runtime;
  events: ContainerEvents;
  host: HostFacts;
  /** Missing: only "none" and "host" networks work. */
  networking?: ContainerNetworking;
  /** <data-root>/containers: one directory per container (generated files, bundle, log). */
  root: string;
  /** Host path of the static init bound at /sbin/docker-init. */
  initPath: string;
  /** The network a create without one gets ("bridge" when networking is wired). */
  defaultNetwork: string;
}
