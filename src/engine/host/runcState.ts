/**
 * runc's state files, read and acted on in-process: the equivalents of
 * `runc start` and of `runc delete` on a stopped container, each saving a
 * runc process on every container run. They follow runc 1.x's own code
 * (libcontainer: exec, destroy, cgroups.RemovePaths) and decline (return
 * false) whenever the state is one runc must handle itself, so the caller
 * runs the command instead.
 *
 * runc keeps a container's state in `<root>/<id>/`: `state.json`, and while
 * the container is created but not started, `exec.fifo`.
 */
import { constants as fsConstants, openSync } from "node:fs";
import { readdir, readFile, rm, rmdir, stat, unlink } from "node:fs/promises";
import { Socket } from "node:net";
import { join } from "node:path";

/** How often a start checks that the init process is still alive (runc's interval). */
const initCheckMs = 100;

/** Whether runc has any state for the container. */
export async function hasState(root: string, id: string): Promise<boolean> {
  try {
    await stat(join(root, id));
    return true;
  } catch {
    return false;
  }
}

/**
 * `runc start`: runc init blocks writing one byte to exec.fifo; reading it
 * lets init exec the user's program, whose exec closes the FIFO (so EOF
 * means the program runs); removing the FIFO is what makes runc report
 * "running". false: no FIFO, the container is not in the created state.
 * Rejects with runc's words when init died first.
 */
export async function startThroughFifo(root: string, id: string, initPid: number): Promise<boolean> {
  const fifo = join(root, id, "exec.fifo");
  let fd: number;
  try {
    // Non-blocking: the open never waits for a writer, and the kernel reports
    // no hang-up before a writer has come and gone.
    fd = openSync(fifo, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch {
    return false;
  }
  const got = await new Promise<number>((resolve, reject) => {
    const sock = new Socket({ fd, readable: true, writable: false });
    let bytes = 0;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(bytes);
    };
    const timer = setInterval(() => {
      void processGone(initPid).then((gone) => {
        if (gone && bytes === 0) finish(new Error("container process is already dead"));
      });
    }, initCheckMs);
    sock.on("data", (b: Buffer) => (bytes += b.length));
    sock.on("end", () => finish());
    sock.on("close", () => finish());
    sock.on("error", (err) => finish(err));
  });
  if (got === 0) throw new Error("cannot start an already running container");
  await unlink(fifo).catch(() => undefined);
  return true;
}

/** The parts of runc's state.json read here. */
interface RuncState {
  init_process_pid?: number;
  init_process_start?: number | string;
  rootless?: boolean;
  intel_rdt_path?: string;
  cgroup_paths?: Record<string, string>;
  config?: {
    namespaces?: { type?: string; path?: string }[];
    cgroups?: { Systemd?: boolean };
    Hooks?: Record<string, unknown[] | null> | null;
  };
}

/**
 * `runc delete` of a stopped container: remove its cgroups, then its state
 * dir. Declines when runc would do more: init still alive (runc tells it
 * from a stranger reusing the pid by its start time, as here), no private pid
 * namespace (runc then kills what is left in the cgroup), systemd cgroups
 * (a unit to stop), hooks, Intel RDT, rootless; and when a cgroup does not
 * go away (runc retries and reports it).
 */
export async function destroyStopped(root: string, id: string): Promise<boolean> {
  const dir = join(root, id);
  let st: RuncState;
  try {
    st = JSON.parse(await readFile(join(dir, "state.json"), "utf8")) as RuncState;
  } catch {
    return false;
  }
  const cfg = st.config;
  const pidNs = cfg?.namespaces?.find((n) => n.type === "NEWPID");
  const hooks = Object.values(cfg?.Hooks ?? {}).some((h) => (h?.length ?? 0) > 0);
  if (
    cfg === undefined ||
    pidNs === undefined ||
    (pidNs.path ?? "") !== "" ||
    cfg.cgroups?.Systemd === true ||
    hooks ||
    st.rootless === true ||
    (st.intel_rdt_path ?? "") !== "" ||
    st.init_process_pid === undefined ||
    !(await initStopped(st.init_process_pid, String(st.init_process_start ?? "")))
  )
    return false;
  if (!(await removeCgroups(Object.values(st.cgroup_paths ?? {})))) return false;
  await rm(dir, { recursive: true, force: true });
  return true;
}

/** runc's "stopped": no such process, a zombie, or another process (other start time) with its pid. */
async function initStopped(pid: number, startTime: string): Promise<boolean> {
  const f = await procStat(pid);
  if (f === undefined) return true;
  return f.state === "Z" || f.state === "X" || f.startTime !== startTime;
}

async function processGone(pid: number): Promise<boolean> {
  const f = await procStat(pid);
  return f === undefined || f.state === "Z" || f.state === "X";
}

async function procStat(pid: number): Promise<{ state: string; startTime: string } | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // Fields after the command (which may hold spaces): state is field 3, starttime field 22.
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: rest[0] ?? "", startTime: rest[19] ?? "" };
}

/** cgroups.RemovePaths: rmdir each (sub-cgroups first), five rounds with a doubling delay from 10 ms. */
async function removeCgroups(paths: string[]): Promise<boolean> {
  let left = paths;
  let delay = 10;
  for (let round = 0; round < 5 && left.length > 0; round++) {
    if (round > 0) {
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
    await Promise.all(left.map((p) => removeCgroup(p).catch(() => undefined)));
    const still = await Promise.all(left.map(async (p) => ((await exists(p)) ? p : undefined)));
    left = still.filter((p): p is string => p !== undefined);
  }
  return left.length === 0;
}

async function removeCgroup(path: string): Promise<void> {
  try {
    await rmdir(path);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
  }
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory()) await removeCgroup(join(path, e.name));
  await rmdir(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "ENOENT") throw err;
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
