/**
 * `docker update`: new resource limits and restart policy for a container,
 * checked as dockerd checks them, applied at once to a running (or paused)
 * container's cgroup by the OCI runtime, and kept in its record so the next
 * start uses them. Only fields the request sets change (0 or "" = unset).
 */
import { availableParallelism } from "node:os";
import { conflict, internal, invalid, isEngineError } from "../errors.js";
import { containerExtraMessages } from "../messages.js";
import type { ContainerAccess } from "./extrasDeps.js";
import type { HostSpec, RestartPolicy } from "./model.js";

export interface UpdateSpec {
  memory: number;
  memorySwap: number;
  cpuShares: number;
  cpuQuota: number;
  cpuPeriod: number;
  nanoCpus: number;
  cpusetCpus: string;
  /** undefined: unchanged; 0 or -1: unlimited. */
  pidsLimit?: number;
  /** undefined (or name ""): unchanged. */
  restartPolicy?: { name: string; maximumRetryCount: number };
}

/** What the runtime gets (`runc update` flags); absent fields stay as they are. */
export interface RuntimeResources {
  memory?: number;
  memorySwap?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  /** -1: unlimited. */
  pidsLimit?: number;
}

export interface UpdateDeps {
  containers: ContainerAccess;
  updateResources(id: string, r: RuntimeResources): Promise<void>;
  onlineCpus?: () => number;
}

const MIN_MEMORY = 6 * 1024 * 1024;
const policies = ["no", "always", "unless-stopped", "on-failure"];

