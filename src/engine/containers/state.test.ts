import assert from "node:assert/strict";
import { test } from "node:test";
import { isEngineError } from "../errors.js";
import { canTransition, transition, viewState, type ContainerState } from "./state.js";

const t0 = "2026-01-01T00:00:00Z";
const t1 = "2026-01-01T00:00:05Z";

test("created → running → paused → running → exited", () => {
  let s: ContainerState = { status: "created", error: "" };
  s = transition(s, { type: "started", pid: 42, at: t0 });
  assert.deepEqual(s, { status: "running", pid: 42, startedAt: t0 });
  s = transition(s, { type: "paused" });
  assert.equal(viewState(s).paused, true);
  assert.equal(viewState(s).running, true);
  s = transition(s, { type: "unpaused" });
  s = transition(s, { type: "exited", exitCode: 3, oomKilled: false, at: t1 });
  assert.deepEqual(s, {
    status: "exited",
    last: { startedAt: t0, finishedAt: t1, exitCode: 3, oomKilled: false, error: "" },
  });
  const v = viewState(s);
  assert.equal(v.running, false);
  assert.equal(v.exitCode, 3);
  assert.equal(v.pid, 0);
});

test("a restart keeps the previous FinishedAt while running", () => {
  let s: ContainerState = {
    status: "exited",
    last: { startedAt: t0, finishedAt: t1, exitCode: 1, oomKilled: false, error: "" },
  };
  s = transition(s, { type: "started", pid: 7, at: "2026-01-01T00:01:00Z" });
  const v = viewState(s);
  assert.equal(v.finishedAt, t1);
  assert.equal(v.exitCode, 0);
  assert.equal(v.startedAt, "2026-01-01T00:01:00Z");
});

test("a failed start records the error and exit code", () => {
  const s = transition(
    { status: "created", error: "" },
    { type: "start-failed", error: "boom", exitCode: 127, at: t1 },
  );
  assert.equal(viewState(s).error, "boom");
  assert.equal(viewState(s).exitCode, 127);
  assert.equal(s.status, "created", "it never ran (dockerd keeps it created)");
  assert.equal(viewState(s).finishedAt, "0001-01-01T00:00:00Z");
  // After a run, a failed start leaves it exited, with the new error.
  const ran = transition(transition(s, { type: "started", pid: 1, at: t0 }), {
    type: "exited",
    exitCode: 0,
    oomKilled: false,
    at: t1,
  });
  const again = transition(ran, { type: "start-failed", error: "bad mount", exitCode: 128, at: t1 });
  assert.equal(again.status, "exited");
  assert.equal(viewState(again).error, "bad mount");
});

test("refused transitions are conflicts", () => {
  const created: ContainerState = { status: "created", error: "" };
  assert.throws(
    () => transition(created, { type: "paused" }),
    (e) => isEngineError(e, "conflict"),
  );
  const running = transition(created, { type: "started", pid: 1, at: t0 });
  assert.equal(canTransition(running, "remove"), false);
  assert.equal(canTransition(running, "started"), false);
});

test("removing, then dead when removal fails", () => {
  let s: ContainerState = { status: "created", error: "" };
  s = transition(s, { type: "remove" });
  assert.equal(viewState(s).status, "removing");
  s = transition(s, { type: "remove-failed" });
  assert.equal(viewState(s).dead, true);
  assert.equal(transition(s, { type: "remove" }).status, "removing");
});
