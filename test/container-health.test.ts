/** Health checks through the real docker CLI against berthd, with a leak check at the end. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startDaemon, stopClean, waitFor, type TestDaemon } from "./harness/daemon.js";

let d: TestDaemon;
before(async () => {
  d = await startDaemon({ busybox: true });
});
after(async () => {
  await d.docker(["rm", "-f", "hc", "slowprobe", "nohc"]);
  await stopClean(d);
});

async function inspect(name: string, format: string): Promise<string> {
  const r = await d.docker(["inspect", "--format", format, name]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

const health = (name: string) => inspect(name, "{{.State.Health.Status}}");
const psStatus = async (name: string) =>
  (await d.docker(["ps", "-a", "--filter", `name=^${name}$`, "--format", "{{.Status}}"])).stdout.trim();

interface HealthJson {
  Status: string;
  FailingStreak: number;
  Log: { Start: string; End: string; ExitCode: number; Output: string }[];
}

test("a health check goes starting → healthy → unhealthy with Docker's events, ps status and filter", async () => {
  const since = new Date().toISOString();
  const run = await d.docker([
    "run", "-d", "--name", "hc",
    "--health-cmd", "test -f /tmp/ok && echo fine", "--health-interval", "1s", "--health-retries", "2",
    "busybox", "sh", "-c", "touch /tmp/ok; exec sleep 1000",
  ]); // prettier-ignore
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await health("hc"), "starting");
  assert.match(await psStatus("hc"), /^Up .* \(health: starting\)$/);
  const cfg = JSON.parse(await inspect("hc", "{{json .Config.Healthcheck}}")) as Record<string, unknown>;
  assert.deepEqual(cfg, { Test: ["CMD-SHELL", "test -f /tmp/ok && echo fine"], Interval: 1e9, Retries: 2 });

  await waitFor("healthy", async () => (await health("hc")) === "healthy");
  assert.match(await psStatus("hc"), /^Up .* \(healthy\)$/);
  const ok = JSON.parse(await inspect("hc", "{{json .State.Health}}")) as HealthJson;
  assert.equal(ok.FailingStreak, 0);
  assert.equal(ok.Log.at(-1)?.ExitCode, 0);
  assert.equal(ok.Log.at(-1)?.Output, "fine\n");
  const filtered = await d.docker(["ps", "--filter", "health=healthy", "--format", "{{.Names}}"]);
  assert.equal(filtered.stdout, "hc\n");
  const none = await d.docker(["ps", "--filter", "health=unhealthy", "--format", "{{.Names}}"]);
  assert.equal(none.stdout, "");

  assert.equal((await d.docker(["exec", "hc", "rm", "/tmp/ok"])).code, 0);
  await waitFor("unhealthy", async () => (await health("hc")) === "unhealthy");
  const bad = JSON.parse(await inspect("hc", "{{json .State.Health}}")) as HealthJson;
  assert.equal(bad.FailingStreak, 2);
  assert.ok(bad.Log.length <= 5);
  assert.equal(bad.Log.at(-1)?.ExitCode, 1);
  assert.match(await psStatus("hc"), /^Up .* \(unhealthy\)$/);

  const ev = await d.docker([
    "events", "--since", since, "--until", new Date(Date.now() + 500).toISOString(),
    "--filter", "container=hc", "--filter", "event=health_status", "--format", "{{.Action}}",
  ]); // prettier-ignore
  assert.equal(ev.stdout, "health_status: healthy\nhealth_status: unhealthy\n");

  // Probes end with the container; the last status stays, as dockerd reports it.
  assert.equal((await d.docker(["stop", "-t", "1", "hc"])).code, 0);
  assert.equal(await health("hc"), "unhealthy");
  assert.match(await psStatus("hc"), /^Exited /);
});

test("a probe past its timeout is killed and fails with Docker's text", async () => {
  const run = await d.docker([
    "run", "-d", "--name", "slowprobe",
    "--health-cmd", "echo waiting; sleep 5", "--health-interval", "1s", "--health-timeout", "1s",
    "--health-retries", "1",
    "busybox", "sleep", "1000",
  ]); // prettier-ignore
  assert.equal(run.code, 0, run.stderr);
  await waitFor("unhealthy", async () => (await health("slowprobe")) === "unhealthy");
  const h = JSON.parse(await inspect("slowprobe", "{{json .State.Health}}")) as HealthJson;
  assert.equal(h.Log[0]?.ExitCode, -1);
  assert.equal(h.Log[0]?.Output, "Health check exceeded timeout (1s): waiting\n");
  const top = await d.docker(["exec", "slowprobe", "ps"]);
  assert.doesNotMatch(top.stdout, /sleep 5/, "the timed-out probe was killed");
  assert.equal((await d.docker(["rm", "-f", "slowprobe"])).code, 0);
});

test("--no-healthcheck: no probes, no State.Health, health filter none", async () => {
  const run = await d.docker(["run", "-d", "--name", "nohc", "--no-healthcheck", "busybox", "sleep", "1000"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await inspect("nohc", "{{json .Config.Healthcheck}}"), '{"Test":["NONE"]}');
  assert.equal(await inspect("nohc", "{{json .State.Health}}"), "null");
  assert.match(await psStatus("nohc"), /^Up [^(]*$/);
  const f = await d.docker(["ps", "--filter", "health=none", "--format", "{{.Names}}"]);
  assert.equal(f.stdout, "nohc\n");
  const badFilter = await d.docker(["ps", "--filter", "health=sick"]);
  assert.notEqual(badFilter.code, 0);
  assert.match(badFilter.stderr, /Unrecognized filter value for health: sick/);
  await assert.rejects(
    d.dockerode.createContainer({ Image: "busybox", Healthcheck: { Test: ["CMD", "true"], Interval: 1000 } }),
    /Interval in Healthcheck cannot be less than 1ms/,
  );
});
