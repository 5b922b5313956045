import assert from "node:assert/strict";
import { test } from "node:test";
import {
  applyProbeResult,
  goDuration,
  healthTimings,
  LimitedOutput,
  mergeHealthcheck,
  nextProbeDelay,
  probeCommand,
  startingHealth,
  validateHealthcheck,
  type HealthResult,
  type HealthState,
} from "./health.js";
import type { Healthcheck } from "./model.js";

const hc = (o: Partial<Healthcheck> = {}): Healthcheck => ({
  test: ["CMD-SHELL", "true"],
  intervalNs: 0,
  timeoutNs: 0,
  startPeriodNs: 0,
  retries: 0,
  ...o,
});
const at = (ms: number) => new Date(ms).toISOString();
const result = (startMs: number, exitCode: number): HealthResult => ({
  start: at(startMs),
  end: at(startMs + 10),
  exitCode,
  output: "",
});

test("timings take Docker's defaults for zero values", () => {
  assert.deepEqual(healthTimings(hc()), {
    intervalMs: 30_000,
    timeoutMs: 30_000,
    startPeriodMs: 0,
    startIntervalMs: 5_000,
    retries: 3,
  });
  assert.equal(healthTimings(hc({ intervalNs: 1e9, retries: 2 })).intervalMs, 1000);
});

test("probe commands: CMD as given, CMD-SHELL through /bin/sh -c, NONE and unknown types: no probe", () => {
  assert.deepEqual(probeCommand(hc({ test: ["CMD", "curl", "-f", "x"] })), ["curl", "-f", "x"]);
  assert.deepEqual(probeCommand(hc({ test: ["CMD-SHELL", "test -f /a"] })), ["/bin/sh", "-c", "test -f /a"]);
  assert.equal(probeCommand(hc({ test: ["NONE"] })), undefined);
  assert.equal(probeCommand(hc({ test: ["BOGUS", "x"] })), undefined);
  assert.equal(probeCommand(undefined), undefined);
});

test("the state machine: retries failures make it unhealthy, a success heals, the log keeps 5", () => {
  const t = { retries: 2, startPeriodMs: 0 };
  let s: HealthState = startingHealth(undefined);
  s = applyProbeResult(s, result(1000, 1), t, 0);
  assert.deepEqual([s.status, s.failingStreak], ["starting", 1]);
  s = applyProbeResult(s, result(2000, 1), t, 0);
  assert.deepEqual([s.status, s.failingStreak], ["unhealthy", 2]);
  s = applyProbeResult(s, result(3000, 0), t, 0);
  assert.deepEqual([s.status, s.failingStreak], ["healthy", 0]);
  s = applyProbeResult(s, result(4000, 1), t, 0);
  assert.deepEqual([s.status, s.failingStreak], ["healthy", 1]);
  for (let i = 0; i < 4; i++) s = applyProbeResult(s, result(5000 + i, -1), t, 0);
  assert.equal(s.status, "unhealthy");
  assert.equal(s.log.length, 5);
  assert.equal(s.log[0]?.start, at(4000));
  // A restart starts over but keeps the log.
  const again = startingHealth(s);
  assert.deepEqual([again.status, again.failingStreak, again.log.length], ["starting", 0, 5]);
});

test("start period: failures inside it do not count while starting; after a success they do", () => {
  const t = { retries: 1, startPeriodMs: 10_000 };
  let s = startingHealth(undefined);
  s = applyProbeResult(s, result(2000, 1), t, 0);
  assert.deepEqual([s.status, s.failingStreak, s.log.length], ["starting", 0, 1]);
  s = applyProbeResult(s, result(12_000, 1), t, 0);
  assert.deepEqual([s.status, s.failingStreak], ["unhealthy", 1]);
  let h = applyProbeResult(startingHealth(undefined), result(1000, 0), t, 0);
  h = applyProbeResult(h, result(2000, 1), t, 0);
  assert.deepEqual([h.status, h.failingStreak], ["unhealthy", 1]);
});

test("next probe: start interval inside the start period, never past its end, then the interval", () => {
  const t = { intervalMs: 30_000, timeoutMs: 1, startPeriodMs: 60_000, startIntervalMs: 5_000, retries: 3 };
  assert.equal(nextProbeDelay(t, 0, "starting"), 5_000);
  assert.equal(nextProbeDelay(t, 0, "healthy"), 30_000);
  assert.equal(nextProbeDelay(t, 50_000, "starting"), 10_000);
  assert.equal(nextProbeDelay(t, 60_000, "starting"), 30_000);
  assert.equal(nextProbeDelay({ ...t, startPeriodMs: 0 }, 0, "starting"), 30_000);
});

test("output is cut at 4096 bytes with Docker's ...", () => {
  const o = new LimitedOutput();
  o.write(Buffer.alloc(4000, "a"));
  o.write(Buffer.alloc(200, "b"));
  const s = o.toString();
  assert.equal(s.length, 4099);
  assert.ok(s.endsWith("bbb..."));
  const small = new LimitedOutput();
  small.write(Buffer.from("ok\n"));
  assert.equal(small.toString(), "ok\n");
});

test("Go's duration text", () => {
  assert.equal(goDuration(1e9), "1s");
  assert.equal(goDuration(500e6), "500ms");
  assert.equal(goDuration(1.5e9), "1.5s");
  assert.equal(goDuration(90e9), "1m30s");
  assert.equal(goDuration(60e9), "1m0s");
  assert.equal(goDuration(3600e9), "1h0m0s");
  assert.equal(goDuration(30e9), "30s");
});

test("a container's healthcheck merges with the image's field by field", () => {
  const image = hc({ test: ["CMD", "check"], intervalNs: 5e9, retries: 4 });
  assert.deepEqual(mergeHealthcheck(undefined, image), image);
  assert.deepEqual(mergeHealthcheck(hc({ test: [], intervalNs: 1e9 }), image), {
    test: ["CMD", "check"],
    intervalNs: 1e9,
    timeoutNs: 0,
    startPeriodNs: 0,
    retries: 4,
  });
  assert.deepEqual(mergeHealthcheck(hc({ test: ["NONE"] }), image)?.test, ["NONE"]);
  assert.equal(mergeHealthcheck(hc({ test: [], intervalNs: 1e9 }), undefined), undefined);
});

test("validation with dockerd's texts", () => {
  assert.throws(
    () => validateHealthcheck(hc({ intervalNs: 1000 })),
    /^Error: Interval in Healthcheck cannot be less than 1ms$|Interval in Healthcheck cannot be less than 1ms/,
  );
  assert.throws(
    () => validateHealthcheck(hc({ timeoutNs: -1 })),
    /Timeout in Healthcheck cannot be less than 1ms/,
  );
  assert.throws(() => validateHealthcheck(hc({ retries: -1 })), /Retries in Healthcheck cannot be negative/);
  assert.throws(
    () => validateHealthcheck(hc({ startPeriodNs: 5 })),
    /StartPeriod in Healthcheck cannot be less than 1ms/,
  );
  assert.throws(
    () => validateHealthcheck(hc({ startIntervalNs: 5 })),
    /StartInterval in Healthcheck cannot be less than 1ms/,
  );
  validateHealthcheck(hc({ intervalNs: 1e6 }));
});
