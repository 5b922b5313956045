/**
 * berthd's configuration: command-line flags and /etc/berth/daemon.json, with
 * Docker's key names. A key given both ways is an error, as in dockerd.
 */
import { readFileSync } from "node:fs";
import { errnoCode } from "../engine/errors.js";
import { isLogLevel, type LogLevel } from "../engine/log.js";

export interface DaemonConfig {
  dataRoot: string;
  execRoot: string;
  hosts: string[];
  logLevel: LogLevel;
  pidfile: string;
  debug: boolean;
  /** Explicit --tls=false: allow plain TCP on non-loopback addresses. */
  tlsDisabledExplicitly: boolean;
  defaultRuntime: string;
  configFile: string;
}

export const defaultConfigFile = "/etc/berth/daemon.json";

export class ConfigError extends Error {}

type Key = "data-root" | "exec-root" | "hosts" | "log-level" | "pidfile" | "debug" | "default-runtime";

const usage = `Usage:	berthd [OPTIONS]

A self-sufficient runtime for containers, speaking the Docker Engine API.

Options:
      --config-file string      Daemon configuration file (default "/etc/berth/daemon.json")
      --data-root string        Root directory of persistent state (default "/var/lib/berth")
  -D, --debug                   Enable debug mode
      --default-runtime string  Default OCI runtime for containers (default "runc")
      --exec-root string        Root directory for execution state files (default "/run/berth")
  -h, --help                    Print usage
  -H, --host list               Daemon socket(s) to connect to
  -l, --log-level string        Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
  -p, --pidfile string          Path to use for daemon PID file (default "<exec-root>/berthd.pid")
      --tls                     Use TLS; --tls=false allows plain TCP on non-loopback addresses
  -v, --version                 Print version information and quit
`;

export function daemonUsage(): string {
  return usage;
}

export type ParsedArgs = { kind: "run"; config: DaemonConfig } | { kind: "help" } | { kind: "version" };

export function parseDaemonArgs(argv: readonly string[], readFile = readConfigFile): ParsedArgs {
  const flags = new Map<Key, string | string[] | boolean>();
  let configFile = defaultConfigFile;
  let configFileGiven = false;
  let tlsFalse = false;
  const hosts: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = () => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new ConfigError(`flag needs an argument: ${name}`);
      return v;
    };
    switch (name) {
      case "-h":
      case "--help":
        return { kind: "help" };
      case "-v":
      case "--version":
        return { kind: "version" };
      case "--data-root":
        flags.set("data-root", value());
        break;
      case "--exec-root":
        flags.set("exec-root", value());
        break;
      case "-H":
      case "--host":
        hosts.push(value());
        flags.set("hosts", hosts);
        break;
      case "-l":
      case "--log-level":
        flags.set("log-level", value());
        break;
      case "-p":
      case "--pidfile":
        flags.set("pidfile", value());
        break;
      case "-D":
      case "--debug":
        flags.set("debug", inline === undefined ? true : inline !== "false");
        break;
      case "--default-runtime":
        flags.set("default-runtime", value());
        break;
      case "--config-file":
        configFile = value();
        configFileGiven = true;
        break;
      case "--tls":
        tlsFalse = inline === "false";
        if (!tlsFalse) throw new ConfigError("TLS is not supported yet by berthd");
        break;
      default:
        throw new ConfigError(`unknown flag: ${name}\nSee 'berthd --help'.`);
    }
  }
  const file = readFile(configFile, configFileGiven);
  const both = [...flags.keys()].filter((k) => k in file);
  if (both.length > 0) {
    const list = both.map((k) => `${k}: (from flag: ${String(flags.get(k))}, from file: ${String(file[k])})`);
    throw new ConfigError(
      `the following directives are specified both as a flag and in the configuration file: ${list.join(", ")}`,
    );
  }
  const pick = <T>(k: Key, check: (v: unknown) => v is T, dflt: T): T => {
    const v = flags.has(k) ? flags.get(k) : file[k];
    if (v === undefined) return dflt;
    if (!check(v)) throw new ConfigError(`invalid value for ${k}: ${JSON.stringify(v)}`);
    return v;
  };
  const isString = (v: unknown): v is string => typeof v === "string" && v !== "";
  const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");
  const isBool = (v: unknown): v is boolean => typeof v === "boolean";
  const execRoot = pick("exec-root", isString, "/run/berth");
  const debug = pick("debug", isBool, false);
  const level = pick("log-level", isString, debug ? "debug" : "info");
  if (!isLogLevel(level)) throw new ConfigError(`unable to parse logging level: ${level}`);
  const hostList = pick("hosts", isStrings, []);
  return {
    kind: "run",
    config: {
      dataRoot: pick("data-root", isString, "/var/lib/berth"),
      execRoot,
      hosts: hostList.length > 0 ? hostList : [`unix://${execRoot}/berth.sock`],
      logLevel: level,
      pidfile: pick("pidfile", isString, `${execRoot}/berthd.pid`),
      debug,
      tlsDisabledExplicitly: tlsFalse,
      defaultRuntime: pick("default-runtime", isString, "runc"),
      configFile,
    },
  };
}

function readConfigFile(path: string, mustExist: boolean): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (errnoCode(err) === "ENOENT" && !mustExist) return {};
    throw new ConfigError(`unable to configure the daemon: open ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`unable to configure the daemon with file ${path}: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`unable to configure the daemon with file ${path}: not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}
