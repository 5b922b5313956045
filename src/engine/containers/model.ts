/**
 * The container model. `ContainerSpec` is what a create asks for, holding only
 * what the engine implements (api/ translates Docker's wide create body into
 * it). `Container` is the record: identity, the image it came from, the
 * resolved process config, the spec, and the state.
 */
import type { ContainerId, ImageId } from "../ids.js";
import type { HealthState } from "./health.js";
import type { ContainerState } from "./state.js";
import type { DockerSeccompProfile } from "./spec/seccomp.js";

export interface BindMount {
  type: "bind";
  source: string;
  target: string;
  readOnly: boolean;
  /** "rprivate" unless asked (Docker's default). */
  propagation: string;
}

export interface TmpfsMount {
  type: "tmpfs";
  target: string;
  /** Mount options: size=, mode=, plus flags. */
  options: string[];
}

/** A volume of the volumes module, bound into the container at start. */
export interface VolumeMount {
  type: "volume";
  /** The volume's name; for an anonymous volume the one made at create. */
  name: string;
  /** Its data directory on the host (the bind source while running). */
  source: string;
  target: string;
  readOnly: boolean;
  /** Made for this container without a name: `rm -v` and `--rm` remove it. */
  anonymous: boolean;
  /** Skip the copy-up of the image's content into a new empty volume. */
  noCopy: boolean;
  /** Inspect's Mode: "z" for -v and --mount volumes, "" for image VOLUMEs. */
  mode: string;
  /** --mount volume-opt / volume-label: used when this mount creates the volume. */
  createOptions?: Record<string, string>;
  createLabels?: Record<string, string>;
}

export type MountSpec = BindMount | TmpfsMount | VolumeMount;

/** One published port as asked: HostConfig.PortBindings, one entry per host binding. */
export interface PortBindingSpec {
  containerPort: number;
  proto: "tcp" | "udp";
  /** "" : every address. */
  hostIp: string;
  /** 0: an ephemeral port; with hostPortEnd a range to pick from. */
  hostPort: number;
  hostPortEnd?: number;
}

/** A network the container joins at start, with what was asked for its endpoint. */
export interface NetworkEndpointConfig {
  /** Name (inspect's key) and ID (what start joins, so a re-created namesake is not joined). */
  name: string;
  id: string;
  aliases: string[];
  /** --ip / IPAMConfig.IPv4Address. */
  ipv4?: string;
  /** --mac-address / EndpointSettings.MacAddress. */
  mac?: string;
}

/** A network as asked at create (NetworkingConfig.EndpointsConfig), before resolution. */
export interface NetworkRequest {
  ref: string;
  aliases: string[];
  ipv4?: string;
  mac?: string;
}

export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

export interface RestartPolicy {
  name: "no" | "always" | "unless-stopped" | "on-failure";
  maximumRetryCount: number;
}

export interface Healthcheck {
  test: string[];
  intervalNs: number;
  timeoutNs: number;
  startPeriodNs: number;
  /** Between probes during the start period (API 1.44+); unset: Docker's default. */
  startIntervalNs?: number;
  retries: number;
}

/** Limits and isolation, Docker's HostConfig reduced to what is implemented. */
/** HostConfig.LogConfig as accepted: the driver name and options echo back in inspect. */
export interface LogSpec {
  type: string;
  config: Record<string, string>;
  /** Bytes before conmon starts the log afresh; 0 for no cap. */
  maxSize: number;
  /** Files kept in all, the current one included (`max-file`); absent on older records: 1. */
  maxFile?: number;
}

export interface DeviceMapping {
  pathOnHost: string;
  pathInContainer: string;
  /** Subset of "rwm". */
  permissions: string;
}

/** A devices cgroup rule: `c 1:3 rwm`; an absent major/minor is `*`. */
export interface DeviceRuleSpec {
  type: "a" | "b" | "c";
  major?: number;
  minor?: number;
  access: string;
}

