/**
 * berth's container commands against the docker CLI on the same berthd:
 * same stdout, stderr (docker → berth) and exit codes; the create body
 * compared through inspect; stdin half-close; an interactive `run -it` in
 * tmux (raw terminal, resize, ctrl-p ctrl-q detach); leak check at the end.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { leaks, startDaemon, type RunResult, type TestDaemon } from "./harness/daemon.js";

let d: TestDaemon;
let dir: string;
before(async () => {
  d = await startDaemon({ busybox: true });
  dir = mkdtempSync(join(tmpdir(), "berth-cli-ctr-"));
});
after(async () => {
  const all = await d.docker(["ps", "-aq"]);
  const ids = all.stdout.split("\n").filter((l) => l !== "");
  if (ids.length > 0) await d.docker(["rm", "-f", ...ids]);
  await d.stop();
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(leaks(d), []);
});

/** IDs, names docker generates, and times differ between the two runs. */
function norm(s: string): string {
  return s
    .replace(/docker/g, "berth")
    .replace(/Docker/g, "Berth")
    .replace(/[0-9a-f]{64}/g, "<ID>")
    .replace(/\b[0-9a-f]{12}\b/g, "<SID>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<TIME>")
    .replace(/time="[^"]*"/g, 'time="<T>"');
}

async function same(args: string[], opts: { input?: string } = {}): Promise<RunResult> {
  const a = await d.docker(args, opts);
  const b = await d.berth(args, opts);
  const what = `berth ${args.join(" ")}`;
  assert.equal(b.code, a.code, `${what}: exit code\n${b.stderr}`);
  assert.equal(norm(b.stdout), norm(a.stdout), `${what}: stdout`);
  assert.equal(norm(b.stderr), norm(a.stderr), `${what}: stderr`);
  return b;
}

test("run: output, exit codes and docker's error texts", async () => {
  await same(["run", "--rm", "busybox", "echo", "hi"]);
  await same(["run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3"]);
  await same(["run", "--rm", "busybox", "nonexistent-cmd"]);
  await same(["run", "--rm", "busybox", "/etc"]);
  await same(["run", "nosuch"]);
  await same(["run", "busybox"]);
  for (const bad of [
    ["-a", "foo"],
    ["-m", "5x"],
    ["--health-interval", "5"],
    ["-p", "80:80:80:80"],
    ["-p", "abc"],
    ["--cpus", "x"],
    ["--rm", "--restart", "always"],
    ["--mount", "type=foo"],
    ["--mount", "foo"],
    ["--ulimit", "nofile"],
    ["--expose", "a:b"],
    ["-e", "="],
    ["--add-host", "bad"],
    ["--dns", "x"],
    ["-d", "-a", "stdout"],
    ["--pull", "bogus"],
    ["--restart", "bogus"],
    ["-w", "rel"],
  ]) {
    await same(["run", ...bad, "busybox", "true"]);
  }
  await same(["run", "-it", "busybox", "true"]);
  assert.equal((await d.berth(["ps", "-aq", "--filter", "status=running"])).stdout, "");
});

test("run -i: stdin reaches the container and its end closes it", async () => {
  const r = await same(["run", "-i", "--rm", "busybox", "cat"], { input: "hi\n" });
  assert.equal(r.stdout, "hi\n");
  await same(["run", "-i", "--rm", "busybox", "sh", "-c", "wc -l; exit 2"], { input: "a\nb\n" });
});