/** The CPU numbers a cpuset list names ("0-2,4"), or undefined when it is malformed. */
export function parseCpuset(s: string): number[] | undefined {
  const out: number[] = [];
  for (const part of s.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) return undefined;
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

/** dockerd's verifyContainerSettings for an update: request-only checks, 400 when they fail. */
export function validateUpdate(u: UpdateSpec, ncpu: number): void {
  if (u.memory !== 0 && u.memory < MIN_MEMORY) throw invalid("Minimum memory limit allowed is 6MB");
  if (u.memorySwap > 0 && u.memory > 0 && u.memorySwap < u.memory) {
    throw invalid("Minimum memoryswap limit should be larger than memory limit, see usage");
  }
  if (u.nanoCpus > 0 && u.cpuPeriod > 0) {
    throw invalid("Conflicting options: Nano CPUs and CPU Period cannot both be set");
  }
  if (u.nanoCpus > 0 && u.cpuQuota > 0) {
    throw invalid("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
  }
  if (u.nanoCpus < 0 || u.nanoCpus > ncpu * 1e9) {
    throw invalid(`Range of CPUs is from 0.01 to ${ncpu}.00, as there are only ${ncpu} CPUs available`);
  }
  if (u.cpuPeriod !== 0 && (u.cpuPeriod < 1000 || u.cpuPeriod > 1_000_000)) {
    throw invalid("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
  }
  if (u.cpuQuota > 0 && u.cpuQuota < 1000)
    throw invalid("CPU cfs quota can not be less than 1ms (i.e. 1000)");
  if (u.cpusetCpus !== "") {
    const cpus = parseCpuset(u.cpusetCpus);
    if (cpus === undefined) throw invalid(`Invalid value ${u.cpusetCpus} for cpuset cpus`);
    if (cpus.some((n) => n >= ncpu)) {
      throw invalid(
        `Requested CPUs are not available - requested ${u.cpusetCpus}, available: ${ncpu === 1 ? "0" : `0-${ncpu - 1}`}`,
      );
    }
  }
  const p = u.restartPolicy;
  if (p !== undefined && p.name !== "") {
    if (!policies.includes(p.name)) {
      throw invalid(
        `invalid restart policy: unknown policy '${p.name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`,
      );
    }
    if (p.maximumRetryCount < 0)
      throw invalid("invalid restart policy: maximum retry count cannot be negative");
    if (p.name !== "on-failure" && p.maximumRetryCount !== 0) {
      throw invalid("invalid restart policy: maximum retry count can only be used with 'on-failure'");
    }
  }
}

/** The swap limit in effect: Docker stores twice the memory when only memory was given. */
function effectiveSwap(h: HostSpec): number {
  if (h.memorySwap !== 0) return h.memorySwap;
  return h.memory > 0 ? h.memory * 2 : 0;
}

/** moby's UpdateContainer: the new host spec, or why not (conflicts with what is set). */
export function mergeUpdate(h: HostSpec, u: UpdateSpec): HostSpec {
  if (u.nanoCpus > 0 && h.cpuPeriod > 0) {
    throw invalid("Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set");
  }
  if (u.nanoCpus > 0 && h.cpuQuota > 0) {
    throw invalid("Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set");
  }
  if (u.cpuPeriod > 0 && h.nanoCpus > 0) {
    throw invalid("Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set");
  }
  if (u.cpuQuota > 0 && h.nanoCpus > 0) {
    throw invalid("Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
  }
  const next: HostSpec = { ...h, memorySwap: effectiveSwap(h) };
  if (u.cpuShares !== 0) next.cpuShares = u.cpuShares;
  if (u.nanoCpus !== 0) next.nanoCpus = u.nanoCpus;
  if (u.cpuPeriod !== 0) next.cpuPeriod = u.cpuPeriod;
  if (u.cpuQuota !== 0) next.cpuQuota = u.cpuQuota;
  if (u.cpusetCpus !== "") next.cpusetCpus = u.cpusetCpus;
  if (u.memory !== 0) {
    if (u.memory > next.memorySwap && u.memorySwap === 0) {
      throw invalid(
        "Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time",
      );
    }
    next.memory = u.memory;
  }
  if (u.memorySwap !== 0) next.memorySwap = u.memorySwap;
  if (u.pidsLimit !== undefined) next.pidsLimit = u.pidsLimit > 0 ? u.pidsLimit : 0;
  const p = u.restartPolicy;
  if (p !== undefined && p.name !== "") {
    if (h.autoRemove && p.name !== "no") {
      throw invalid("Restart policy cannot be updated because AutoRemove is enabled for the container");
    }
    next.restartPolicy = { name: p.name as RestartPolicy["name"], maximumRetryCount: p.maximumRetryCount };
  }
  return next;
}

/** The request's resources for the runtime, as dockerd's toContainerdResources (NanoCpus become quota/period). */
export function runtimeResources(u: UpdateSpec): RuntimeResources {
  const r: RuntimeResources = {};
  if (u.memory !== 0) r.memory = u.memory;
  if (u.memorySwap !== 0) r.memorySwap = u.memorySwap;
  if (u.cpuShares !== 0) r.cpuShares = u.cpuShares;
  if (u.nanoCpus !== 0) {
    r.cpuPeriod = 100_000;
    r.cpuQuota = Math.round((u.nanoCpus * 100_000) / 1e9);
  } else {
    if (u.cpuPeriod !== 0) r.cpuPeriod = u.cpuPeriod;
    if (u.cpuQuota !== 0) r.cpuQuota = u.cpuQuota;
  }
  if (u.cpusetCpus !== "") r.cpusetCpus = u.cpusetCpus;
  if (u.pidsLimit !== undefined) r.pidsLimit = u.pidsLimit > 0 ? u.pidsLimit : -1;
  return r;
}

export class ContainerUpdater {
  constructor(private readonly d: UpdateDeps) {}

  /** POST /containers/{id}/update: Docker's warnings (none so far). */
  async update(ref: string, u: UpdateSpec): Promise<string[]> {
    validateUpdate(u, (this.d.onlineCpus ?? availableParallelism)());
    await this.d.containers.withLock(ref, async (c, save) => {
      if (c.state.status === "removing" || c.state.status === "dead") {
        throw conflict(
          containerExtraMessages.cannotUpdate(c.id, 'container is marked for removal and cannot be "update"'),
        );
      }
      let host: HostSpec;
      try {
        host = mergeUpdate(c.spec.host, u);
      } catch (err) {
        if (isEngineError(err)) throw invalid(containerExtraMessages.cannotUpdate(c.id, err.message), err);
        throw err;
      }
      if (c.state.status === "running" || c.state.status === "paused") {
        const r = runtimeResources(u);
        if (Object.keys(r).length > 0) {
          await this.d.updateResources(c.id, r).catch((err: unknown) => {
            throw internal(containerExtraMessages.cannotUpdate(c.id, (err as Error).message), err);
          });
        }
      }
      const next = { ...c, spec: { ...c.spec, host } };
      save(next);
      this.d.containers.publish(next, "update");
    });
    return [];
  }
}
