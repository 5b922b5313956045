/**
 * HostConfig.LogConfig: which log drivers berthd accepts and the options it
 * honours. Logs are always kept by conmon in one file per container; `max-size`
 * caps it (and a default cap keeps a chatty container from filling the disk),
 * `max-file` keeps that many files in all (engine/containers/runtime/logRotation.ts).
 */
import { invalid, notImplemented } from "../../engine/errors.js";
import type { LogSpec } from "../../engine/containers/index.js";

/** Drivers that store logs on this host, all served by conmon's log file. */
const localDrivers = new Set(["json-file", "local", "k8s-file"]);
/** Docker's other drivers: known names, not available here. */
const remoteDrivers = new Set([
  "none",
  "syslog",
  "journald",
  "gelf",
  "fluentd",
  "awslogs",
  "splunk",
  "gcplogs",
  "logentries",
  "etwlogs",
]);
const knownOptions = new Set([
  "max-size",
  "max-file",
  "compress",
  "labels",
  "labels-regex",
  "env",
  "env-regex",
  "tag",
  "mode",
  "max-buffer-size",
]);

/** 100 MiB unless `--log-opt max-size` says otherwise. */
export const defaultLogMaxSize = 100 * 1024 * 1024;

export function parseLogConfig(
  wire: { Type?: string; Config?: Record<string, string> | null } | undefined,
): LogSpec {
  const type = wire?.Type || "json-file";
  const config = wire?.Config ?? {};
  if (!localDrivers.has(type)) {
    if (remoteDrivers.has(type)) throw notImplemented(`the ${type} logging driver is not supported by Berth`);
    throw invalid(`logger: no log driver named '${type}' is registered`);
  }
  for (const key of Object.keys(config)) {
    if (!knownOptions.has(key)) throw invalid(`unknown log opt '${key}' for ${type} log driver`);
  }
  const maxSize = config["max-size"] === undefined ? defaultLogMaxSize : parseLogSize(config["max-size"]);
  const maxFile = config["max-file"];
  if (maxFile !== undefined && !(/^\d+$/.test(maxFile) && Number(maxFile) >= 1)) {
    throw invalid("max-file cannot be less than 1");
  }
  // max-file counts the current file: n - 1 full ones are kept beside it (needs a size cap).
  return { type, config, maxSize, maxFile: maxSize > 0 && maxFile !== undefined ? Number(maxFile) : 1 };
}

/** go-units RAMInBytes, as json-file reads max-size: "10m" is 10 MiB; "-1" is no cap. */
function parseLogSize(text: string): number {
  if (text === "-1") return 0;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(text.trim());
  if (m === null) throw invalid(`invalid size: '${text}'`);
  const power = " kmgtp".indexOf((m[2] || " ").toLowerCase());
  return Math.floor(Number(m[1]) * 1024 ** power);
}
