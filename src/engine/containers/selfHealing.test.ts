import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, test } from "node:test";
import { isEngineError } from "../errors.js";
import { openDatabase } from "../store/index.js";
import { FakeTimers } from "./fakeTimers.js";
import { fakeDeps } from "./fakeDeps.js";
import type { HealthResult } from "./health.js";
import type { RestartPolicy } from "./model.js";
import { ContainerService } from "./service.js";
import { viewState } from "./state.js";
import { ContainerStore, containersSchema } from "./store.js";
import { containerSpec, hostSpec } from "./testdata.js";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** Lets pending work (exit handling, a start with its file writes) finish, in real time. */
const settle = () => new Promise((r) => setTimeout(r, 60));

function setup(restartPolicy: RestartPolicy) {
  const root = mkdtempSync(join(tmpdir(), "h15-heal-"));
  roots.push(root);
  const f = fakeDeps(root);
  const timers = new FakeTimers();
  const store = new ContainerStore(openDatabase(":memory:", [containersSchema]));
  const svc = new ContainerService(store, f.deps, { timers });
  const spec = containerSpec({ host: hostSpec({ restartPolicy }) });
  return { ...f, timers, svc, spec };
}

const actions = (events: { action: string }[]) =>
  events.map((e) => e.action).filter((a) => ["start", "die", "stop", "restart", "kill"].includes(a));

test("on-failure:2: restarting with RestartCount, die then start, back-off, then exited for good", async () => {
  const { svc, runtime, timers, events, spec } = setup({ name: "on-failure", maximumRetryCount: 2 });
  const c = await svc.create(spec, { name: "of" });
  await svc.start("of");
  runtime.exit(c.id, 1);
  await settle();
  assert.equal(svc.get("of").state.status, "restarting");
  assert.equal(svc.get("of").restartCount, 1);
  timers.advance(99);
  await settle();
  assert.equal(svc.get("of").state.status, "restarting", "waits the 100 ms back-off");
  timers.advance(1);
  await settle();
  assert.equal(svc.get("of").state.status, "running");
  runtime.exit(c.id, 1);
  await settle();
  timers.advance(199);
  await settle();
  assert.equal(svc.get("of").state.status, "restarting", "then 200 ms");
  timers.advance(1);
  await settle();
  assert.equal(svc.get("of").restartCount, 2);
  runtime.exit(c.id, 1);
  await settle();
  const v = viewState(svc.get("of").state);
  assert.deepEqual([v.status, v.exitCode, svc.get("of").restartCount], ["exited", 1, 2]);
  assert.deepEqual(actions(events), ["start", "die", "start", "die", "start", "die"]);
  // A user start begins afresh.
  await svc.start("of");
  assert.equal(svc.get("of").restartCount, 0);
});

test("docker stop during the back-off cancels the restart; a later exit is not restarted", async () => {
  const { svc, runtime, timers, events, spec } = setup({ name: "always", maximumRetryCount: 0 });
  const c = await svc.create(spec, { name: "al" });
  await svc.start("al");
  runtime.exit(c.id, 0);
  await settle();
  assert.equal(svc.get("al").state.status, "restarting");
  await assert.rejects(svc.start("al"), (e) => isEngineError(e, "not-modified"));
  await svc.stop("al", {});
  assert.equal(svc.get("al").state.status, "exited");
  timers.advance(10_000);
  await settle();
  assert.equal(svc.get("al").state.status, "exited");
  assert.equal(timers.count, 0);
  assert.deepEqual(actions(events).slice(-3), ["start", "die", "stop"]);
});

test("kill cancels the policy for that run; unless-stopped stays down, always too until a user start", async () => {
  const { svc, runtime, timers, spec } = setup({ name: "unless-stopped", maximumRetryCount: 0 });
  runtime.ignored.add(1);
  const c = await svc.create(spec, { name: "us" });
  await svc.start("us");
  await svc.kill("us", "SIGKILL");
  await settle();
  timers.advance(1000);
  await settle();
  assert.equal(svc.get("us").state.status, "exited");
  assert.equal(svc.get("us").manuallyStopped, true);
  await svc.start("us");
  assert.equal(svc.get("us").manuallyStopped, false);
  runtime.exit(c.id, 2);
  await settle();
  assert.equal(svc.get("us").state.status, "restarting");
});

test("health: starting, healthy, unhealthy with events; probes stop with the container", async () => {
  const { svc, runtime, timers, events } = setup({ name: "no", maximumRetryCount: 0 });
  const codes = [1, 0, 1, 1];
  const probes: string[][] = [];
  runtime.runtime.exec = async (_id, o) => {
    probes.push(o.process.args);
    const code = codes.shift() ?? 0;
    return {
      pid: 0,
      output: (async function* () {
        yield { stream: "stdout" as const, data: Buffer.from(`probe ${code}\n`) };
      })(),
      exitCode: Promise.resolve(code),
      close: () => undefined,
    };
  };
  const spec = containerSpec({
    healthcheck: {
      test: ["CMD-SHELL", "check"],
      intervalNs: 1e9,
      timeoutNs: 0,
      startPeriodNs: 0,
      retries: 2,
    },
  });
  const c = await svc.create(spec, { name: "hc" });
  await svc.start("hc");
  assert.equal(svc.get("hc").health?.status, "starting");
  const step = async () => {
    timers.advance(1000);
    await settle();
  };
  await step();
  assert.deepEqual(probes[0], ["/bin/sh", "-c", "check"]);
  assert.deepEqual([svc.get("hc").health?.status, svc.get("hc").health?.failingStreak], ["starting", 1]);
  await step();
  assert.equal(svc.get("hc").health?.status, "healthy");
  await step();
  await step();
  const h = svc.get("hc").health;
  assert.deepEqual([h?.status, h?.failingStreak, h?.log.length], ["unhealthy", 2, 4]);
  assert.equal((h?.log[0] as HealthResult).output, "probe 1\n");
  assert.deepEqual(
    events.map((e) => e.action).filter((a) => a.startsWith("health_status")),
    ["health_status: healthy", "health_status: unhealthy"],
  );
  assert.ok(events.some((e) => e.action === "exec_create: /bin/sh -c check"));
  runtime.exit(c.id, 0);
  await settle();
  const n = probes.length;
  await step();
  await step();
  assert.equal(probes.length, n, "no probes after the exit");
  assert.equal(timers.count, 0);
});
