/**
 * What the container service needs from the rest of the engine, as small
 * roles. wire.ts passes the real services; unit tests pass literals.
 */
import type { EngineEvent } from "../events/index.js";
import type { ImageLookup } from "../images/types.js";
import type { Mounter } from "../host/mount.js";
import type { RwLayers } from "../layers/types.js";
import type { Runtime } from "./runtime/types.js";
import type { NetworkEndpointConfig } from "./model.js";
import type { OciDevice } from "./spec/oci.js";

export interface ContainerEvents {
  publish(e: Omit<EngineEvent, "timeNano">): unknown;
}

/** A network as the container module needs to know it. */
export interface NetworkInfo {
  id: string;
  name: string;
  /** "bridge", "host" or "null". */
  driver: string;
}

/** One live endpoint: the container on one network while it runs. */
export interface EndpointState {
  networkId: string;
  networkName: string;
  endpointId: string;
  aliases: string[];
  ip?: string;
  prefixLen?: number;
  mac?: string;
  gateway?: string;
  /** Names the network's DNS answers for it (user-defined networks only). */
  dnsNames?: string[];
}

/** What joining a network gives the runner. */
export interface JoinResult extends EndpointState {
  /** The container's netns; null on the host network. */
  netnsPath: string | null;
  /** The network's own DNS server (user-defined networks), replacing the host's. */
  dnsServer?: string;
  /**
   * join() answers once the container's side is set up; the host's side
   * (the bridge port) settles this. Await it before the container runs; a
   * failure has undone the join.
   */
  ready: Promise<void>;
}

export interface PortRequest {
  containerPort: number;
  proto: "tcp" | "udp";
  hostIp?: string;
  hostPort?: number;
  hostPortEnd?: number;
}

export interface PublishedPort {
  containerPort: number;
  proto: string;
  hostIp: string;
  hostPort: number;
}

/** Networks other than none (bridge, user-defined, host), when a network backend is wired. */
export interface ContainerNetworking {
  /** A network by name, ID or unique prefix; not-found with Docker's "network X not found". */
  resolve(ref: string): NetworkInfo;
  /** Joins one network, creating the container's netns with the first. */
  join(c: { id: string; name: string }, net: NetworkEndpointConfig): Promise<JoinResult>;
  /** Leaves one network (a running container's disconnect). */
  leave(id: string, networkId: string): Promise<void>;
  /** Publishes ports on the container's first bridge network. */
  publish(id: string, ports: readonly PortRequest[]): Promise<PublishedPort[]>;
  /** Undoes every join and publish, removes the netns; idempotent. */
  detach(id: string): Promise<void>;
  endpoints(id: string): EndpointState[];
  published(id: string): PublishedPort[];
  /** Where a running container's netns is bound (for --network container:). */
  netnsPath(id: string): string;
  /** The default bridge's gateway: --add-host's "host-gateway". */
  hostGateway(): string | undefined;
}

/** The volumes module, as containers use it. */
export interface ContainerVolumes {
  /** Idempotent for a name; without a name an anonymous volume. */
  create(opts: {
    name?: string;
    labels?: Readonly<Record<string, string>>;
    options?: Readonly<Record<string, string>>;
  }): Promise<{ name: string; mountpoint: string }>;
  acquire(
    name: string,
    containerId: string,
    info: { destination: string; readWrite: boolean; propagation: string },
  ): Promise<string>;
  release(name: string, containerId: string): Promise<void>;
  populateFromImage(name: string, sourceDir: string): Promise<boolean>;
  remove(name: string, opts?: { force?: boolean }): Promise<void>;
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
  /** The device node at `path`, or those under it if it is a directory (--device). */
  devicesAt(path: string): Promise<OciDevice[]>;
}

export interface ContainerServiceDeps {
  images: ImageLookup;
  layers: RwLayers;
  runtime: Runtime;
  events: ContainerEvents;
  host: HostFacts;
  /** Missing: only "none" and "host" networks work. */
  networking?: ContainerNetworking;
  /** Missing: named and anonymous volumes are refused. */
  volumes?: ContainerVolumes;
  /** <data-root>/containers: one directory per container (generated files, bundle, log). */
  root: string;
  /** Host path of the static init bound at /sbin/docker-init. */
  initPath: string;
  /** The network a create without one gets ("bridge" when networking is wired). */
  defaultNetwork: string;
  /** Mounts the host-side /dev/shm of --ipc=shareable containers; missing: shareable is refused. */
  mounter?: Mounter;
}
