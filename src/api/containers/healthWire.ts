/**
 * Health checks on the wire: Config.Healthcheck as Docker prints it (zero
 * durations omitted), State.Health, the "(healthy)" part of ps's STATUS, and
 * ps's `health` filter.
 */
import type { Container, Healthcheck } from "../../engine/containers/index.js";
import { invalid } from "../../engine/errors.js";
import type { HealthConfigWire, HealthSummaryWire, HealthWire } from "../types/containers.js";

/** Go's omitempty: fields left zero are not printed. */
export function healthcheckWire(h: Healthcheck): HealthConfigWire {
  return {
    Test: h.test,
    ...(h.intervalNs ? { Interval: h.intervalNs } : {}),
    ...(h.timeoutNs ? { Timeout: h.timeoutNs } : {}),
    ...(h.startPeriodNs ? { StartPeriod: h.startPeriodNs } : {}),
    ...(h.startIntervalNs ? { StartInterval: h.startIntervalNs } : {}),
    ...(h.retries ? { Retries: h.retries } : {}),
  };
}

export function healthWire(c: Container): HealthWire | undefined {
  const h = c.health;
  if (h === undefined) return undefined;
  return {
    Status: h.status,
    FailingStreak: h.failingStreak,
    Log: h.log.map((r) => ({ Start: r.start, End: r.end, ExitCode: r.exitCode, Output: r.output })),
  };
}

/** The list summary's Health: "none" without a health check, as dockerd's container view. */
export function healthSummaryWire(c: Container): HealthSummaryWire {
  const h = c.health;
  return h === undefined
    ? { Status: "none", FailingStreak: 0 }
    : { Status: h.status, FailingStreak: h.failingStreak };
}

/** The suffix of a running container's status: " (healthy)", " (health: starting)", or "". */
export function healthSuffix(c: Container): string {
  const s = c.health?.status;
  if (s === undefined) return "";
  return s === "starting" ? " (health: starting)" : ` (${s})`;
}

const healthValues = ["starting", "healthy", "unhealthy", "none"];

/** ps --filter health=…: the values checked with dockerd's text; undefined when not filtering. */
export function healthFilter(values: string[] | undefined): ((c: Container) => boolean) | undefined {
  if (values === undefined || values.length === 0) return undefined;
  for (const v of values)
    if (!healthValues.includes(v)) throw invalid(`Unrecognized filter value for health: ${v}`);
  return (c) => values.includes(c.health?.status ?? "none");
}
