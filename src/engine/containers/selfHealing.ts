/**
 * Self-healing glue for the container service: restart policies and health
 * probes hooked into the lifecycle, the way dockerd's monitor.go, kill.go,
 * start.go and restore do it. The service calls these hooks at each step;
 * the decisions live in restartManager.ts and health.ts.
 *
 * Event order for a policy restart is dockerd's: the exit is committed as
 * "restarting" (RestartCount + 1), `die` is published, and after the
 * back-off the start publishes `start`.
 */
import { parseSignal } from "./signals.js";
import { HealthMonitor } from "./healthMonitor.js";
import type { HealthResult, HealthState } from "./health.js";
import type { ProbeOptions } from "./healthProbe.js";
import type { Container, RestartPolicy } from "./model.js";
import { policyWantsRestart, RestartManager, type Timers } from "./restartManager.js";
import type { ExitInfo } from "./runner.js";
import { transition, type StateEvent } from "./state.js";

export interface SelfHealingHost {
  get(id: string): Container | undefined;
  update(c: Container): void;
  /** Starts a container in "restarting" once its back-off has passed. */
  restartNow(id: string): Promise<void>;
  publish(c: Container, action: string): void;
  probe(c: Container, o: ProbeOptions): Promise<HealthResult>;
}

export interface SelfHealingOptions {
  timers?: Timers;
  now?: () => number;
}

export class SelfHealing {
  readonly restarts: RestartManager;
  readonly health: HealthMonitor;
  private readonly delays = new Map<string, number>();
  /** During daemon-start recovery exits are recorded but not restarted: the daemon-start pass decides. */
  recovering = false;

  constructor(
    private readonly host: SelfHealingHost,
    opts: SelfHealingOptions = {},
  ) {
    this.restarts = new RestartManager(opts.timers);
    this.health = new HealthMonitor(
      {
        get: (id) => host.get(id),
        setHealth: (id, h) => this.setHealth(id, h),
        publish: (c, action) => host.publish(c, action),
        probe: (c, o) => host.probe(c, o),
      },
      { ...(opts.timers ? { timers: opts.timers } : {}), ...(opts.now ? { now: opts.now } : {}) },
    );
  }

  private setHealth(id: string, h: HealthState): void {
    const c = this.host.get(id);
    if (c !== undefined) this.host.update({ ...c, health: h });
  }

  /**
   * Runner hook, before an exit is committed: the probes end, and when the
   * policy restarts the container the record becomes "restarting" with its
   * RestartCount incremented.
   */
  beforeExitCommit(c: Container, exit: ExitInfo): Container {
    let next = c;
    if (this.health.running(c.id)) {
      this.health.stop(c.id);
      // The record the runner commits was read before the probes stopped.
      if (c.health !== undefined) next = { ...next, health: { ...c.health, status: "unhealthy" } };
    }
    if (this.recovering) return next;
    const delay = this.restarts.decide(c.id, c.spec.host.restartPolicy, {
      exitCode: exit.exitCode,
      manuallyStopped: c.manuallyStopped,
      restartCount: c.restartCount,
      ranMs: exit.ranMs,
    });
    if (delay === undefined) return next;
    this.delays.set(c.id, delay);
    return {
      ...next,
      state: transition(next.state, { type: "restarting" }),
      restartCount: c.restartCount + 1,
    };
  }

  /** After `die` is published: schedules the restart. True when one is pending. */
  afterExit(c: Container): boolean {
    const delay = this.delays.get(c.id);
    this.delays.delete(c.id);
    if (c.state.status !== "restarting" || delay === undefined) return false;
    this.restarts.schedule(c.id, delay, () => void this.host.restartNow(c.id));
    return true;
  }

  /** A user start (start, restart, daemon start): a fresh restart manager, RestartCount 0, not stopped. */
  userStart(c: Container): Container {
    this.restarts.reset(c.id);
    return { ...c, manuallyStopped: false, restartCount: 0 };
  }

  /** The container runs (any start): health checks begin from "starting". */
  started(c: Container): void {
    this.health.start(c);
  }

  /**
   * Stop, kill, restart or rm: no restart after this, and a pending one is
   * dropped. Returns true when the container was waiting to restart (it is
   * now exited, and there is no process to signal).
   */
  cancel(c: Container, apply: (ev: StateEvent) => Container): boolean {
    this.restarts.cancel(c.id);
    this.delays.delete(c.id);
    if (c.state.status !== "restarting") return false;
    apply({ type: "restart-cancelled" });
    return true;
  }

  paused(id: string): void {
    this.health.stop(id);
  }

  unpaused(c: Container): void {
    this.health.resume(c);
  }

  forget(id: string): void {
    this.health.stop(id);
    this.restarts.forget(id);
    this.delays.delete(id);
  }

  /** Daemon shutdown: timers and probes end; containers keep running under conmon. */
  async close(): Promise<void> {
    this.restarts.close();
    await this.health.close();
  }
}

/**
 * dockerd's kill: SIGKILL, the container's own stop signal, or any signal
 * when none was set, tells the restart manager not to restart after the exit.
 */
export function killCancelsRestart(c: Container, signal: number): boolean {
  if (signal === 9) return true;
  const own = c.spec.stopSignal ?? (c.config.stopSignal !== "SIGTERM" ? c.config.stopSignal : undefined);
  if (own === undefined) return true;
  try {
    return parseSignal(own) === signal;
  } catch {
    return true;
  }
}

/**
 * At daemon start (dockerd's restore): containers that ran before and whose
 * policy restarts them, with a fresh restart manager (so `always` comes back
 * even after a `docker stop`, `unless-stopped` only if not stopped by the user).
 */
export function startsAtDaemonStart(c: Container): boolean {
  if (c.state.status !== "exited") return false;
  if (c.state.last.startedAt.startsWith("0001-")) return false;
  const policy: RestartPolicy = c.spec.host.restartPolicy;
  return policyWantsRestart(policy, {
    exitCode: c.state.last.exitCode,
    manuallyStopped: c.manuallyStopped,
    restartCount: c.restartCount,
  });
}
