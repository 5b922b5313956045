/**
 * system: facts about the host and this engine for `info` and `version`.
 */
export { hostFacts, goArch, type HostFacts } from "./facts.js";
export {
  SystemService,
  type ContainerCounts,
  type SystemConfig,
  type SystemInfo,
  type SystemSources,
} from "./service.js";
export { berthVersion, berthGitCommit } from "./version.js";
