/**
 * The container runtime driver: conmon + an OCI runtime (runc).
 *
 * Glossary: bundle (dir with config.json and the rootfs), monitor (the conmon
 * of one container or exec session; outlives berthd), exit file (written by
 * conmon when the process exits; the durable exit code), state dir (this
 * driver's files, one dir per container, and runc's --root).
 */
export type * from "./types.js";
export { ConmonRuntime, lookPath, type ConmonRuntimeOptions } from "./conmonRuntime.js";
export { runtimeFailure } from "./failures.js";
export { parseK8sRecord, parseTimestampNano, LineJoiner, type K8sRecord } from "./k8sLog.js";
export { readLogs } from "./logReader.js";
