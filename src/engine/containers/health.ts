/**
 * The health-check state machine, pure (moby daemon/health.go): what a probe
 * result does to the status, the failing streak and the log; when the next
 * probe runs; how a container's healthcheck merges with its image's.
 *
 * Glossary: a *probe* is one run of the check (an exec in the container); the
 * *start period* is the grace time after start during which failures do not
 * count unless a probe has succeeded; the *failing streak* counts consecutive
 * failures that did count.
 */
import { invalid } from "../errors.js";
import type { Healthcheck } from "./model.js";

export type HealthStatus = "starting" | "healthy" | "unhealthy";

export interface HealthResult {
  /** RFC 3339 times. */
  start: string;
  end: string;
  exitCode: number;
  output: string;
}

export interface HealthState {
  status: HealthStatus;
  failingStreak: number;
  /** The last results, oldest first. */
  log: HealthResult[];
}

export const healthDefaults = {
  intervalMs: 30_000,
  timeoutMs: 30_000,
  startPeriodMs: 0,
  startIntervalMs: 5_000,
  retries: 3,
  maxLogEntries: 5,
  maxOutputBytes: 4096,
} as const;

/** Timings in ms with Docker's defaults applied (0 means "default"). */
export interface HealthTimings {
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  startIntervalMs: number;
  retries: number;
}

const nsToMs = (ns: number | undefined, dflt: number) => (ns === undefined || ns === 0 ? dflt : ns / 1e6);

export function healthTimings(h: Healthcheck): HealthTimings {
  const d = healthDefaults;
  return {
    intervalMs: nsToMs(h.intervalNs, d.intervalMs),
    timeoutMs: nsToMs(h.timeoutNs, d.timeoutMs),
    startPeriodMs: nsToMs(h.startPeriodNs, d.startPeriodMs),
    startIntervalMs: nsToMs(h.startIntervalNs, d.startIntervalMs),
    retries: h.retries > 0 ? h.retries : d.retries,
  };
}

/**
 * The command a probe runs, or undefined when there is no probe (no check,
 * "NONE", or an unknown test type, which dockerd ignores with a warning).
 */
export function probeCommand(
  h: Healthcheck | undefined,
  shell: string[] = ["/bin/sh", "-c"],
): string[] | undefined {
  const kind = h?.test[0];
  const rest = h?.test.slice(1) ?? [];
  if (kind === "CMD") return rest.length > 0 ? rest : undefined;
  if (kind === "CMD-SHELL") return [...shell, ...rest];
  return undefined;
}

/** The state a (re)started container's checks begin from; the log is kept. */
export function startingHealth(prev: HealthState | undefined): HealthState {
  return { status: "starting", failingStreak: 0, log: prev?.log ?? [] };
}

/**
 * One probe's result applied (moby handleProbeResult). Failures while still
 * "starting" and within the start period leave the streak alone.
 */
export function applyProbeResult(
  state: HealthState,
  result: HealthResult,
  t: Pick<HealthTimings, "retries" | "startPeriodMs">,
  startedAtMs: number,
): HealthState {
  const log = [...state.log, result].slice(-healthDefaults.maxLogEntries);
  if (result.exitCode === 0) return { status: "healthy", failingStreak: 0, log };
  const inStartPeriod =
    state.status === "starting" && Date.parse(result.start) - startedAtMs < t.startPeriodMs;
  if (inStartPeriod) return { ...state, log };
  const failingStreak = state.failingStreak + 1;
  return { status: failingStreak >= t.retries ? "unhealthy" : state.status, failingStreak, log };
}

/**
 * The wait before the next probe (moby monitor's getInterval): the interval,
 * but never past the end of the start period, and the start interval while
 * starting within the start period.
 */
export function nextProbeDelay(t: HealthTimings, elapsedSinceStartMs: number, status: HealthStatus): number {
  if (elapsedSinceStartMs >= t.startPeriodMs) return t.intervalMs;
  const remaining = t.startPeriodMs - elapsedSinceStartMs;
  if (remaining < t.intervalMs) return remaining;
  return status === "starting" ? t.startIntervalMs : t.intervalMs;
}

/** Probe output kept as Docker keeps it: the first 4096 bytes, then "..." if more came. */
export class LimitedOutput {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private truncated = false;

  write(data: Buffer): void {
    const keep = Math.min(healthDefaults.maxOutputBytes - this.size, data.length);
    if (keep > 0) {
      this.chunks.push(data.subarray(0, keep));
      this.size += keep;
    }
    if (keep < data.length) this.truncated = true;
  }

  toString(): string {
    return Buffer.concat(this.chunks).toString("utf8") + (this.truncated ? "..." : "");
  }
}

/** Go's time.Duration.String() for a whole number of nanoseconds ("1s", "500ms", "1m30s"). */
export function goDuration(ns: number): string {
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  let n = Math.abs(Math.round(ns));
  if (n < 1e9) {
    const [unit, div] = n < 1e3 ? ["ns", 1] : n < 1e6 ? ["µs", 1e3] : ["ms", 1e6];
    return `${sign}${trimFraction(n / div)}${unit}`;
  }
  const h = Math.floor(n / 3.6e12);
  n -= h * 3.6e12;
  const m = Math.floor(n / 6e10);
  n -= m * 6e10;
  const s = trimFraction(n / 1e9);
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

const trimFraction = (x: number) => x.toFixed(9).replace(/\.?0+$/, "");

/**
 * The container's healthcheck over the image's, field by field, as dockerd
 * merges them: a field left zero (or an empty test) takes the image's.
 */
export function mergeHealthcheck(
  own: Healthcheck | undefined,
  image: Healthcheck | undefined,
): Healthcheck | undefined {
  if (own === undefined) return image;
  if (image === undefined) return own.test.length > 0 ? own : undefined;
  const merged: Healthcheck = {
    test: own.test.length > 0 ? own.test : image.test,
    intervalNs: own.intervalNs || image.intervalNs,
    timeoutNs: own.timeoutNs || image.timeoutNs,
    startPeriodNs: own.startPeriodNs || image.startPeriodNs,
    retries: own.retries || image.retries,
  };
  const startIntervalNs = own.startIntervalNs || image.startIntervalNs;
  if (startIntervalNs) merged.startIntervalNs = startIntervalNs;
  return merged;
}

/** dockerd's validateHealthCheck, with its texts (the minimum duration is 1ms). */
export function validateHealthcheck(h: Healthcheck | undefined): void {
  if (h === undefined) return;
  const min = 1e6;
  const tooShort = (ns: number | undefined) => ns !== undefined && ns !== 0 && ns < min;
  if (tooShort(h.intervalNs)) throw invalid("Interval in Healthcheck cannot be less than 1ms");
  if (tooShort(h.timeoutNs)) throw invalid("Timeout in Healthcheck cannot be less than 1ms");
  if (h.retries < 0) throw invalid("Retries in Healthcheck cannot be negative");
  if (tooShort(h.startPeriodNs)) throw invalid("StartPeriod in Healthcheck cannot be less than 1ms");
  if (tooShort(h.startIntervalNs)) throw invalid("StartInterval in Healthcheck cannot be less than 1ms");
}
