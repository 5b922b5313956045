/**
 * Capabilities: Docker's default set, every capability the kernel knows, and
 * `--cap-add` / `--cap-drop` as Docker applies them (names with or without
 * the CAP_ prefix, any case, and ALL).
 */
import { invalid } from "../../errors.js";

export const defaultCapabilities: readonly string[] = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
];

/** In kernel order (capability numbers 0..40). */
export const allCapabilities: readonly string[] = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
];

/** "net_admin", "CAP_NET_ADMIN", "all" → canonical; unknown names are Docker's 400. */
export function normalizeCapability(name: string): string {
  const upper = name.toUpperCase();
  if (upper === "ALL") return "ALL";
  const full = upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
  if (!allCapabilities.includes(full)) throw invalid(`invalid capability: ${name}`);
  return full;
}

/**
 * The effective set: the default (or all, when privileged), minus drops,
 * plus adds. As in Docker, an add wins over a drop of the same capability,
 * and "ALL" in adds gives every capability.
 */
export function applyCapabilities(opts: { privileged: boolean; add: string[]; drop: string[] }): string[] {
  if (opts.privileged) return [...allCapabilities];
  const add = opts.add.map(normalizeCapability);
  const drop = opts.drop.map(normalizeCapability);
  if (add.includes("ALL")) {
    return allCapabilities.filter((c) => !drop.includes(c));
  }
  const base = drop.includes("ALL") ? [] : defaultCapabilities.filter((c) => !drop.includes(c));
  const out = [...base];
  for (const c of add) if (!out.includes(c)) out.push(c);
  return out;
}
