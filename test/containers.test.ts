/** Container lifecycle through the real docker CLI against berthd, with a leak check at the end. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startDaemon, stopClean, type TestDaemon } from "./harness/daemon.js";

let d: TestDaemon;
before(async () => {
  d = await startDaemon({ busybox: true });
});
after(async () => {
  await d.docker(["rm", "-f", "web", "dup1"]);
  await stopClean(d);
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
  assert.equal(
    r.stderr,
    "docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"nonexistent-cmd\": executable file not found in $PATH: unknown\n\nRun 'docker run --help' for more information\n",
  );
  assert.equal((await d.docker(["ps", "-aq"])).stdout, "");
  // Without --rm it stays "Created" (it never ran), with the error and exit code, as in dockerd.
  const kept = await d.docker(["run", "--name", "never-ran", "busybox", "nonexistent-cmd"]);
  assert.equal(kept.code, 127);
  const state = await d.docker([
    "inspect",
    "-f",
    "{{.State.Status}} {{.State.ExitCode}} {{.State.FinishedAt}}",
    "never-ran",
  ]);
  assert.equal(state.stdout, "created 127 0001-01-01T00:00:00Z\n");
  assert.equal(
    (await d.docker(["ps", "-a", "--filter", "name=never-ran", "--format", "{{.Status}}"])).stdout,
    "Created\n",
  );
  await d.docker(["rm", "never-ran"]);
});

test("--pid, --uts and --ipc: the host's namespaces, another container's PIDs, no /dev/shm", async () => {
  const run = (...args: string[]) => d.docker(["run", "--rm", "--network", "none", ...args]);
  const hostPs = await run("--pid=host", "busybox", "ps", "-o", "pid,comm");
  assert.match(hostPs.stdout, /^\s+2 kthreadd$/m, "the host's kernel threads are seen");
  assert.equal(
    (await d.docker(["run", "-d", "--name", "pidtarget", "--network", "none", "busybox", "sleep", "1000"]))
      .code,
    0,
  );
  const joined = await run("--pid=container:pidtarget", "busybox", "ps", "-o", "pid,comm");
  assert.match(joined.stdout, /^\s+1 sleep$/m, joined.stderr);
  await d.docker(["stop", "-t", "0", "pidtarget"]);
  const stopped = await run("--pid=container:pidtarget", "busybox", "true");
  assert.equal(stopped.code, 125);
  assert.match(stopped.stderr, /container [0-9a-f]{64} is not running/);
  await d.docker(["rm", "pidtarget"]);
  assert.equal((await run("--uts=host", "busybox", "hostname")).stdout, `${hostname()}\n`);
  const conflict = await run("--uts=host", "-h", "x", "busybox", "true");
  assert.equal(conflict.code, 125);
  assert.match(conflict.stderr, /conflicting options: hostname and the UTS mode/);
  const marker = `/dev/shm/berth-test-${process.pid}`;
  writeFileSync(marker, "");
  try {
    assert.equal((await run("--ipc=host", "busybox", "ls", marker)).stdout, `${marker}\n`);
  } finally {
    rmSync(marker, { force: true });
  }
  assert.equal(
    (await run("--ipc=none", "busybox", "sh", "-c", "grep -c ' /dev/shm ' /proc/mounts")).stdout,
    "0\n",
  );
  const pidMode = await d.docker(["create", "--pid=host", "--uts=host", "--userns=host", "busybox", "true"]);
  const id = pidMode.stdout.trim();
  const echo = await d.docker([
    "inspect",
    "-f",
    "{{.HostConfig.PidMode}} {{.HostConfig.UTSMode}} {{.HostConfig.UsernsMode}}",
    id,
  ]);
  assert.equal(
    echo.stdout,
    "host host host\n",
    "no user remapping here: --userns=host is what every container has",
  );
  await d.docker(["rm", id]);
});

test(
  "--device and --device-cgroup-rule: the node with the access asked, and dockerd's errors",
  { skip: !existsSync("/dev/fuse") && "no /dev/fuse here" },
  async () => {
    const run = (...args: string[]) => d.docker(["run", "--rm", "--network", "none", ...args]);
    const probe = ": < /dev/x && echo read-ok; : > /dev/x && echo write-ok";
    const ro = await run("--device", "/dev/fuse:/dev/x:r", "busybox", "sh", "-c", `ls -l /dev/x; ${probe}`);
    assert.match(ro.stdout, /^crw\S* +1 root +root +10, +229 .* \/dev\/x\nread-ok\n$/);
    assert.match(ro.stderr, /can't create \/dev\/x: Operation not permitted/, "no write access was given");
    assert.equal(
      (await run("--device", "/dev/fuse:/dev/x", "busybox", "sh", "-c", probe)).stdout,
      "read-ok\nwrite-ok\n",
    );
    const mknod = "mknod /dev/x c 10 229 && " + probe;
    assert.match(
      (await run("busybox", "sh", "-c", mknod)).stderr,
      /Operation not permitted/,
      "not in the default rules",
    );
    assert.match(
      (await run("--device-cgroup-rule", "c 10:229 r", "busybox", "sh", "-c", mknod)).stdout,
      /^read-ok\n$/,
    );
    const missing = await run("--device", "/dev/nope-berth", "busybox", "true");
    assert.equal(missing.code, 127);
    assert.match(
      missing.stderr,
      /error gathering device information while adding custom device "\/dev\/nope-berth": no such file or directory/,
    );
    const file = await run("--device", "/etc/passwd", "busybox", "true");
    assert.match(file.stderr, /while adding custom device "\/etc\/passwd": not a device node/);
    const badRule = await run("--device-cgroup-rule", "x 1:2 r", "busybox", "true");
    assert.equal(badRule.code, 125);
    assert.match(badRule.stderr, /invalid device cgroup format 'x 1:2 r'/);
  },
);

test("--security-opt seccomp=<profile>: the custom profile applies; a malformed one is refused", async () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-seccomp-"));
  try {
    const profile = join(dir, "no-mkdir.json");
    writeFileSync(
      profile,
      JSON.stringify({
        defaultAction: "SCMP_ACT_ALLOW",
        syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1 }],
      }),
    );
    const run = (...args: string[]) => d.docker(["run", "--rm", "--network", "none", ...args]);
    const denied = await run("--security-opt", `seccomp=${profile}`, "busybox", "mkdir", "/x");
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /can't create directory '\/x': Operation not permitted/);
    assert.equal((await run("busybox", "mkdir", "/x")).code, 0, "the default profile allows mkdir");
    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ERRNO"}]}',
    );
    const refused = await run("--security-opt", `seccomp=${bad}`, "busybox", "true");
    assert.equal(refused.code, 125);
    assert.match(refused.stderr, /'name' and 'names' were specified in the seccomp profile/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--ipc=shareable and --ipc=container: another container sees the donor's /dev/shm", async () => {
  const run = (...args: string[]) => d.docker(["run", "--rm", "--network", "none", ...args]);
  const detached = (name: string, ...args: string[]) =>
    d.docker([
      "run",
      "-d",
      "--name",
      name,
      "--network",
      "none",
      ...args,
      "busybox",
      "sh",
      "-c",
      "echo shared > /dev/shm/f; sleep 1000",
    ]);
  assert.equal((await detached("ipcdonor", "--ipc=shareable")).code, 0);
  assert.equal((await detached("ipcprivate")).code, 0);
  const donorId = (await d.docker(["inspect", "-f", "{{.Id}}", "ipcdonor"])).stdout.trim();
  const privateId = (await d.docker(["inspect", "-f", "{{.Id}}", "ipcprivate"])).stdout.trim();
  let seen = "";
  for (let i = 0; i < 50 && seen !== "shared\n"; i++)
    seen = (await run("--ipc=container:ipcdonor", "busybox", "cat", "/dev/shm/f")).stdout;
  assert.equal(seen, "shared\n");
  const refused = await run("--ipc=container:ipcprivate", "busybox", "true");
  assert.equal(refused.code, 125);
  assert.match(
    refused.stderr,
    new RegExp(
      `can't join IPC of container ${privateId}: non-shareable IPC \\(hint: use IpcMode:shareable for the donor container\\)`,
    ),
  );
  assert.equal(
    (await d.docker(["inspect", "-f", "{{.HostConfig.IpcMode}}", "ipcdonor"])).stdout,
    "shareable\n",
  );
  await d.docker(["stop", "-t", "0", "ipcdonor"]);
  const stopped = await run("--ipc=container:ipcdonor", "busybox", "true");
  assert.match(
    stopped.stderr,
    new RegExp(`can't join IPC of container ${donorId}: container ${donorId} is not running`),
  );
  assert.equal(
    (await run("--ipc=container:nosuch-ipc", "busybox", "true")).stderr.split("\n")[0],
    "docker: Error response from daemon: No such container: nosuch-ipc",
  );
  // Started again, the donor gets a fresh /dev/shm; removed, nothing stays mounted.
  assert.equal((await d.docker(["start", "ipcdonor"])).code, 0);
  await d.docker(["rm", "-f", "ipcdonor", "ipcprivate"]);
  assert.equal(readFileSync("/proc/self/mounts", "utf8").includes(`${donorId}/shm`), false);
});
