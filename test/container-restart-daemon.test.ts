/**
 * Containers across a berthd restart: a second daemon on the same data root
 * and exec root (where conmon's state lives) finds running containers again,
 * records exits that happened while it was down, and starts what restart
 * policies keep running. Leak check at the end over both daemons' roots.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { importBusybox, leaks, startDaemon, type TestDaemon } from "./harness/daemon.js";

const scratch = mkdtempSync(join(tmpdir(), "berth-h15-"));
const dataRoot = join(scratch, "data");
const started: TestDaemon[] = [];

after(async () => {
  const last = started.at(-1);
  if (last && last.process.exitCode === null && last.process.signalCode === null) {
    const ids = (await last.docker(["ps", "-aq"])).stdout.split("\n").filter((l) => l !== "");
    if (ids.length > 0) await last.docker(["rm", "-f", ...ids]);
  }
  for (const d of [...started].reverse()) await d.stop();
  const found = started.flatMap((d) => leaks(d));
  // The harness keeps a daemon's base dir when given a data root.
  for (const d of started) rmSync(dirname(d.execRoot), { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
  assert.deepEqual(found, []);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A daemon on the shared data root, with the first daemon's exec root and networking. */
async function daemon(): Promise<TestDaemon> {
  const first = started[0];
  const extraArgs =
    first === undefined
      ? ["--iptables=false"]
      : [
          "--iptables=false",
          "--exec-root", first.execRoot,
          "--bridge-name", first.network.bridge,
          "--iptables-chain-prefix", first.network.chainPrefix,
          "--bip", first.network.bip,
        ]; // prettier-ignore
  const d = await startDaemon({ dataRoot, extraArgs });
  started.push(d);
  return d;
}

async function stopDaemon(d: TestDaemon, signal: NodeJS.Signals): Promise<void> {
  const exited = new Promise((r) => d.process.once("exit", r));
  d.process.kill(signal);
  await exited;
}

async function inspect(d: TestDaemon, name: string, format: string): Promise<string> {
  const r = await d.docker(["inspect", "--format", format, name]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

test("SIGTERM, then an always container exits while berthd is down: the next berthd starts it again", async () => {
  const d1 = await daemon();
  await importBusybox(d1);
  const run = await d1.docker([
    "run", "-d", "--name", "back", "--network", "none", "--restart", "always",
    "busybox", "sh", "-c", "echo run; sleep 2",
  ]); // prettier-ignore
  assert.equal(run.code, 0, run.stderr);
  const stopped = await d1.docker([
    "run",
    "-d",
    "--name",
    "stays",
    "--network",
    "none",
    "--restart",
    "unless-stopped",
    "busybox",
    "sleep",
    "1000",
  ]);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal((await d1.docker(["stop", "-t", "0", "stays"])).code, 0);
  const live = await d1.docker([
    "run",
    "-d",
    "--name",
    "live",
    "--network",
    "none",
    "busybox",
    "sh",
    "-c",
    "echo hello; exec sleep 1000",
  ]);
  assert.equal(live.code, 0, live.stderr);
  await stopDaemon(d1, "SIGTERM");
  await sleep(3000); // "back" exits meanwhile

  const d2 = await daemon();
  assert.equal(await inspect(d2, "back", "{{.State.Running}}"), "true");
  const logs = await d2.docker(["logs", "back"]);
  assert.equal(logs.stdout, "run\nrun\n");
  // unless-stopped, stopped by the user: left alone.
  assert.equal(await inspect(d2, "stays", "{{.State.Status}}"), "exited");
  // Still running under conmon: found again, logs and wait work.
  assert.equal(await inspect(d2, "live", "{{.State.Status}}"), "running");
  assert.equal((await d2.docker(["logs", "live"])).stdout, "hello\n");
  const wait = d2.docker(["wait", "live"]);
  await sleep(300);
  assert.equal((await d2.docker(["kill", "live"])).code, 0);
  const w = await wait;
  assert.equal(w.stdout, "137\n", w.stderr);
  await stopDaemon(d2, "SIGTERM");
});

test("kill -9 of berthd with containers running: they keep running, logs and wait work", async () => {
  const d3 = await daemon();
  const run = await d3.docker([
    "run",
    "-d",
    "--name",
    "survivor",
    "--network",
    "none",
    "--restart",
    "always",
    "busybox",
    "sh",
    "-c",
    "echo alive; exec sleep 1000",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const hc = await d3.docker([
    "run", "-d", "--name", "checked", "--network", "none",
    "--health-cmd", "true", "--health-interval", "1s", "busybox", "sleep", "1000",
  ]); // prettier-ignore
  assert.equal(hc.code, 0, hc.stderr);
  await stopDaemon(d3, "SIGKILL");
  await sleep(500);

  const d4 = await daemon();
  assert.equal(await inspect(d4, "survivor", "{{.State.Status}} {{.RestartCount}}"), "running 0");
  assert.equal((await d4.docker(["logs", "survivor"])).stdout, "alive\n");
  // Probes start over after the restart.
  const deadline = Date.now() + 10_000;
  while ((await inspect(d4, "checked", "{{.State.Health.Status}}")) !== "healthy") {
    assert.ok(Date.now() < deadline, "health checks resume after a daemon restart");
    await sleep(200);
  }
  const wait = d4.docker(["wait", "survivor"]);
  await sleep(300);
  assert.equal((await d4.docker(["stop", "-t", "1", "survivor"])).code, 0);
  // sleep as PID 1 ignores SIGTERM: killed after the timeout.
  assert.equal((await wait).stdout, "137\n");
  await sleep(500);
  assert.equal(await inspect(d4, "survivor", "{{.State.Status}}"), "exited");
});
