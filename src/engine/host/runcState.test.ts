import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat as statPath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { destroyStopped, hasState, startThroughFifo } from "./runcState.js";

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "runcstate-"));
  try {
    await fn(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const gone = async (p: string) =>
  statPath(p).then(
    () => false,
    () => true,
  );

/** A state.json like runc's, with "cgroups" that are plain dirs here. */
async function writeState(root: string, id: string, over: Record<string, unknown> = {}): Promise<string[]> {
  const dir = join(root, id);
  await mkdir(dir, { recursive: true });
  const cgroups = [join(root, "cg", "memory", id), join(root, "cg", "pids", id)];
  for (const c of cgroups) await mkdir(join(c, "child"), { recursive: true });
  const state = {
    id,
    init_process_pid: 2 ** 22 + 1, // above pid_max's ceiling: no such process
    init_process_start: 1,
    rootless: false,
    intel_rdt_path: "",
    cgroup_paths: { memory: cgroups[0], pids: cgroups[1] },
    config: { namespaces: [{ type: "NEWPID", path: "" }], cgroups: { Systemd: false }, Hooks: null },
    ...over,
  };
  await writeFile(join(dir, "state.json"), JSON.stringify(state));
  return cgroups;
}

test("destroyStopped: a stopped container's cgroups (children first) and state dir go", async () => {
  await withRoot(async (root) => {
    const cgroups = await writeState(root, "c1");
    assert.equal(await hasState(root, "c1"), true);
    assert.equal(await destroyStopped(root, "c1"), true);
    for (const c of cgroups) assert.equal(await gone(c), true);
    assert.equal(await hasState(root, "c1"), false);
  });
});

test("destroyStopped declines what runc must do itself", async () => {
  const stat = await readFile("/proc/self/stat", "utf8");
  const myStart = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  const cases: [string, Record<string, unknown>][] = [
    ["init alive", { init_process_pid: process.pid, init_process_start: Number(myStart) }],
    ["host pid namespace", { config: { namespaces: [], cgroups: {}, Hooks: null } }],
    [
      "shared pid namespace",
      { config: { namespaces: [{ type: "NEWPID", path: "/proc/1/ns/pid" }], cgroups: {}, Hooks: null } },
    ],
    [
      "systemd cgroups",
      { config: { namespaces: [{ type: "NEWPID", path: "" }], cgroups: { Systemd: true }, Hooks: null } },
    ],
    [
      "poststop hook",
      {
        config: {
          namespaces: [{ type: "NEWPID", path: "" }],
          cgroups: {},
          Hooks: { poststop: [{ path: "/bin/true" }] },
        },
      },
    ],
    ["rootless", { rootless: true }],
  ];
  for (const [what, over] of cases) {
    await withRoot(async (root) => {
      const cgroups = await writeState(root, "c2", over);
      assert.equal(await destroyStopped(root, "c2"), false, what);
      assert.equal(await hasState(root, "c2"), true, what);
      for (const c of cgroups) assert.equal(await gone(c), false, what);
    });
  }
  // A pid reused by another process (other start time) counts as stopped, as in runc.
  await withRoot(async (root) => {
    await writeState(root, "c3", { init_process_pid: process.pid, init_process_start: 1 });
    assert.equal(await destroyStopped(root, "c3"), true);
  });
  await withRoot(async (root) => {
    assert.equal(await destroyStopped(root, "missing"), false);
  });
});

test("startThroughFifo: reads init's byte, waits for its exec (EOF), removes the FIFO", async () => {
  await withRoot(async (root) => {
    const fifo = join(root, "c4", "exec.fifo");
    await mkdir(join(root, "c4"));
    execFileSync("mkfifo", [fifo]);
    // The "init": blocks opening the FIFO for writing, writes "0", holds it 200 ms, exits.
    const init = spawn("sh", ["-c", `exec 3>${fifo}; printf 0 >&3; sleep 0.2`], { stdio: "ignore" });
    const t0 = Date.now();
    assert.equal(await startThroughFifo(root, "c4", init.pid ?? 0), true);
    assert.ok(Date.now() - t0 >= 150, "returned only once the writer closed");
    assert.equal(await gone(fifo), true);
    assert.equal(await startThroughFifo(root, "c4", init.pid ?? 0), false, "no FIFO: not created");
  });
});

test("startThroughFifo: an init that died first is runc's 'already dead'", async () => {
  await withRoot(async (root) => {
    const fifo = join(root, "c5", "exec.fifo");
    await mkdir(join(root, "c5"));
    execFileSync("mkfifo", [fifo]);
    await assert.rejects(startThroughFifo(root, "c5", 2 ** 22 + 1), /container process is already dead/);
  });
});