test("run -d prints the ID; the create body matches docker's (compared through inspect)", async () => {
  const envFile = join(dir, "env");
  writeFileSync(envFile, "A=1\n# comment\n\n  B\nHOME_B\n");
  const flags = [
    ["-e", "X=1", "-e", "HOME_B", "--env-file", envFile, "-l", "a=b", "-l", "c", "-w", "/tmp"],
    ["-u", "1000:1000", "--group-add", "10", "--restart", "on-failure:3", "--stop-signal", "SIGUSR1"],
    ["--stop-timeout", "5", "--expose", "7000-7001", "-h", "hostx", "--add-host", "a:1.2.3.4"],
    ["--dns", "1.1.1.1", "--dns-search", "example.com", "--dns-option", "ndots:2", "-m", "64m"],
    ["--memory-swap", "128m", "--cpus", "1.5", "--cpu-shares", "512", "--pids-limit", "100"],
    ["-v", "/tmp:/mnt:ro", "--mount", "type=tmpfs,target=/t,tmpfs-size=1m", "--tmpfs", "/run:size=1m"],
    ["--read-only", "--init", "--cap-add", "NET_ADMIN", "--cap-drop", "CHOWN"],
    ["--security-opt", "no-new-privileges", "--ulimit", "nofile=100:200", "--shm-size", "128m"],
    ["--health-cmd", "true", "--health-interval", "5s", "--health-retries", "2", "-i"],
    ["--entrypoint", "sh", "busybox", "-c", "echo hi"],
  ].flat();
  const env = { HOME_B: "x" };
  const a = await d.docker(["create", "--name", "body-docker", ...flags], { env });
  const b = await d.berth(["create", "--name", "body-berth", ...flags], { env });
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const view = async (name: string) => {
    const r = await d.docker(["inspect", "-f", "{{json .Config}} {{json .HostConfig}}", name]);
    return r.stdout.replace(/body-(docker|berth)/g, "body");
  };
  assert.equal(await view("body-berth"), await view("body-docker"));
  const run = await d.berth(["run", "-d", "--name", "detached", "busybox", "sleep", "1000"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^[0-9a-f]{64}\n$/);
});

test("ps / container ls: tables, formats, filters", async () => {
  await d.docker(["run", "--name", "ps-exit", "-l", "x=y", "busybox", "sh", "-c", "exit 3"]);
  await d.docker(["create", "--name", "ps-created", "busybox", "sh", "-c", "while true; do sleep 1; done"]);
  const noTimes = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Ports}}\t{{.Names}}";
  for (const args of [
    ["ps", "--format", noTimes],
    ["ps", "-a", "--format", noTimes],
    ["container", "ls", "-a", "--no-trunc", "--format", noTimes],
    ["container", "list", "-aq"],
    ["ps", "-aq"],
    ["ps", "-lq"],
    ["ps", "-n", "2", "--format", "{{.Names}} {{.State}}"],
    ["ps", "-a", "--format", '{{.Names}} {{.Label "x"}} {{.Labels}}'],
    ["ps", "-a", "--filter", "name=ps-", "--format", "{{.Names}}\t{{.Command}}"],
    ["ps", "-a", "--filter", "status=exited", "--format", "{{.State}} {{.Names}}"],
    ["ps", "-a", "--filter", "status=bogus"],
    ["ps", "--format", "{{.Foo}}"],
    ["ps", "--format", "{{.Names"],
    ["ps", "-q", "--format", "{{.Names}}"],
  ]) {
    await same(args);
  }
  // Times tick between the two runs: compare the shape of the default table instead.
  const shape = (s: string) =>
    s.replace(/ +/g, " ").replace(/\d+ seconds?|Less than a second|About a minute/g, "T");
  const a = await d.docker(["ps", "-a"]);
  const b = await d.berth(["ps", "-a"]);
  assert.equal(shape(b.stdout), shape(a.stdout));
  assert.match(b.stdout, /^CONTAINER ID {3}IMAGE {5}COMMAND {18}CREATED/);
  // dockerd quotes arguments with spaces; the CLI truncates the whole to 20 characters.
  assert.match(b.stdout, /"sh -c 'while true; …"/);
  assert.match(b.stdout, /Exited \(3\) /);
  const json = JSON.parse((await d.berth(["ps", "-l", "--format", "json"])).stdout) as Record<
    string,
    unknown
  >;
  assert.deepEqual(Object.keys(json), Object.keys(json).sort());
  assert.equal(json.Names, "ps-created");
});

