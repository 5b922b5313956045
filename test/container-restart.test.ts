/** Restart policies through the real docker CLI against berthd, with a leak check at the end. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startDaemon, stopClean, waitFor, type TestDaemon } from "./harness/daemon.js";

let d: TestDaemon;
before(async () => {
  d = await startDaemon({ busybox: true });
});
after(async () => {
  await d.docker(["rm", "-f", "of3", "alw", "slow"]);
  await stopClean(d);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function inspect(name: string, format: string): Promise<string> {
  const r = await d.docker(["inspect", "--format", format, name]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

async function actions(name: string, since: string): Promise<string[]> {
  const r = await d.docker([
    "events",
    "--since",
    since,
    "--until",
    new Date(Date.now() + 500).toISOString(),
    "--filter",
    `container=${name}`,
    "--format",
    "{{.Action}}",
  ]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split("\n").filter((l) => l !== "");
}

test("on-failure:3 restarts a failing container three times, then leaves it exited", async () => {
  const since = new Date().toISOString();
  const run = await d.docker([
    "run",
    "-d",
    "--name",
    "of3",
    "--restart",
    "on-failure:3",
    "busybox",
    "sh",
    "-c",
    "exit 1",
  ]);
  assert.equal(run.code, 0, run.stderr);
  await waitFor(
    "RestartCount 3 and exited",
    async () => (await inspect("of3", "{{.RestartCount}} {{.State.Status}}")) === "3 exited",
  );
  await sleep(1500);
  assert.equal(await inspect("of3", "{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}"), "3 exited 1");
  assert.equal(
    await inspect(
      "of3",
      "{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}",
    ),
    "on-failure:3",
  );
  // dockerd's order: each exit is "die", each restart a "start"; no "restart" event for policy restarts.
  const acts = (await actions("of3", since)).filter((a) => a === "start" || a === "die" || a === "restart");
  assert.deepEqual(acts, ["start", "die", "start", "die", "start", "die", "start", "die"]);
  const ps = await d.docker(["ps", "-a", "--filter", "name=of3", "--format", "{{.Status}}"]);
  assert.match(ps.stdout, /^Exited \(1\) /);
});

test("always restarts with Docker's growing back-off, shows Restarting, and docker stop ends it for good", async () => {
  const run = await d.docker([
    "run",
    "-d",
    "--name",
    "alw",
    "--restart",
    "always",
    "busybox",
    "sh",
    "-c",
    "exit 3",
  ]);
  assert.equal(run.code, 0, run.stderr);
  // The back-off doubles from 100 ms (100+200+400+800): by the fifth wait it is long enough to watch.
  await waitFor("four restarts", async () => Number(await inspect("alw", "{{.RestartCount}}")) >= 4);
  await waitFor("ps to show Restarting", async () =>
    /^Restarting \(3\) /.test(
      (await d.docker(["ps", "--filter", "name=alw", "--format", "{{.Status}}"])).stdout,
    ),
  );
  const state = await inspect("alw", "{{.State.Status}} {{.State.Restarting}} {{.State.Running}}");
  assert.equal(state, "restarting true true");
  assert.ok(Number(await inspect("alw", "{{.RestartCount}}")) >= 1);
  const start = await d.docker(["start", "alw"]);
  assert.equal(start.code, 0, start.stderr);
  const stop = await d.docker(["stop", "alw"]);
  assert.equal(stop.code, 0, stop.stderr);
  const count = await inspect("alw", "{{.RestartCount}}");
  assert.equal(await inspect("alw", "{{.State.Status}} {{.State.ExitCode}}"), "exited 3");
  await sleep(1500);
  assert.equal(await inspect("alw", "{{.State.Status}} {{.RestartCount}}"), `exited ${count}`);
  await d.docker(["rm", "-f", "alw"]);
});

test("always brings a container back after it exits; docker stop cancels; kill also cancels", async () => {
  const run = await d.docker([
    "run", "-d", "--name", "slow", "--restart", "always", "busybox", "sh", "-c", "echo up; sleep 1",
  ]); // prettier-ignore
  assert.equal(run.code, 0, run.stderr);
  await waitFor("one restart", async () => (await inspect("slow", "{{.RestartCount}}")) === "1");
  await waitFor("running again", async () => (await inspect("slow", "{{.State.Running}}")) === "true");
  // The log keeps every run's output.
  await waitFor("both runs in the log", async () =>
    (await d.docker(["logs", "slow"])).stdout.startsWith("up\nup\n"),
  );
  const kill = await d.docker(["kill", "slow"]);
  assert.equal(kill.code, 0, kill.stderr);
  await sleep(1000);
  const after = await inspect("slow", "{{.State.Status}} {{.State.ExitCode}}");
  assert.equal(after, "exited 137");
});

test("--rm with a restart policy is refused; bad policies get Docker's texts", async () => {
  const rm = await d.docker(["run", "--rm", "--restart", "always", "busybox", "true"]);
  assert.notEqual(rm.code, 0);
  assert.match(
    rm.stderr,
    /conflicting options: cannot specify both --restart and --rm|can't create 'AutoRemove' container with restart policy/,
  );
  await assert.rejects(
    d.dockerode.createContainer({
      Image: "busybox",
      HostConfig: { AutoRemove: true, RestartPolicy: { Name: "always" } },
    }),
    /can't create 'AutoRemove' container with restart policy/,
  );
  const bad = await d.docker(["create", "--restart", "always:3", "busybox", "true"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /maximum retry count can only be used with 'on-failure'/);
});
