/**
 * `docker stats`: samples of a container's cgroup (through the runtime) and
 * of its network interfaces (/proc/PID/net/dev, which shows the container's
 * netns), once per interval. Each frame carries the previous sample too, as
 * Docker's precpu_stats/preread; a container that is not running gives
 * frames without numbers, and the stream ends when the container is removed.
 */
import { readFile } from "node:fs/promises";
import { isEngineError } from "../errors.js";
import type { ContainerId } from "../ids.js";
import type { ContainerAccess } from "./extrasDeps.js";
import type { CgroupStats, RuntimeState } from "./runtime/types.js";

export interface NetDevStats {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

export interface StatsSample {
  id: ContainerId;
  name: string;
  /** Absent when the container is not running. */
  cgroup?: CgroupStats;
  /** Interface name → counters; absent without a network namespace of its own. */
  networks?: Record<string, NetDevStats>;
}

export interface StatsFrame {
  current: StatsSample;
  /** The sample before (undefined for the first frame of a stream and for one-shot). */
  previous?: StatsSample;
}

export interface StatsOptions {
  stream: boolean;
  /** With stream=false: answer at once, without waiting for a second sample. */
  oneShot: boolean;
  signal?: AbortSignal;
}

export interface StatsDeps {
  containers: Pick<ContainerAccess, "get">;
  runtime: {
    stats(id: string): Promise<CgroupStats>;
    state(id: string): Promise<RuntimeState | undefined>;
  };
  /** Between samples; Docker's collector uses 1 s. */
  intervalMs?: number;
  readNetDev?(pid: number): Promise<string>;
}

/** /proc/net/dev to counters, without the loopback (Docker lists the container's endpoints). */
export function parseNetDev(text: string): Record<string, NetDevStats> {
  const out: Record<string, NetDevStats> = {};
  for (const line of text.split("\n").slice(2)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === "lo" || name === "") continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    const n = (i: number) => (Number.isFinite(f[i]) ? (f[i] as number) : 0);
    out[name] = {
      rxBytes: n(0),
      rxPackets: n(1),
      rxErrors: n(2),
      rxDropped: n(3),
      txBytes: n(8),
      txPackets: n(9),
      txErrors: n(10),
      txDropped: n(11),
    };
  }
  return out;
}

export class ContainerStats {
  constructor(private readonly d: StatsDeps) {}

  /** One sample now; numbers only while the container runs. */
  async sample(ref: string): Promise<StatsSample> {
    const c = this.d.containers.get(ref);
    const bare: StatsSample = { id: c.id, name: c.name };
    if (c.state.status !== "running" && c.state.status !== "paused") return bare;
    try {
      const st = await this.d.runtime.state(c.id);
      if (st === undefined || st.pid <= 0) return bare;
      const cgroup = await this.d.runtime.stats(c.id);
      const mode = c.spec.host.networkMode;
      if (mode === "host" || mode === "none") return { ...bare, cgroup };
      const text = await (this.d.readNetDev ?? ((pid) => readFile(`/proc/${pid}/net/dev`, "utf8")))(st.pid);
      return { ...bare, cgroup, networks: parseNetDev(text) };
    } catch (err) {
      // It stopped between the check and the read: Docker answers with the bare entry.
      if (isEngineError(err, "not-found") || isEngineError(err, "conflict") || isFsGone(err)) return bare;
      throw err;
    }
  }

  /** GET /containers/{id}/stats as frames. */
  async *stats(ref: string, opts: StatsOptions): AsyncGenerator<StatsFrame> {
    const id = this.d.containers.get(ref).id;
    const interval = this.d.intervalMs ?? 1000;
    if (!opts.stream) {
      const first = await this.sample(id);
      if (first.cgroup === undefined || opts.oneShot) {
        yield { current: first };
        return;
      }
      await sleep(interval, opts.signal);
      if (opts.signal?.aborted) return;
      yield { current: await this.sample(id), previous: first };
      return;
    }
    let previous: StatsSample | undefined;
    while (!opts.signal?.aborted) {
      let current: StatsSample;
      try {
        current = await this.sample(id);
      } catch (err) {
        if (isEngineError(err, "not-found")) return; // removed: the stream ends, as dockerd's does
        throw err;
      }
      yield previous?.cgroup ? { current, previous } : { current };
      previous = current;
      await sleep(interval, opts.signal);
    }
  }
}

function isFsGone(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ESRCH";
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