test("stop, kill, restart, rm, pause, unpause, wait, rename, start: names echoed, errors joined", async () => {
  for (const name of ["lc1", "lc2"]) {
    assert.equal((await d.docker(["run", "-d", "--name", name, "busybox", "sleep", "1000"])).code, 0);
  }
  // State-changing successes run once (berth); the error paths are compared with docker.
  const pause = await d.berth(["pause", "lc1", "nosuch"]);
  assert.deepEqual(pause, {
    code: 1,
    stdout: "lc1\n",
    stderr: "Error response from daemon: No such container: nosuch\n",
  });
  await same(["pause", "lc1"]);
  const paused = await d.berth(["ps", "--filter", "name=lc1", "--format", "{{.Status}}"]);
  assert.match(paused.stdout, /^Up .* \(Paused\)\n$/);
  assert.equal((await d.berth(["unpause", "lc1", "nosuch"])).stdout, "lc1\n");
  await same(["unpause", "lc1"]);
  await same(["kill", "-s", "HUP", "nosuch"]);
  await same(["stop", "nosuch", "nosuch2"]);
  await same(["restart", "-t", "0", "nosuch"]);
  await same(["wait", "nosuch"]);
  await same(["start", "nosuch", "nosuch2"]);
  await same(["rename", "nosuch", "x"]);
  await same(["rename", " ", "x"]);
  await same(["rm", "nosuch"]);
  await same(["rm", "-f", "nosuch"]);
  await same(["stop", "-t", "0", "--time", "1", "lc1"]);
  // Success paths, one tool each on its own container.
  const stop = await d.berth(["stop", "-t", "1", "lc1", "nosuch"]);
  assert.equal(stop.code, 1);
  assert.equal(stop.stdout, "lc1\n");
  assert.equal(stop.stderr, "Error response from daemon: No such container: nosuch\n");
  assert.deepEqual(await d.berth(["wait", "lc1"]), { code: 0, stdout: "137\n", stderr: "" });
  assert.equal((await d.berth(["start", "lc1"])).stdout, "lc1\n");
  assert.equal((await d.berth(["restart", "-t", "0", "lc1"])).stdout, "lc1\n");
  assert.equal((await d.berth(["kill", "lc1"])).stdout, "lc1\n");
  assert.equal((await d.berth(["rename", "lc1", "lc1b"])).code, 0);
  assert.equal((await d.berth(["rm", "lc1b", "lc2"])).code, 1);
  assert.equal((await d.berth(["rm", "-f", "lc2"])).stdout, "lc2\n");
  const sa = await same(["start", "-a", "ps-exit"]);
  assert.equal(sa.code, 3);
});

test("logs, exec, attach: streams kept apart, exit codes", async () => {
  await d.docker([
    "run",
    "-d",
    "--name",
    "lg",
    "busybox",
    "sh",
    "-c",
    "echo out1; echo err1 >&2; echo out2; exec sleep 1000",
  ]);
  await d.docker(["run", "-d", "-t", "--name", "lgt", "busybox", "sh", "-c", "echo ttyout; exec sleep 1000"]);
  await new Promise((r) => setTimeout(r, 500));
  for (const args of [
    ["logs", "lg"],
    ["logs", "--tail", "1", "lg"],
    ["logs", "-n", "1", "lg"],
    ["logs", "--since", "10m", "lg"],
    ["logs", "--until", "2020-01-01T00:00:00Z", "lg"],
    ["logs", "--since", "bogus", "lg"],
    ["logs", "lgt"],
    ["logs", "nosuch"],
    ["exec", "lg", "echo", "hi"],
    ["exec", "lg", "sh", "-c", "echo e >&2; exit 4"],
    ["exec", "-e", "A=1", "-w", "/tmp", "lg", "sh", "-c", "echo $A; pwd"],
    ["exec", "-u", "1000", "lg", "id"],
    ["exec", "-d", "lg", "true"],
    ["exec", "-it", "lg", "true"],
    ["exec", "nosuch", "true"],
    ["attach", "nosuch"],
    ["attach", "ps-exit"],
  ]) {
    await same(args);
  }
  const logs = await d.berth(["logs", "lg"]);
  assert.equal(logs.stdout, "out1\nout2\n");
  assert.equal(logs.stderr, "err1\n");
  const ts = await d.berth(["logs", "-t", "lg"]);
  assert.match(ts.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,9}Z out1\n/);
  const ex = await same(["exec", "-i", "lg", "cat"], { input: "piped\n" });
  assert.equal(ex.stdout, "piped\n");
});