export interface HostSpec {
  /** "none", "host", or a network name (resolved by the network backend). */
  networkMode: string;
  /** --pid: absent (a namespace of its own), "host", or "container:<name or ID>" (found at each start). */
  pidMode?: string;
  /** --uts: absent or "host" (the host's hostname, none set). */
  utsMode?: string;
  /**
   * --ipc: absent/"private" (its own), "shareable" (its own, /dev/shm on the host side so others
   * can join), "container:<name or ID>" (a shareable one's, found at each start), "none" (no
   * /dev/shm), or "host".
   */
  ipcMode?: string;
  /** --device: host device nodes (or directories of them) made in the container. */
  devices?: DeviceMapping[];
  /** --device-cgroup-rule: more devices the container may use. */
  deviceCgroupRules?: DeviceRuleSpec[];
  mounts: MountSpec[];
  readonlyRootfs: boolean;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  noNewPrivileges: boolean;
  /** "unconfined" or undefined (the default profile). */
  seccomp: "default" | "unconfined";
  /** A custom profile (`--security-opt seccomp=<file>`) used instead of the default one. */
  seccompProfile?: DockerSeccompProfile;
  groupAdd: string[];
  ulimits: Ulimit[];
  init: boolean;
  shmSize: number;
  memory: number;
  memorySwap: number;
  nanoCpus: number;
  cpuShares: number;
  cpuQuota: number;
  cpuPeriod: number;
  cpusetCpus: string;
  pidsLimit: number;
  autoRemove: boolean;
  restartPolicy: RestartPolicy;
  extraHosts: string[];
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  /** Absent on records made before ports were implemented. */
  portBindings?: PortBindingSpec[];
  /** Absent on records made before log options were implemented (the default cap applies). */
  logConfig?: LogSpec;
  /** -P: every exposed port gets an ephemeral host port. */
  publishAll?: boolean;
  /** --volumes-from: "container[:ro|rw]"; resolved into `mounts` at create. */
  volumesFrom?: string[];
}

export interface ContainerSpec {
  /** The image reference as the user typed it. */
  image: string;
  /** Undefined: the image's. An empty array resets the image's entrypoint. */
  entrypoint?: string[];
  cmd?: string[];
  env: string[];
  workingDir?: string;
  user?: string;
  hostname?: string;
  domainname?: string;
  labels: Record<string, string>;
  tty: boolean;
  openStdin: boolean;
  stdinOnce: boolean;
  stopSignal?: string;
  stopTimeout?: number;
  healthcheck?: Healthcheck;
  host: HostSpec;
  /** Config.ExposedPorts keys ("80/tcp"), added to the image's. */
  exposedPorts?: string[];
  /** Config.Volumes keys: anonymous volumes, added to the image's. */
  volumes?: string[];
  /** NetworkingConfig.EndpointsConfig: aliases, static IP and MAC per network. */
  networks?: NetworkRequest[];
}

/** The process config after merging the image's config with the spec. */
export interface ResolvedConfig {
  hostname: string;
  domainname: string;
  user: string;
  env: string[];
  /** Entrypoint + Cmd as Docker combines them: path is argv[0]. */
  path: string;
  args: string[];
  entrypoint: string[] | null;
  cmd: string[] | null;
  workingDir: string;
  labels: Record<string, string>;
  stopSignal: string;
  stopTimeout?: number;
  tty: boolean;
  openStdin: boolean;
  stdinOnce: boolean;
  exposedPorts: Record<string, object>;
  volumes: Record<string, object>;
  healthcheck?: Healthcheck;
}

export interface Container {
  id: ContainerId;
  /** Without the leading "/". */
  name: string;
  createdAt: string;
  imageId: ImageId;
  /** What the user typed (Config.Image). */
  imageRef: string;
  spec: ContainerSpec;
  config: ResolvedConfig;
  state: ContainerState;
  restartCount: number;
  /** The create request body as received, for inspect to echo; opaque to the engine. */
  createBody: Buffer | undefined;
  /** True once `stop` or `kill` was asked for, so a restart policy leaves it alone. */
  manuallyStopped: boolean;
  /**
   * The networks joined at each start, in order (the first one gives the
   * default route); absent on old records and for none/host/container: modes.
   */
  networks?: NetworkEndpointConfig[];
  /** Health-check state, from the first start of a container with a probe (Docker's State.Health). */
  health?: HealthState;
}
