/**
 * Integration tests: real conmon + runc on a busybox bundle (root only).
 * Every test deletes its container; the suite checks that no conmon, runtime
 * dir or cgroup is left behind.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, readlink, stat } from "node:fs/promises";
// The test runs a second, short-lived "daemon" and the `runc run` floor itself.
// eslint-disable-next-line no-restricted-imports
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { ConmonRuntime } from "./conmonRuntime.js";
import {
  conmonsWith,
  listCgroups,
  makeBundle,
  makeTestEnv,
  testProcess,
  type TestEnv,
} from "./testBundle.js";
import type { LogLine, OutputChunk } from "./types.js";

const isRoot = process.getuid?.() === 0;

async function collect(
  it: AsyncIterable<OutputChunk>,
  timeoutMs = 10_000,
): Promise<{ stdout: string; stderr: string }> {
  const out = { stdout: "", stderr: "" };
  const drain = (async () => {
    for await (const c of it) out[c.stream] += c.data.toString("utf8");
    return out;
  })();
  return withTimeout(drain, timeoutMs, `output did not end: ${JSON.stringify(out)}`);
}

async function collectLogs(it: AsyncIterable<LogLine>): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of it) out.push(l);
  return out;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

describe("ConmonRuntime (conmon + runc)", { skip: !isRoot && "needs root" }, () => {
  let env: TestEnv;
  let rt: ConmonRuntime;
  let n = 0;
  const newId = () => `rt${process.pid}x${++n}`;

  before(async () => {
    env = await makeTestEnv();
    rt = new ConmonRuntime({ stateDir: env.stateDir });
  });

  after(async () => {
    for (const id of await rt.list()) await rt.delete(id).catch(() => undefined);
    const leftConmons = await conmonsWith(env.root);
    const leftCgroups = await listCgroups(env.cgroupPrefix);
    await env.cleanup();
    assert.deepEqual(leftConmons, [], "conmon processes left behind");
    assert.deepEqual(leftCgroups, [], "cgroups left behind");
  });

  async function run(
    args: string[],
    o: {
      tty?: boolean;
      openStdin?: boolean;
      stdinOnce?: boolean;
      memoryLimit?: number;
      logMaxSize?: number;
    } = {},
  ) {
    const id = newId();
    const bundle = await makeBundle(env, id, args, { tty: o.tty ?? false, memoryLimit: o.memoryLimit });
    const logPath = join(env.root, "logs", `${id}.log`);
    await import("node:fs/promises").then((fs) => fs.mkdir(join(env.root, "logs"), { recursive: true }));
    const { pid } = await rt.create({
      id,
      bundle,
      tty: o.tty ?? false,
      openStdin: o.openStdin ?? false,
      stdinOnce: o.stdinOnce ?? false,
      logPath,
      logMaxSize: o.logMaxSize,
    });
    return { id, bundle, logPath, pid };
  }

  test("create, start, wait: exit code 3 and logs with both streams", async () => {
    const c = await run(["sh", "-c", "echo out1; echo err1 >&2; echo -n part; echo ial; exit 3"]);
    assert.ok(c.pid > 0);
    assert.equal((await rt.state(c.id))?.status, "created");
    const before = BigInt(Date.now()) * 1_000_000n;
    await rt.start(c.id);
    const ex = await withTimeout(rt.waitExit(c.id), 10_000, "waitExit");
    assert.equal(ex.exitCode, 3);
    assert.equal(ex.oomKilled, false);
    assert.ok(ex.finishedAtNano >= before - 1_000_000_000n);
    assert.equal((await rt.state(c.id))?.status, "stopped");

    const lines = await collectLogs(rt.logs(c.logPath, { follow: false }));
    const byStream = (s: string) =>
      lines
        .filter((l) => l.stream === s)
        .map((l) => l.text.toString())
        .join("");
    assert.equal(byStream("stdout"), "out1\npartial\n");
    assert.equal(byStream("stderr"), "err1\n");
    for (const l of lines) assert.ok(l.timeNano >= before - 1_000_000_000n, "timestamp after start");

    const tail = await collectLogs(rt.logs(c.logPath, { follow: false, tail: 1 }));
    assert.equal(tail.length, 1);
    await rt.delete(c.id);
    assert.equal(await rt.state(c.id), undefined);
    await assert.rejects(stat(join(env.stateDir, "c", c.id)));
  });

  test("create failure: missing executable is reported and leaves nothing", async () => {
    const id = newId();
    const bundle = await makeBundle(env, id, ["/bin/nope"]);
    await assert.rejects(
      rt.create({
        id,
        bundle,
        tty: false,
        openStdin: false,
        stdinOnce: false,
        logPath: join(env.root, `${id}.log`),
      }),
      (err: Error & { kind?: string }) => {
        assert.match(err.message, /OCI runtime create failed: .*nope.*no such file or directory/);
        assert.equal(err.kind, "invalid");
        return true;
      },
    );
    assert.deepEqual(await rt.list(), []);
    assert.equal(await rt.state(id), undefined);
  });

  test("attach: stdin half-close gives cat EOF, output still flows, exit 0", async () => {
    const c = await run(["sh", "-c", "cat; echo done >&2"], { openStdin: true, stdinOnce: true });
    const stdin = new PassThrough();
    const session = await rt.attach(c.id, { stdin, stdout: true, stderr: true });
    const outP = collect(session.output);
    await rt.start(c.id);
    stdin.write("hello\n");
    stdin.end("world\n");
    const out = await outP;
    assert.equal(out.stdout, "hello\nworld\n");
    assert.equal(out.stderr, "done\n");
    assert.equal((await withTimeout(rt.waitExit(c.id), 10_000, "waitExit")).exitCode, 0);
    await rt.delete(c.id);
  });

  test("tty: output raw on stdout, resize works", async () => {
    const c = await run(["sh", "-c", "sleep 0.3; stty size; echo err >&2"], { tty: true });
    const session = await rt.attach(c.id, { stdout: true, stderr: true });
    const outP = collect(session.output);
    await rt.start(c.id);
    await rt.resize(c.id, { height: 33, width: 101 });
    const out = await outP;
    assert.equal(out.stderr, "");
    assert.match(out.stdout, /33 101\r\n/);
    assert.match(out.stdout, /err\r\n/);
    assert.equal((await rt.waitExit(c.id)).exitCode, 0);
    await rt.delete(c.id);
  });

  test("exec: output, exit code 5, tty exec, exec stdin", async () => {
    const c = await run(["sleep", "60"]);
    await rt.start(c.id);
    // Started in-process: runc itself must agree it runs.
    assert.equal((await rt.state(c.id))?.status, "running");
    await assert.rejects(rt.start(c.id), /already running/);
    const e = await rt.exec(c.id, {
      execId: "e1",
      process: testProcess(["sh", "-c", "echo hi; echo oops >&2; exit 5"]),
      tty: false,
      attach: true,
      stdout: true,
      stderr: true,
    });
    assert.ok(e.pid > 0);
    const out = await collect(e.output);
    assert.deepEqual(out, { stdout: "hi\n", stderr: "oops\n" });
    assert.equal(await withTimeout(e.exitCode, 10_000, "exec exit"), 5);

    const t = await rt.exec(c.id, {
      execId: "e2",
      process: testProcess(["sh", "-c", "sleep 0.3; stty size"]),
      tty: true,
      attach: true,
      stdout: true,
      stderr: true,
    });
    await rt.resizeExec(c.id, "e2", { height: 20, width: 70 });
    assert.match((await collect(t.output)).stdout, /20 70\r\n/);
    assert.equal(await t.exitCode, 0);

    const stdin = new PassThrough();
    const s = await rt.exec(c.id, {
      execId: "e3",
      process: testProcess(["cat"]),
      tty: false,
      attach: true,
      stdin,
      stdout: true,
      stderr: true,
    });
    stdin.end("piped\n");
    assert.equal((await collect(s.output)).stdout, "piped\n");
    assert.equal(await s.exitCode, 0);

    await assert.rejects(
      rt.exec(c.id, {
        execId: "e4",
        process: testProcess(["/nope"]),
        tty: false,
        attach: true,
        stdout: true,
        stderr: true,
      }),
      /OCI runtime exec failed/,
    );
    const d = await rt.exec(c.id, {
      execId: "e5",
      process: testProcess(["sh", "-c", "echo ignored; exit 4"]),
      tty: false,
      attach: false,
      stdout: false,
      stderr: false,
    });
    assert.deepEqual(await collect(d.output), { stdout: "", stderr: "" });
    assert.equal(await withTimeout(d.exitCode, 10_000, "detached exec exit"), 4);
    await rt.kill(c.id, 9);
    assert.equal((await rt.waitExit(c.id)).exitCode, 137);
    await rt.delete(c.id);
  });

  test("kill: SIGKILL gives 137; SIGTERM to a shell that traps it", async () => {
    const c = await run(["sleep", "60"]);
    await rt.start(c.id);
    assert.equal((await rt.state(c.id))?.status, "running");
    await rt.kill(c.id, 9);
    const ex = await withTimeout(rt.waitExit(c.id), 10_000, "waitExit");
    assert.equal(ex.exitCode, 137);
    await rt.delete(c.id);

    // PID 1 ignores signals it has no handler for; a handler makes TERM work.
    const d = await run(["sh", "-c", "trap 'exit 143' TERM; while :; do sleep 0.05; done"]);
    await rt.start(d.id);
    await new Promise((r) => setTimeout(r, 200));
    await rt.kill(d.id, 15);
    assert.equal((await withTimeout(rt.waitExit(d.id), 10_000, "waitExit")).exitCode, 143);
    await assert.rejects(rt.kill(d.id, 15), (err: Error & { kind?: string }) => err.kind !== undefined);
    await rt.delete(d.id);
  });

  test("pause and resume; stats", async () => {
    const c = await run(["sh", "-c", "while :; do echo tick; sleep 0.05; done"]);
    await rt.start(c.id);
    await rt.pause(c.id);
    assert.equal((await rt.state(c.id))?.status, "paused");
    await rt.resume(c.id);
    assert.equal((await rt.state(c.id))?.status, "running");
    const s = await rt.stats(c.id);
    assert.ok(s.memory.usage > 0, "memory usage");
    assert.ok(s.memory.limit > 0, "memory limit");
    assert.ok(s.pids.current >= 1, "pids");
    assert.ok(s.cpu.totalNano > 0, "cpu usage");
    assert.ok(s.cpu.hostNano > 0, "host cpu");
    await rt.kill(c.id, 9);
    await rt.waitExit(c.id);
    await rt.delete(c.id);
  });

  test("follow logs until exit", async () => {
    const c = await run(["sh", "-c", "for i in 1 2 3; do echo line$i; sleep 0.1; done"]);
    await rt.start(c.id);
    const exited = rt.waitExit(c.id);
    const lines = await withTimeout(
      collectLogs(rt.logs(c.logPath, { follow: true, followUntil: exited })),
      10_000,
      "follow",
    );
    assert.deepEqual(
      lines.map((l) => l.text.toString()),
      ["line1\n", "line2\n", "line3\n"],
    );
    await rt.delete(c.id);
  });

  test("recover: a new runtime over the same state dir finds running and exited containers", async () => {
    const a = await run(["sleep", "60"]);
    await rt.start(a.id);
    const b = await run(["sh", "-c", "exit 7"]);
    await rt.start(b.id);
    await rt.waitExit(b.id);

    const rt2 = new ConmonRuntime({ stateDir: env.stateDir });
    const ids = await rt2.list();
    assert.ok(ids.includes(a.id) && ids.includes(b.id));
    const ra = await rt2.recover(a.id);
    assert.equal(ra.monitorAlive, true);
    assert.equal(ra.state?.status, "running");
    assert.equal(ra.exit, undefined);
    // conmon leaves just after it writes the exit file.
    let rb = await rt2.recover(b.id);
    for (let i = 0; i < 200 && rb.monitorAlive; i++) {
      await new Promise((r) => setTimeout(r, 10));
      rb = await rt2.recover(b.id);
    }
    assert.equal(rb.monitorAlive, false);
    assert.equal(rb.exit?.exitCode, 7);

    const waiting = rt2.waitExit(a.id);
    await rt2.kill(a.id, 9);
    assert.equal((await withTimeout(waiting, 10_000, "waitExit after recover")).exitCode, 137);
    await rt2.delete(a.id);
    await rt2.delete(b.id);
    assert.deepEqual(await readdir(join(env.stateDir, "c")), []);
  });

  test("OOM kill is reported", async () => {
    const c = await run(["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"], {
      memoryLimit: 16 * 1024 * 1024,
    });
    await rt.start(c.id);
    const ex = await withTimeout(rt.waitExit(c.id), 10_000, "waitExit");
    assert.equal(ex.exitCode, 137);
    assert.equal(ex.oomKilled, true);
    await rt.delete(c.id);
  });

  test("log size limit: conmon replaces the file and a follower keeps reading", async () => {
    const c = await run(
      ["sh", "-c", "sleep 0.3; i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done"],
      {
        logMaxSize: 1000,
      },
    );
    await rt.start(c.id);
    const exited = rt.waitExit(c.id);
    const lines = await withTimeout(
      collectLogs(rt.logs(c.logPath, { follow: true, followUntil: exited })),
      10_000,
      "follow",
    );
    assert.equal((await exited).exitCode, 0);
    const st = await stat(c.logPath);
    assert.ok(st.size <= 1000, `log is ${st.size} bytes`);
    // Every line the follower saw is in order, and the last one is the program's last line.
    const nums = lines.map((l) => Number(/line-(\d+)/.exec(l.text.toString())?.[1]));
    for (let i = 1; i < nums.length; i++) assert.ok((nums[i] ?? 0) > (nums[i - 1] ?? 0), "in order");
    assert.equal(nums.at(-1), 199);
    await rt.delete(c.id);
  });

  test("monitor outlives the process that created it and shares no pipe with it", async () => {
    const mod = new URL("./conmonRuntime.js", import.meta.url).href;
    const id = newId();
    const bundle = await makeBundle(env, id, ["sh", "-c", "echo started; sleep 60"]);
    const logPath = join(env.root, "logs", `${id}.log`);
    const script = `
      import { ConmonRuntime } from ${JSON.stringify(mod)};
      const rt = new ConmonRuntime({ stateDir: ${JSON.stringify(env.stateDir)} });
      await rt.create({ id: ${JSON.stringify(id)}, bundle: ${JSON.stringify(bundle)}, tty: false,
        openStdin: false, stdinOnce: false, logPath: ${JSON.stringify(logPath)} });
      await rt.start(${JSON.stringify(id)});
      process.stdout.write("ok");`;
    // A daemon that exits with the monitor still holding one of its pipes would hang here.
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    assert.equal(r.stdout, "ok", r.stderr);
    const rec = await rt.recover(id);
    assert.equal(rec.monitorAlive, true);
    assert.equal(rec.state?.status, "running");

    // This process's own create: the monitor holds none of our pipes or sockets.
    const c = await run(["sleep", "60"]);
    const conmonPid = Number(await readFile(join(env.stateDir, "c", c.id, "conmon.pid"), "utf8"));
    const ours = new Set(await fdTargets(process.pid));
    const shared = (await fdTargets(conmonPid)).filter((t) => /^(pipe|socket):/.test(t) && ours.has(t));
    assert.deepEqual(shared, []);

    await rt.kill(id, 9);
    assert.equal((await withTimeout(rt.waitExit(id), 10_000, "waitExit")).exitCode, 137);
    await rt.delete(id);
    await rt.delete(c.id);
  });

  test("speed: create+start+wait of `true` against `runc run` of the same bundle", async () => {
    const N = 5;
    const bundle = await makeBundle(env, "speed", ["true"]);
    const root = join(env.root, "runc-direct");
    const runcRun = (name: string) => {
      const r = spawnSync("runc", ["--root", root, "run", "--bundle", bundle, name], { stdio: "ignore" });
      assert.equal(r.status, 0);
    };
    runcRun("warm");
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) runcRun(`r${i}`);
    const floor = Number(process.hrtime.bigint() - t0) / N;
    let ours = 0;
    for (let i = 0; i < N; i++) {
      const id = newId();
      t0 = process.hrtime.bigint();
      await rt.create({
        id,
        bundle,
        tty: false,
        openStdin: false,
        stdinOnce: false,
        logPath: join(env.root, `${id}.log`),
      });
      await rt.start(id);
      assert.equal((await rt.waitExit(id)).exitCode, 0);
      ours += Number(process.hrtime.bigint() - t0);
      await rt.delete(id);
    }
    const ratio = ours / N / floor;
    process.stdout.write(
      `# create+start+wait ${(ours / N / 1e6).toFixed(1)} ms, runc run ${(floor / 1e6).toFixed(1)} ms, ratio ${ratio.toFixed(2)}\n`,
    );
    assert.ok(ratio < 4, `ratio ${ratio.toFixed(2)} to runc run`);
  });
});

async function fdTargets(pid: number): Promise<string[]> {
  const out: string[] = [];
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
    try {
      out.push(await readlink(`/proc/${pid}/fd/${fd}`));
    } catch {
      // closed meanwhile
    }
  }
  return out;
}
