/** Container lifecycle through the real docker CLI against berthd, with a leak check at the end. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { busyboxTar, leaks, startDaemon, type TestDaemon } from "./harness/daemon.js";

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
  const r = await d.docker(["import", "-", "busybox:latest"], { input: busyboxTar() });
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  await d.docker(["rm", "-f", "web", "dup1"]);
  await d.stop();
  assert.deepEqual(leaks(d), []);
});

test("docker run --rm prints the output and leaves nothing", async () => {
  const r = await d.docker(["run", "--rm", "busybox", "echo", "hi"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "hi\n");
  const ps = await d.docker(["ps", "-aq"]);
  assert.equal(ps.stdout, "");
});

test("the container's exit code is run's exit code; ps shows it exited", async () => {
  const r = await d.docker(["run", "--name", "three", "busybox", "sh", "-c", "exit 3"]);
  assert.equal(r.code, 3, r.stderr);
  const ps = await d.docker(["ps", "-a", "--filter", "name=three", "--format", "{{.Status}}|{{.Command}}"]);
  assert.match(
    ps.stdout,
    /^Exited \(3\) .* ago\|"sh -c 'exit 3'"\n$|^Exited \(3\) .* ago\|"sh -c exit 3"\n$/,
  );
  const insp = await d.docker([
    "inspect",
    "three",
    "--format",
    "{{.State.Status}} {{.State.ExitCode}} {{.Name}}",
  ]);
  assert.equal(insp.stdout.trim(), "exited 3 /three");
  assert.equal((await d.docker(["rm", "three"])).code, 0);
});

test("stdin reaches the container: echo hi | docker run -i busybox cat", async () => {
  const r = await d.docker(["run", "-i", "--rm", "busybox", "cat"], { input: "hi\n" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "hi\n");
});

test("detached container: ps, logs, exec, stop with Docker's events", async () => {
  const run = await d.docker([
    "run",
    "-d",
    "--name",
    "web",
    "busybox",
    "sh",
    "-c",
    "echo started; exec sleep 1000",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^[0-9a-f]{64}\n$/);
  const id = run.stdout.trim();
  const ps = await d.docker(["ps", "--format", "{{.Names}} {{.Status}}"]);
  assert.match(ps.stdout, /^web Up /m);
  const exec = await d.docker(["exec", "web", "echo", "hi"]);
  assert.equal(exec.stdout, "hi\n", exec.stderr);
  const code = await d.docker(["exec", "web", "sh", "-c", "exit 5"]);
  assert.equal(code.code, 5);
  // An exec leaves ExecIDs when it exits, as in dockerd; a running one is listed.
  const execIds = async () => (await d.docker(["inspect", "-f", "{{json .ExecIDs}}", "web"])).stdout;
  assert.equal(await execIds(), "null\n");
  assert.equal((await d.docker(["exec", "-d", "web", "sleep", "1"])).code, 0);
  assert.match(await execIds(), /^\["[0-9a-f]{64}"\]\n$/);
  for (let i = 0; i < 40 && (await execIds()) !== "null\n"; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await execIds(), "null\n", "gone once it exited");
  const logs = await d.docker(["logs", "web"]);
  assert.equal(logs.stdout, "started\n");
  const since = new Date().toISOString();
  const stop = await d.docker(["stop", "-t", "1", "web"]);
  assert.equal(stop.code, 0, stop.stderr);
  const ev = await d.docker([
    "events",
    "--since",
    since,
    "--until",
    new Date(Date.now() + 1000).toISOString(),
    "--filter",
    `container=${id}`,
    "--format",
    '{{.Action}} {{index .Actor.Attributes "signal"}}{{index .Actor.Attributes "exitCode"}}',
  ]);
  assert.deepEqual(
    ev.stdout
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== ""),
    ["kill 15", "kill 9", "die 137", "stop"],
  );
  assert.equal((await d.docker(["rm", "web"])).code, 0);
});

test("a second container with a taken name is Docker's conflict", async () => {
  assert.equal((await d.docker(["create", "--name", "dup1", "busybox", "true"])).code, 0);
  const r = await d.docker(["create", "--name", "dup1", "busybox", "true"]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /Conflict\. The container name "\/dup1" is already in use by container "[0-9a-f]{64}"/,
  );
  assert.equal((await d.docker(["rm", "dup1"])).code, 0);
});

test("20 concurrent run -d, then rm -f, without errors", async () => {
  const runs = await Promise.all(
    Array.from({ length: 20 }, () => d.docker(["run", "-d", "busybox", "sleep", "30"])),
  );
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const ids = runs.map((r) => r.stdout.trim());
  const rm = await d.docker(["rm", "-f", ...ids]);
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal((await d.docker(["ps", "-aq"])).stdout, "");
});

test("a missing command fails with 127 and --rm still removes the container", async () => {
  const r = await d.docker(["run", "--rm", "busybox", "nonexistent-cmd"]);
  assert.equal(r.code, 127);
  assert.match(r.stderr, /executable file not found/);
  assert.equal((await d.docker(["ps", "-aq"])).stdout, "");
});