test("inspect and container inspect: objects, formats, errors", async () => {
  for (const args of [
    ["inspect", "lg"],
    ["inspect", "busybox"],
    ["container", "inspect", "lg", "lgt"],
    ["inspect", "nosuch"],
    ["container", "inspect", "nosuch"],
    ["inspect", "--type", "foo", "x"],
    ["inspect", "--type=", "x"],
    ["inspect", "-f", "{{.Name}} {{.State.Status}}", "lg", "busybox", "nosuch"],
    ["inspect", "-s", "-f", "{{.Id}}", "busybox"],
    ["inspect", "-f", "{{.Foo", "lg"],
    ["inspect", "-f", "{{json .Config.Cmd}}", "lg"],
  ]) {
    await same(args);
  }
});

test("container prune: prompt, report", async () => {
  await same(["container", "prune"], { input: "n\n" });
  const r = await d.berth(["container", "prune", "-f"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Deleted Containers:\n([0-9a-f]{64}\n)+\nTotal reclaimed space: \d/);
  await same(["container", "prune", "-f"]);
});

const cliEntry = fileURLToPath(new URL("../src/cli/entry.js", import.meta.url));

function tmux(...args: string[]): string {
  const r = spawnSync("tmux", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

async function screenShows(session: string, re: RegExp, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms;
  let screen = "";
  while (Date.now() < deadline) {
    screen = tmux("capture-pane", "-p", "-t", session);
    if (re.test(screen)) return screen;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${re} on:\n${screen}`);
}

test("run -it in a real terminal: raw mode, size, resize, ctrl-p ctrl-q detach", async () => {
  const session = `berth-h14-${process.pid}`;
  const cmd = `node ${cliEntry} -H ${d.host} run -it --name tty1 busybox sh; echo "EXIT=$?"; sleep 30`;
  tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", cmd);
  try {
    await screenShows(session, /^\/ #\s*$/m);
    tmux("send-keys", "-t", session, "stty size", "Enter");
    await screenShows(session, /^24 80\s*$/m);
    tmux("resize-window", "-t", session, "-x", "100", "-y", "30");
    await new Promise((r) => setTimeout(r, 300));
    tmux("send-keys", "-t", session, "clear; stty size", "Enter");
    await screenShows(session, /^30 100\s*$/m);
    // ctrl-c reaches the shell as a byte (raw mode), not as a signal to berth.
    tmux("send-keys", "-t", session, "sleep 100", "Enter");
    await new Promise((r) => setTimeout(r, 300));
    tmux("send-keys", "-t", session, "C-c");
    tmux("send-keys", "-t", session, "echo still-here", "Enter");
    await screenShows(session, /^still-here\s*$/m);
    tmux("send-keys", "-t", session, "C-p");
    tmux("send-keys", "-t", session, "C-q");
    const screen = await screenShows(session, /EXIT=\d+/);
    assert.match(screen, /EXIT=0/);
    const state = await d.berth(["inspect", "-f", "{{.State.Status}}", "tty1"]);
    assert.equal(state.stdout, "running\n");
  } finally {
    tmux("kill-session", "-t", session);
  }
  assert.equal((await d.berth(["rm", "-f", "tty1"])).code, 0);
});
