import assert from "node:assert/strict";
import { test } from "node:test";
import { isEngineError } from "../errors.js";
import type { RestartPolicy } from "./model.js";
import { nextBackoff, policyWantsRestart, RestartManager, validateRestartPolicy } from "./restartManager.js";
import { FakeTimers } from "./fakeTimers.js";

const always: RestartPolicy = { name: "always", maximumRetryCount: 0 };
const facts = { exitCode: 1, manuallyStopped: false, restartCount: 0, ranMs: 50 };

test("back-off: 100 ms doubling, capped at one minute, reset after a 10 s run", () => {
  const seq: number[] = [];
  let ms = 0;
  for (let i = 0; i < 12; i++) seq.push((ms = nextBackoff(ms, 10)));
  assert.deepEqual(seq, [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]);
  assert.equal(nextBackoff(60000, 9_999), 60000);
  assert.equal(nextBackoff(60000, 10_000), 100);
});

test("policies vote as dockerd's", () => {
  const f = { exitCode: 0, manuallyStopped: false, restartCount: 0 };
  assert.equal(policyWantsRestart({ name: "no", maximumRetryCount: 0 }, { ...f, exitCode: 1 }), false);
  assert.equal(policyWantsRestart(always, f), true);
  assert.equal(policyWantsRestart(always, { ...f, manuallyStopped: true }), true);
  const unless: RestartPolicy = { name: "unless-stopped", maximumRetryCount: 0 };
  assert.equal(policyWantsRestart(unless, f), true);
  assert.equal(policyWantsRestart(unless, { ...f, manuallyStopped: true }), false);
  const onFailure3: RestartPolicy = { name: "on-failure", maximumRetryCount: 3 };
  assert.equal(policyWantsRestart(onFailure3, f), false);
  assert.equal(policyWantsRestart(onFailure3, { ...f, exitCode: 2, restartCount: 2 }), true);
  assert.equal(policyWantsRestart(onFailure3, { ...f, exitCode: 2, restartCount: 3 }), false);
  const unlimited: RestartPolicy = { name: "on-failure", maximumRetryCount: 0 };
  assert.equal(policyWantsRestart(unlimited, { ...f, exitCode: 2, restartCount: 1000 }), true);
});

test("decide advances the back-off; a cancelled manager restarts nothing until reset", () => {
  const timers = new FakeTimers();
  const rm = new RestartManager(timers);
  assert.equal(rm.decide("a", always, facts), 100);
  assert.equal(rm.decide("a", always, facts), 200);
  assert.equal(rm.decide("a", always, { ...facts, ranMs: 12_000 }), 100);
  rm.cancel("a");
  assert.equal(rm.decide("a", always, facts), undefined);
  rm.reset("a");
  assert.equal(rm.decide("a", always, facts), 100);
  // The back-off advances even when the policy says no (dockerd computes it first).
  const onFailure: RestartPolicy = { name: "on-failure", maximumRetryCount: 0 };
  assert.equal(rm.decide("b", onFailure, { ...facts, exitCode: 0 }), undefined);
  assert.equal(rm.decide("b", onFailure, facts), 200);
});

test("schedule fires after the delay; cancel drops a pending restart", () => {
  const timers = new FakeTimers();
  const rm = new RestartManager(timers);
  const fired: string[] = [];
  rm.schedule("a", 100, () => fired.push("a"));
  rm.schedule("b", 200, () => fired.push("b"));
  assert.equal(rm.pending("a"), true);
  // While one is pending, another exit cannot schedule a second one.
  assert.equal(rm.decide("a", always, facts), undefined);
  timers.advance(99);
  assert.deepEqual([...fired], []);
  timers.advance(1);
  assert.deepEqual([...fired], ["a"]);
  assert.equal(rm.cancel("b"), true);
  assert.equal(rm.cancel("b"), false);
  timers.advance(1000);
  assert.deepEqual([...fired], ["a"]);
  assert.equal(timers.count, 0);
  rm.schedule("c", 100, () => fired.push("c"));
  rm.close();
  timers.advance(1000);
  assert.deepEqual([...fired], ["a"]);
});

test("policy validation with Docker's texts", () => {
  const msg = (p: { name: string; maximumRetryCount: number }) => {
    try {
      validateRestartPolicy(p);
      return "";
    } catch (err) {
      assert.ok(isEngineError(err, "invalid"));
      return (err as Error).message;
    }
  };
  assert.equal(msg({ name: "always", maximumRetryCount: 0 }), "");
  assert.equal(msg({ name: "on-failure", maximumRetryCount: 5 }), "");
  assert.equal(
    msg({ name: "always", maximumRetryCount: 3 }),
    "invalid restart policy: maximum retry count can only be used with 'on-failure'",
  );
  assert.equal(
    msg({ name: "unless-stopped", maximumRetryCount: -1 }),
    "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative",
  );
  assert.equal(
    msg({ name: "on-failure", maximumRetryCount: -2 }),
    "invalid restart policy: maximum retry count cannot be negative",
  );
  assert.equal(
    msg({ name: "sometimes", maximumRetryCount: 0 }),
    "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'",
  );
});
