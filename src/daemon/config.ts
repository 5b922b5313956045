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
  /** The default bridge's address and prefix ("10.200.0.1/24"); Docker's pools when absent. */
  bip?: string;
  /** Where networks without --subnet get their subnets from; Docker's pools when empty. */
  defaultAddressPools: { base: string; size: number }[];
  /** false: no iptables rule is ever added (dockerd's --iptables=false). */
  iptables: boolean;
  /** Turn on net.ipv4.ip_forward at start (dockerd's --ip-forward). */
  ipForward: boolean;
  /** Linux bridge of the default network. */
  bridgeName: string;
  /** Names Berth's iptables chains and tags its rules (hidden; tests use their own). */
  iptablesChainPrefix: string;
  /** Hidden: at exit, remove the bridges and rules this daemon made (tests). */
  cleanupNetworkOnExit: boolean;
  /** Registries reached without TLS verification, then over HTTP ("host:port" or CIDR); 127.0.0.0/8 always. */
  insecureRegistries: string[];
  /** Pull-through mirrors of docker.io (URLs). */
  registryMirrors: string[];
}

export const defaultConfigFile = "/etc/berth/daemon.json";

export class ConfigError extends Error {}

type Key =
  | "data-root"
  | "exec-root"
  | "hosts"
  | "log-level"
  | "pidfile"
  | "debug"
  | "default-runtime"
  | "bip"
  | "default-address-pools"
  | "iptables"
  | "ip-forward"
  | "bridge-name"
  | "iptables-chain-prefix"
  | "cleanup-network-on-exit"
  | "insecure-registries"
  | "registry-mirrors";

const usage = `Usage:	berthd [OPTIONS]

A self-sufficient runtime for containers, speaking the Docker Engine API.

Options:
      --bip string              Specify default-bridge IP
      --bridge-name string      Linux bridge of the default network (default "berth0")
      --config-file string      Daemon configuration file (default "/etc/berth/daemon.json")
      --data-root string        Root directory of persistent state (default "/var/lib/berth")
  -D, --debug                   Enable debug mode
      --default-address-pool pool-options   Default address pools for node specific local networks
      --default-runtime string  Default OCI runtime for containers (default "runc")
      --exec-root string        Root directory for execution state files (default "/run/berth")
  -h, --help                    Print usage
      --insecure-registry list  Enable insecure registry communication
  -H, --host list               Daemon socket(s) to connect to
      --ip-forward              Enable net.ipv4.ip_forward (default true)
      --iptables                Enable addition of iptables rules (default true)
  -l, --log-level string        Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
  -p, --pidfile string          Path to use for daemon PID file (default "<exec-root>/berthd.pid")
      --registry-mirror list    Preferred registry mirror
      --tls                     Use TLS; --tls=false allows plain TCP on non-loopback addresses
  -v, --version                 Print version information and quit
`;

export function daemonUsage(): string {
  return usage;
}

export type ParsedArgs = { kind: "run"; config: DaemonConfig } | { kind: "help" } | { kind: "version" };

export function parseDaemonArgs(argv: readonly string[], readFile = readConfigFile): ParsedArgs {
  const flags = new Map<Key, string | string[] | boolean | { base: string; size: number }[]>();
  let configFile = defaultConfigFile;
  let configFileGiven = false;
  let tlsFalse = false;
  const hosts: string[] = [];
  const pools: { base: string; size: number }[] = [];
  const insecureRegistries: string[] = [];
  const registryMirrors: string[] = [];
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
      case "--bip":
        flags.set("bip", value());
        break;
      case "--default-address-pool":
        pools.push(parsePoolFlag(value()));
        flags.set("default-address-pools", pools);
        break;
      case "--iptables":
      case "--ip-forward":
      case "--cleanup-network-on-exit":
        flags.set(name.slice(2) as Key, boolFlag(name, inline));
        break;
      case "--bridge-name":
        flags.set("bridge-name", value());
        break;
      case "--insecure-registry":
        insecureRegistries.push(value());
        flags.set("insecure-registries", insecureRegistries);
        break;
      case "--registry-mirror":
        registryMirrors.push(value());
        flags.set("registry-mirrors", registryMirrors);
        break;
      case "--iptables-chain-prefix":
        flags.set("iptables-chain-prefix", value());
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
    const list = both.map(
      (k) => `${k}: (from flag: ${flagText(flags.get(k))}, from file: ${String(file[k])})`,
    );
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
  const isPools = (v: unknown): v is { base: string; size: number }[] =>
    Array.isArray(v) &&
    v.every(
      (p) =>
        typeof p === "object" &&
        p !== null &&
        typeof (p as { base?: unknown }).base === "string" &&
        Number.isInteger((p as { size?: unknown }).size),
    );
  const bip = pick<string | undefined>("bip", isString, undefined);
  const prefix = pick("iptables-chain-prefix", isString, "BERTH");
  if (!/^[A-Z][A-Z0-9_]{0,9}$/.test(prefix))
    throw new ConfigError(
      `invalid iptables chain prefix ${prefix}: 1-10 of A-Z, 0-9, _, starting with a letter`,
    );
  const bridgeName = pick("bridge-name", isString, "berth0");
  if (bridgeName.length > 15 || !/^[a-zA-Z0-9_.-]+$/.test(bridgeName))
    throw new ConfigError(`invalid bridge name: ${bridgeName}`);
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
      ...(bip !== undefined ? { bip } : {}),
      defaultAddressPools: pick("default-address-pools", isPools, []),
      iptables: pick("iptables", isBool, true),
      ipForward: pick("ip-forward", isBool, true),
      bridgeName,
      iptablesChainPrefix: prefix,
      cleanupNetworkOnExit: pick("cleanup-network-on-exit", isBool, false),
      insecureRegistries: pick("insecure-registries", isStrings, []),
      registryMirrors: pick("registry-mirrors", isStrings, []).map((m) => m.replace(/\/+$/, "")),
    },
  };
}

function flagText(v: unknown): string {
  return typeof v === "string" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
}

/** `--iptables`, `--iptables=false`: a bool flag takes its value only after "=". */
function boolFlag(name: string, inline: string | undefined): boolean {
  if (inline === undefined || inline === "true" || inline === "1") return true;
  if (inline === "false" || inline === "0") return false;
  throw new ConfigError(
    `invalid argument "${inline}" for "${name}" flag: strconv.ParseBool: parsing "${inline}": invalid syntax`,
  );
}

/** dockerd's `--default-address-pool base=10.10.0.0/16,size=24`. */
function parsePoolFlag(v: string): { base: string; size: number } {
  const fields = new Map(
    v.split(",").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  );
  const base = fields.get("base");
  const size = Number(fields.get("size"));
  if (!base || !Number.isInteger(size)) throw new ConfigError(`invalid default address pool: ${v}`);
  return { base, size };
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
