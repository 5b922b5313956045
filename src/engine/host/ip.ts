/**
 * iproute2 executor. Callers hand over plans as lists of `ip` commands (argv
 * without the leading "ip"); they run as one `ip -batch -` so a whole bridge or
 * veth setup costs one process spawn, in the host's netns or inside a named
 * one (through nsenter, which takes any path; `ip -n` only knows /run/netns).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCommand } from "./command.js";

/** One `ip` command, e.g. ["link", "set", "eth0", "up"]. */
export type IpCommand = readonly string[];

export interface IpHost {
  /** Runs the commands in order, stopping at the first failure; in netnsPath when given. */
  batch(commands: readonly IpCommand[], netnsPath?: string): Promise<void>;
  /** Whether a network interface of that name exists in the host's netns. */
  linkExists(name: string): boolean;
  /** Host interface names, with the bridge each one is enslaved to. */
  links(): { name: string; master?: string }[];
  /** Writes /proc/sys/<key> (key with slashes, e.g. "net/ipv4/conf/br0/route_localnet"). */
  setSysctl(key: string, value: string): void;
  readSysctl(key: string): string;
}

const ipTimeoutMs = 15_000;

/** The `ip -batch` text for a plan; each token must be free of whitespace (batch splits on it). */
export function batchText(commands: readonly IpCommand[]): string {
  return commands
    .map((argv) => {
      for (const t of argv) {
        if (t === "" || /\s/.test(t)) throw new Error(`ip batch: bad token ${JSON.stringify(t)}`);
      }
      return argv.join(" ");
    })
    .join("\n")
    .concat("\n");
}

/** argv of `ip -batch -` run in the host's netns or entered into netnsPath. */
export function batchArgv(netnsPath?: string): string[] {
  const ip = ["ip", "-batch", "-"];
  return netnsPath === undefined ? ip : ["nsenter", `--net=${netnsPath}`, "--", ...ip];
}

export const realIp: IpHost = {
  async batch(commands, netnsPath) {
    if (commands.length === 0) return;
    await runCommand(batchArgv(netnsPath), { input: batchText(commands), timeoutMs: ipTimeoutMs });
  },
  linkExists(name) {
    return !name.includes("/") && existsSync(join("/sys/class/net", name));
  },
  links() {
    return readdirSync("/sys/class/net").map((name) => {
      const master = masterOf(name);
      return master === undefined ? { name } : { name, master };
    });
  },
  setSysctl(key, value) {
    writeFileSync(sysctlPath(key), value);
  },
  readSysctl(key) {
    return readFileSync(sysctlPath(key), "utf8").trim();
  },
};

function masterOf(name: string): string | undefined {
  try {
    const target = readFileSync(join("/sys/class/net", name, "master", "uevent"), "utf8");
    return /^INTERFACE=(.+)$/m.exec(target)?.[1];
  } catch {
    return undefined;
  }
}

function sysctlPath(key: string): string {
  if (key.includes("..") || key.startsWith("/")) throw new Error(`bad sysctl key: ${key}`);
  return join("/proc/sys", key);
}
