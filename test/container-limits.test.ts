/** Resource limits hold: memory (OOM kill seen in inspect), pids, cpus, through the docker CLI. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startDaemon, stopClean, type TestDaemon } from "./harness/daemon.js";

let d: TestDaemon;
before(async () => {
  d = await startDaemon({ busybox: true });
});
after(async () => {
  await stopClean(d);
});

test("a memory limit OOM-kills the container and inspect says so", async () => {
  const run = await d.docker([
    "run",
    "--name",
    "oom",
    "--network",
    "none",
    "-m",
    "16m",
    "--memory-swap",
    "16m",
    "busybox",
    "sh",
    "-c",
    "head -c 200m /dev/zero | tail",
  ]);
  assert.equal(run.code, 137, run.stderr);
  const state = await d.docker([
    "inspect",
    "-f",
    "{{.State.OOMKilled}} {{.State.ExitCode}} {{.HostConfig.Memory}}",
    "oom",
  ]);
  assert.equal(state.stdout.trim(), `true 137 ${16 * 1024 * 1024}`);
  await d.docker(["rm", "oom"]);
});

test("a pids limit holds", async () => {
  const run = await d.docker([
    "run",
    "--rm",
    "--network",
    "none",
    "--pids-limit",
    "4",
    "busybox",
    "sh",
    "-c",
    "for i in 1 2 3 4 5 6 7 8; do sleep 3 & done; wait",
  ]);
  assert.match(run.stdout + run.stderr, /can't fork|Resource temporarily unavailable/);
});

test("--cpus and --cpu-shares reach the cgroup and inspect", async () => {
  const id = (
    await d.docker([
      "run",
      "-d",
      "--network",
      "none",
      "--cpus",
      "0.5",
      "--cpu-shares",
      "512",
      "busybox",
      "sleep",
      "30",
    ])
  ).stdout.trim();
  try {
    const r = await d.docker(["inspect", "-f", "{{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}}", id]);
    assert.equal(r.stdout.trim(), "500000000 512");
    const quota = await d.docker(["exec", id, "cat", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us"]);
    if (quota.code === 0) assert.equal(quota.stdout.trim(), "50000");
  } finally {
    await d.docker(["rm", "-f", id]);
  }
});

test("--log-opt max-size caps the log and inspect echoes the log config", async () => {
  const script =
    "i=0; while [ $i -lt 3000 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done";
  const run = await d.docker([
    "run",
    "--name",
    "chatty",
    "--network",
    "none",
    "--log-opt",
    "max-size=20k",
    "busybox",
    "sh",
    "-c",
    script,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.stdout.length > 100_000, "the attached client sees everything");
  const logs = await d.docker(["logs", "chatty"]);
  assert.ok(logs.stdout.length <= 20 * 1024, `log kept under the cap, got ${logs.stdout.length} bytes`);
  assert.match(logs.stdout, /line-2999-/);
  const cfg = await d.docker(["inspect", "-f", "{{json .HostConfig.LogConfig}}", "chatty"]);
  assert.equal(cfg.stdout.trim(), '{"Type":"json-file","Config":{"max-size":"20k"}}');
  const bogus = await d.docker(["run", "--rm", "--log-driver", "bogus", "busybox", "true"]);
  assert.equal(bogus.code, 125);
  assert.match(bogus.stderr, /no log driver named 'bogus' is registered/);
  await d.docker(["rm", "chatty"]);
});

test("--log-opt max-file keeps that many files: logs reads them in order, without a gap", async () => {
  // ~40 lines per 2 kB file, written slowly enough for every replacement to be seen.
  const script =
    "i=0; while [ $i -lt 300 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); usleep 2000; done";
  const opts = ["--log-opt", "max-size=2k", "--log-opt", "max-file=3"];
  const run = await d.docker([
    "run",
    "--name",
    "rotated",
    "--network",
    "none",
    ...opts,
    "busybox",
    "sh",
    "-c",
    script,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const lines = (await d.docker(["logs", "rotated"])).stdout.trim().split("\n");
  const numbers = lines.map((l) => Number(/^line-(\d+)-/.exec(l)?.[1]));
  assert.equal(numbers[numbers.length - 1], 299);
  assert.ok(lines.length > 60, `more than one 2 kB file is kept, got ${lines.length} lines`);
  assert.ok(lines.length <= 3 * 45, `at most three files, got ${lines.length} lines`);
  numbers.forEach((v, i) => i === 0 || assert.equal(v, (numbers[i - 1] ?? 0) + 1, `line ${i} follows`));
  const tail = (await d.docker(["logs", "--tail", "50", "rotated"])).stdout.trim().split("\n");
  assert.deepEqual(tail, lines.slice(-50), "--tail counts across files");
  await d.docker(["rm", "rotated"]);
});
