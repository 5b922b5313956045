/**
 * containers: the container model, its state machine, the OCI spec, and the
 * lifecycle service.
 *
 * Glossary: a container *ref* is what a user typed (name, "/name", ID or
 * unique ID prefix); its *id* is 64 hex; its *name* has no leading "/" (the
 * slash exists only on the wire). The *spec* is what create asked for; the
 * *config* is the image's config merged with it; the *bundle* is the
 * directory with config.json the runtime reads. A *run* is one start..exit.
 */
export { ContainerService } from "./service.js";
export type { LogSpec } from "./model.js";
export type {
  CreateOptions,
  StopOptions,
  WaitCondition,
  WaitResult,
  RemoveOptions,
  PruneResult,
  ContainerPaths,
} from "./service.js";
export type { ExecConfig, ExecRecord, ExecStartOptions } from "./exec.js";
export { ContainerStore, containersSchema } from "./store.js";
export type {
  Container,
  ContainerSpec,
  HostSpec,
  DeviceMapping,
  DeviceRuleSpec,
  MountSpec,
  BindMount,
  TmpfsMount,
  VolumeMount,
  PortBindingSpec,
  NetworkEndpointConfig,
  NetworkRequest,
  Ulimit,
  RestartPolicy,
  Healthcheck,
  ResolvedConfig,
} from "./model.js";
export { validateRestartPolicy } from "./restartManager.js";
export { validateHealthcheck, type HealthState, type HealthStatus, type HealthResult } from "./health.js";
export { viewState, isActive, type ContainerState, type ContainerStatus, type StateView } from "./state.js";
export type {
  ContainerServiceDeps,
  ContainerNetworking,
  ContainerVolumes,
  EndpointState,
  JoinResult,
  NetworkInfo,
  PortRequest,
  PublishedPort,
  HostFacts,
} from "./deps.js";
export type { ConnectOptions, NetworkState } from "./networkOps.js";
export { parsePortKey } from "./sandbox.js";
export { realHostFacts } from "./hostFacts.js";
export { parseSignal } from "./signals.js";
export { parseEnvFile } from "./spec/env.js";
export { allCapabilities } from "./spec/caps.js";
export type { OutputChunk, LogLine, ConsoleSize, AttachSession, ExecSession } from "./runtime/types.js";
export { maskedPaths, readonlyPaths } from "./spec/oci.js";
export { parseSeccompProfile } from "./spec/seccompParse.js";
export type { DockerSeccompProfile } from "./spec/seccomp.js";
