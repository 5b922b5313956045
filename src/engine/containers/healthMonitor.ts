/**
 * Runs a container's health probes while it runs (moby daemon/health.go's
 * monitor): at most one loop per container, started at each start, paused
 * with the container, ended when it stops. Each result goes through the
 * pure state machine in health.ts; a change of status is committed and
 * published as Docker's `health_status: <status>` event. When the probes
 * end because the container stopped or paused, the status becomes
 * "unhealthy" without an event, as dockerd reports it.
 */
import { log } from "../log.js";
import {
  applyProbeResult,
  healthTimings,
  nextProbeDelay,
  probeCommand,
  startingHealth,
  type HealthResult,
  type HealthState,
} from "./health.js";
import type { ProbeOptions } from "./healthProbe.js";
import type { Container } from "./model.js";
import { realTimers, type Timers } from "./restartManager.js";

export interface HealthMonitorHost {
  get(id: string): Container | undefined;
  /** Commits the container's new health state. */
  setHealth(id: string, h: HealthState): void;
  publish(c: Container, action: string): void;
  probe(c: Container, o: ProbeOptions): Promise<HealthResult>;
}

export interface HealthMonitorOptions {
  timers?: Timers;
  now?: () => number;
}

export class HealthMonitor {
  private readonly loops = new Map<string, AbortController>();
  /** Loops still running, aborted or not (a killed probe takes a moment to end). */
  private readonly finishing = new Set<Promise<void>>();
  private readonly timers: Timers;
  private readonly now: () => number;

  constructor(
    private readonly host: HealthMonitorHost,
    opts: HealthMonitorOptions = {},
  ) {
    this.timers = opts.timers ?? realTimers;
    this.now = opts.now ?? Date.now;
  }

  /** A start or restart: status "starting", streak 0 (the log is kept), probes begin. */
  start(c: Container): void {
    const argv = probeCommand(c.config.healthcheck);
    if (argv === undefined) return;
    this.end(c.id);
    this.host.setHealth(c.id, startingHealth(c.health));
    this.open(c.id, argv);
  }

  /** Unpause: probes resume with the status as it is. */
  resume(c: Container): void {
    const argv = probeCommand(c.config.healthcheck);
    if (argv === undefined || this.loops.has(c.id)) return;
    if (c.health === undefined) this.host.setHealth(c.id, startingHealth(undefined));
    this.open(c.id, argv);
  }

  /** Stop, exit or pause: probes end (a running one is killed) and the status reads "unhealthy". */
  stop(id: string): void {
    if (!this.end(id)) return;
    const c = this.host.get(id);
    if (c?.health !== undefined && c.health.status !== "unhealthy")
      this.host.setHealth(id, { ...c.health, status: "unhealthy" });
  }

  running(id: string): boolean {
    return this.loops.has(id);
  }

  /**
   * Daemon shutdown: end every loop (a probe under way is killed), leaving the
   * recorded states alone, and wait for the loops to finish so no probe
   * outlives the services it reports to.
   */
  async close(timeoutMs = 5000): Promise<void> {
    for (const id of [...this.loops.keys()]) this.end(id);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    await Promise.race([Promise.all([...this.finishing]), bound]);
    clearTimeout(timer);
  }

  private end(id: string): boolean {
    const ac = this.loops.get(id);
    if (ac === undefined) return false;
    this.loops.delete(id);
    ac.abort();
    return true;
  }

  private open(id: string, argv: string[]): void {
    const ac = new AbortController();
    this.loops.set(id, ac);
    const done: Promise<void> = this.loop(id, argv, ac.signal)
      .catch((err: unknown) => {
        log.warn(`health monitor ${id}: ${(err as Error).message}`);
        if (this.loops.get(id) === ac) this.loops.delete(id);
      })
      .finally(() => this.finishing.delete(done));
    this.finishing.add(done);
  }

  private async loop(id: string, argv: string[], signal: AbortSignal): Promise<void> {
    for (;;) {
      const c = this.host.get(id);
      const hc = c?.config.healthcheck;
      if (c === undefined || hc === undefined || signal.aborted) return;
      const t = healthTimings(hc);
      const startedMs = startedAtMs(c);
      const elapsed = Math.max(0, this.now() - startedMs);
      const delay = nextProbeDelay(t, elapsed, c.health?.status ?? "starting");
      if (!(await this.sleep(delay, signal))) return;
      const current = this.host.get(id);
      if (current === undefined) return;
      const result = await this.host.probe(current, { argv, timeoutMs: t.timeoutMs, signal });
      // A result that arrives after the probes were stopped is dropped, as dockerd drops it.
      if (signal.aborted) return;
      const fresh = this.host.get(id);
      if (fresh?.health === undefined) return;
      const next = applyProbeResult(fresh.health, result, t, startedMs);
      this.host.setHealth(id, next);
      if (next.status !== fresh.health.status) this.host.publish(fresh, `health_status: ${next.status}`);
    }
  }

  /** Resolves true after `ms`, or false as soon as the signal aborts. */
  private sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve(false);
      const onAbort = () => {
        this.timers.clear(handle);
        resolve(false);
      };
      const handle = this.timers.set(() => {
        signal.removeEventListener("abort", onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}

function startedAtMs(c: Container): number {
  const s = c.state;
  return s.status === "running" || s.status === "paused" ? Date.parse(s.startedAt) : 0;
}
