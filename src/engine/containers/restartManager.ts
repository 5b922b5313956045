/**
 * Restart policies as dockerd applies them (moby restartmanager): whether an
 * exit starts the container again, and after what back-off. The back-off
 * starts at 100 ms and doubles per restart up to one minute; a run that
 * lasted 10 s or more resets it. A stop or kill cancels the manager until the
 * user starts the container again, and a user start gives it a fresh one.
 * State is in memory, as in dockerd: after a daemon restart every container
 * starts with a fresh manager (its RestartCount is on the record).
 */
import { invalid } from "../errors.js";
import type { RestartPolicy } from "./model.js";

export const restartBackoff = {
  initialMs: 100,
  multiplier: 2,
  maxMs: 60_000,
  /** A run at least this long resets the back-off. */
  resetAfterMs: 10_000,
} as const;

/** The delay before the next restart, given the previous delay (0: none yet) and how long the run lasted. */
export function nextBackoff(previousMs: number, ranMs: number): number {
  const b = restartBackoff;
  let ms = ranMs >= b.resetAfterMs ? 0 : previousMs;
  if (ms === 0) ms = b.initialMs;
  else if (ms < b.maxMs) ms *= b.multiplier;
  return Math.min(ms, b.maxMs);
}

export interface ExitFacts {
  exitCode: number;
  /** Stopped or killed by the user (or a daemon shutdown that stops containers). */
  manuallyStopped: boolean;
  /** Restarts done so far under this policy (the record's RestartCount). */
  restartCount: number;
}

/** The policy's vote alone (moby's ShouldRestart switch), without cancellation or back-off. */
export function policyWantsRestart(policy: RestartPolicy, f: ExitFacts): boolean {
  switch (policy.name) {
    case "no":
      return false;
    case "always":
      return true;
    case "unless-stopped":
      return !f.manuallyStopped;
    case "on-failure": {
      const max = policy.maximumRetryCount;
      return (max === 0 || f.restartCount < max) && f.exitCode !== 0;
    }
  }
}

/** Docker's ValidateRestartPolicy, with its texts. */
export function validateRestartPolicy(p: { name: string; maximumRetryCount: number }): void {
  switch (p.name) {
    case "always":
    case "unless-stopped":
    case "no":
      if (p.maximumRetryCount !== 0) {
        const neg = p.maximumRetryCount < 0 ? " and cannot be negative" : "";
        throw invalid(`invalid restart policy: maximum retry count can only be used with 'on-failure'${neg}`);
      }
      return;
    case "on-failure":
      if (p.maximumRetryCount < 0)
        throw invalid("invalid restart policy: maximum retry count cannot be negative");
      return;
    default:
      throw invalid(
        `invalid restart policy: unknown policy '${p.name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`,
      );
  }
}

/** Timers, injectable so tests can drive the back-off with a fake clock. */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending restart must not keep a stopping daemon alive.
    t.unref();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

interface Entry {
  /** The last back-off used (0: none yet). */
  delayMs: number;
  cancelled: boolean;
  timer: unknown;
}

export class RestartManager {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly timers: Timers = realTimers) {}

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (e === undefined) {
      e = { delayMs: 0, cancelled: false, timer: undefined };
      this.entries.set(id, e);
    }
    return e;
  }

  /**
   * At an exit: the delay before restarting, or undefined for no restart.
   * As dockerd, the back-off advances at every exit the policy sees, even one
   * it does not restart.
   */
  decide(id: string, policy: RestartPolicy, facts: ExitFacts & { ranMs: number }): number | undefined {
    if (policy.name === "no") return undefined;
    const e = this.entry(id);
    if (e.cancelled || e.timer !== undefined) return undefined;
    e.delayMs = nextBackoff(e.delayMs, facts.ranMs);
    return policyWantsRestart(policy, facts) ? e.delayMs : undefined;
  }

  /** Runs `fn` after the delay unless cancelled first. */
  schedule(id: string, delayMs: number, fn: () => void): void {
    const e = this.entry(id);
    if (e.timer !== undefined) this.timers.clear(e.timer);
    e.timer = this.timers.set(() => {
      e.timer = undefined;
      if (!e.cancelled) fn();
    }, delayMs);
  }

  /** A restart is waiting for its back-off to pass. */
  pending(id: string): boolean {
    return this.entries.get(id)?.timer !== undefined;
  }

  /**
   * A stop or kill: no restart after this run, and a pending one is dropped.
   * Returns whether a pending restart was dropped.
   */
  cancel(id: string): boolean {
    const e = this.entry(id);
    e.cancelled = true;
    if (e.timer === undefined) return false;
    this.timers.clear(e.timer);
    e.timer = undefined;
    return true;
  }

  /** A user start: a fresh manager (back-off and cancellation forgotten). */
  reset(id: string): void {
    this.forget(id);
  }

  forget(id: string): void {
    const e = this.entries.get(id);
    if (e?.timer !== undefined) this.timers.clear(e.timer);
    this.entries.delete(id);
  }

  /** Drops every pending restart (daemon shutdown). */
  close(): void {
    for (const id of [...this.entries.keys()]) this.forget(id);
  }
}
