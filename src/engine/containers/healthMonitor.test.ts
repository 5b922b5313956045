import assert from "node:assert/strict";
import { test } from "node:test";
import type { HealthState } from "./health.js";
import { HealthMonitor } from "./healthMonitor.js";
import type { Container } from "./model.js";
import type { Timers } from "./restartManager.js";
import { containerRecord } from "./testdata.js";

/** Probe delays elapse at once (real timers are unref'd and would let the test's event loop end). */
const immediate: Timers = {
  set: (fn) => setImmediate(fn),
  clear: (h) => clearImmediate(h as NodeJS.Immediate),
};

test("close kills a probe under way, waits for its loop, and records nothing after", async () => {
  let c: Container = containerRecord("h1", "h", {
    state: { status: "running", pid: 1, startedAt: new Date().toISOString() },
  });
  c = {
    ...c,
    config: {
      ...c.config,
      healthcheck: { test: ["CMD", "true"], intervalNs: 1e6, timeoutNs: 30e9, startPeriodNs: 0, retries: 3 },
    },
  };
  const health: HealthState[] = [];
  let probeStarted!: () => void;
  const started = new Promise<void>((r) => (probeStarted = r));
  let probeEnded = false;
  const mon = new HealthMonitor(
    {
      get: () => c,
      setHealth: (_id, h) => {
        health.push(h);
        c = { ...c, health: h };
      },
      publish: () => undefined,
      // A probe that only ends when killed, as a hanging check would.
      probe: (_c, o) =>
        new Promise((resolve) => {
          probeStarted();
          o.signal.addEventListener("abort", () => {
            setTimeout(() => {
              probeEnded = true;
              resolve({ start: "", end: "", exitCode: 137, output: "" });
            }, 20);
          });
        }),
    },
    { timers: immediate },
  );
  mon.start(c);
  await started;
  assert.equal(mon.running(c.id), true);
  await mon.close();
  assert.equal(probeEnded, true, "close returned before the killed probe ended");
  assert.equal(mon.running(c.id), false);
  assert.deepEqual(
    health.map((h) => h.status),
    ["starting"],
  );
});

test("close gives up on a probe that never ends after its bound", async () => {
  const c: Container = {
    ...containerRecord("h2", "h"),
    state: { status: "running", pid: 1, startedAt: new Date().toISOString() },
  };
  const withCheck: Container = {
    ...c,
    config: {
      ...c.config,
      healthcheck: { test: ["CMD", "true"], intervalNs: 1e6, timeoutNs: 30e9, startPeriodNs: 0, retries: 3 },
    },
  };
  let probeStarted!: () => void;
  const started = new Promise<void>((r) => (probeStarted = r));
  const mon = new HealthMonitor(
    {
      get: () => withCheck,
      setHealth: () => undefined,
      publish: () => undefined,
      probe: () => {
        probeStarted();
        return new Promise(() => undefined);
      },
    },
    { timers: immediate },
  );
  mon.start(withCheck);
  await started;
  const t0 = Date.now();
  await mon.close(50);
  assert.ok(Date.now() - t0 < 1000);
});
