/**
 * Docker's seccomp profile format and its conversion to the OCI form for one
 * container: entries gated on architectures, capabilities and kernel version
 * are kept or dropped the way dockerd does it (moby profiles/seccomp).
 */
import { defaultSeccompProfile } from "./seccompProfile.js";

export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

interface Gate {
  arches?: string[];
  caps?: string[];
  minKernel?: string;
}

export interface DockerSeccompRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: SeccompArg[];
  includes?: Gate;
  excludes?: Gate;
}

export interface DockerSeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  /** The architectures to allow, as given (a custom profile may list them instead of archMap). */
  architectures?: string[];
  archMap: { architecture: string; subArchitectures: string[] | null }[];
  syscalls: DockerSeccompRule[];
}

export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: { names: string[]; action: string; errnoRet?: number; args?: SeccompArg[] }[];
}

/** Go's GOARCH name to libseccomp's. */
const seccompArch: Record<string, string> = {
  amd64: "SCMP_ARCH_X86_64",
  arm64: "SCMP_ARCH_AARCH64",
  arm: "SCMP_ARCH_ARM",
  "386": "SCMP_ARCH_X86",
  ppc64le: "SCMP_ARCH_PPC64LE",
  s390x: "SCMP_ARCH_S390X",
  riscv64: "SCMP_ARCH_RISCV64",
};

/** "5.10.0-23-amd64" → [5, 10]. */
function kernelAtLeast(kernel: string, min: string): boolean {
  const [ka = 0, kb = 0] = kernel.split(/[.-]/).map(Number);
  const [ma = 0, mb = 0] = min.split(".").map(Number);
  return ka > ma || (ka === ma && kb >= mb);
}

function passes(rule: DockerSeccompRule, arch: string, caps: ReadonlySet<string>, kernel: string): boolean {
  const inc = rule.includes;
  if (inc?.arches && !inc.arches.includes(arch)) return false;
  if (inc?.caps && !inc.caps.every((c) => caps.has(c))) return false;
  if (inc?.minKernel && !kernelAtLeast(kernel, inc.minKernel)) return false;
  const exc = rule.excludes;
  if (exc?.arches && exc.arches.includes(arch)) return false;
  if (exc?.caps && exc.caps.some((c) => caps.has(c))) return false;
  return true;
}

/**
 * The OCI seccomp section for a container with these capabilities.
 * `arch` is Go's name (amd64, arm64); `kernel` the host's release.
 */
export function seccompFor(
  caps: readonly string[],
  arch: string,
  kernel: string,
  profile: DockerSeccompProfile = defaultSeccompProfile,
): OciSeccomp {
  const capSet = new Set(caps);
  const native = seccompArch[arch];
  const entry = profile.archMap.find((a) => a.architecture === native);
  const syscalls = profile.syscalls
    .filter((r) => passes(r, arch, capSet, kernel))
    .map((r) => ({
      names: r.names,
      action: r.action,
      ...(r.errnoRet !== undefined ? { errnoRet: r.errnoRet } : {}),
      ...(r.args !== undefined ? { args: r.args } : {}),
    }));
  return {
    defaultAction: profile.defaultAction,
    ...(profile.defaultErrnoRet !== undefined ? { defaultErrnoRet: profile.defaultErrnoRet } : {}),
    architectures:
      profile.architectures ?? (entry ? [entry.architecture, ...(entry.subArchitectures ?? [])] : []),
    syscalls,
  };
}
