/** Facts about the host that `info` and `version` report. Read once, cached. */
import { readFileSync } from "node:fs";
import { cpus, hostname, release, totalmem } from "node:os";

export interface HostFacts {
  hostname: string;
  kernelVersion: string;
  operatingSystem: string;
  osVersion: string;
  architecture: string;
  ncpu: number;
  memTotal: number;
  cgroupVersion: "1" | "2";
}

let cached: HostFacts | undefined;

export function hostFacts(): HostFacts {
  if (cached) return cached;
  const osRelease = readOsRelease();
  cached = {
    hostname: hostname(),
    kernelVersion: release(),
    operatingSystem: osRelease.get("PRETTY_NAME") ?? "Linux",
    osVersion: osRelease.get("VERSION_ID") ?? "",
    architecture: process.arch === "x64" ? "x86_64" : process.arch === "arm64" ? "aarch64" : process.arch,
    ncpu: cpus().length,
    memTotal: totalmem(),
    cgroupVersion: cgroupVersion(),
  };
  return cached;
}

function readOsRelease(): Map<string, string> {
  const out = new Map<string, string>();
  try {
    for (const line of readFileSync("/etc/os-release", "utf8").split("\n")) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line);
      if (m) out.set(m[1]!, m[2]!.replace(/^"(.*)"$/, "$1"));
    }
  } catch {
    // No os-release: report plain Linux.
  }
  return out;
}

/** v2 only when /sys/fs/cgroup itself is the unified hierarchy; hybrid hosts are v1. */
function cgroupVersion(): "1" | "2" {
  try {
    readFileSync("/sys/fs/cgroup/cgroup.controllers");
    return "2";
  } catch {
    return "1";
  }
}

/** Go's GOARCH name for this machine ("amd64"), as Docker reports it. */
export function goArch(): string {
  switch (process.arch) {
    case "x64":
      return "amd64";
    case "ia32":
      return "386";
    default:
      return process.arch;
  }
}
