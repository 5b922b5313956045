/**
 * What `POST /build` asks for, in the engine's words (api/ parses the query into this).
 */
import type { AuthConfig } from "../distribution/index.js";
import type { BuildSecrets } from "./secrets.js";

export interface BuildOptions {
  /** Path of the Dockerfile inside the context ("Dockerfile" by default). */
  dockerfile: string;
  /** Familiar references to tag the result with. */
  tags: string[];
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  target?: string;
  noCache: boolean;
  /** Images whose steps may be reused as cache (`--cache-from`). */
  cacheFrom: string[];
  /** Pull base images even when they are here (`--pull`). */
  pull: boolean;
  /** Logins for pulling base images, by registry (`X-Registry-Config`). */
  registryAuth: Record<string, AuthConfig>;
  /** Remove intermediate containers after a successful build. */
  rm: boolean;
  /** Always remove intermediate containers, even after a failure. */
  forceRm: boolean;
  /** "default", "none", "host" (or a network name). */
  networkMode: string;
  memory: number;
  memorySwap: number;
  cpuShares: number;
  cpusetCpus: string;
  shmSize: number;
  extraHosts: string[];
  /** Only the image ID is reported. */
  quiet: boolean;
  platform: string;
  /** Loopback URL of a tar context or a Dockerfile (`remote=`). */
  remote?: string;
  /** A build session opened before (berth's client): the body holds only what it asked for. */
  session?: string;
  /**
   * The session's secrets and ssh sockets, set by the service from `session`; undefined
   * without a session (the docker CLI's classic path cannot send any).
   */
  secrets?: BuildSecrets;
}

export function defaultBuildOptions(over: Partial<BuildOptions> = {}): BuildOptions {
  return {
    dockerfile: "Dockerfile",
    tags: [],
    buildArgs: {},
    labels: {},
    noCache: false,
    cacheFrom: [],
    pull: false,
    registryAuth: {},
    rm: true,
    forceRm: false,
    networkMode: "default",
    memory: 0,
    memorySwap: 0,
    cpuShares: 0,
    cpusetCpus: "",
    shmSize: 0,
    extraHosts: [],
    quiet: false,
    platform: "",
    ...over,
  };
}
