/**
 * The OCI runtime's command line (runc and runtimes with runc's CLI): start,
 * kill, pause, resume, delete, state. `create` and `exec` are run by conmon,
 * not from here. Every call passes `--root` so that each Berth exec root (and
 * each test) sees only its own containers.
 */
import { execFile } from "node:child_process";
import { basename } from "node:path";
import { destroyStopped, hasState, startThroughFifo } from "./runcState.js";

export interface OciState {
  status: "creating" | "created" | "running" | "paused" | "stopped";
  pid: number;
}

/** A failed runtime command: argv, exit code and runc's message. */
export class RuncError extends Error {
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  /** runc's own message (the `msg=` of its log line when it has one), trimmed. */
  readonly runtimeMessage: string;

  constructor(argv: readonly string[], exitCode: number | null, stderr: string) {
    const msg = runtimeMessageOf(stderr);
    super(`${argv.join(" ")}: exit status ${exitCode ?? "?"}: ${msg}`);
    this.name = "RuncError";
    this.argv = argv;
    this.exitCode = exitCode;
    this.runtimeMessage = msg;
  }

  /** runc says the container does not exist. */
  get notExist(): boolean {
    return /does not exist|container not found|not found/i.test(this.runtimeMessage);
  }
}

/**
 * runc prints `time="…" level=error msg="…"` (logrus text) or a JSON line on
 * stderr; the message is the part a person wants to read.
 */
export function runtimeMessageOf(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => l.trim() !== "");
  const msgs: string[] = [];
  for (const line of lines) {
    const t = line.trim();
    if (t.startsWith("{")) {
      try {
        const j = JSON.parse(t) as { msg?: unknown };
        if (typeof j.msg === "string") {
          msgs.push(j.msg);
          continue;
        }
      } catch {
        // not JSON after all
      }
    }
    const m = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(t);
    if (m?.[1] !== undefined) {
      msgs.push(m[1].replace(/\\(.)/g, "$1"));
      continue;
    }
    msgs.push(t);
  }
  const tail = msgs.join("\n");
  return tail.length > 2048 ? tail.slice(-2048) : tail;
}

export class Runc {
  /**
   * The binary is runc itself, whose state layout (`<root>/<id>/`, with the
   * `exec.fifo` of a created container) the fast paths below rely on; other
   * runtimes with runc's CLI always get the command.
   */
  private readonly isRunc: boolean;

  constructor(
    /** The runtime binary (absolute path or name on PATH). */
    readonly binary: string,
    /** runc --root: where the runtime keeps its state. */
    readonly root: string,
  ) {
    this.isRunc = basename(binary) === "runc";
  }

  private run(args: string[], timeoutMs = 30_000): Promise<string> {
    const argv = ["--root", this.root, ...args];
    return new Promise((resolve, reject) => {
      execFile(
        this.binary,
        argv,
        { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024, encoding: "utf8" },
        (err, stdout, stderr) => {
          if (!err) {
            resolve(stdout);
            return;
          }
          const code = typeof err.code === "number" ? err.code : null;
          reject(new RuncError([this.binary, ...argv], code, stderr || err.message));
        },
      );
    });
  }

  /**
   * Starts a created container. With runc and `initPid` (the pid create
   * reported) it is done in-process, saving a runc process (runcState.ts).
   */
  async start(id: string, initPid?: number): Promise<void> {
    if (initPid !== undefined && this.isRunc) {
      const argv = [this.binary, "--root", this.root, "start", id];
      const done = await startThroughFifo(this.root, id, initPid).catch((err: unknown) => {
        throw new RuncError(argv, 1, (err as Error).message);
      });
      if (done) return;
    }
    await this.run(["start", id]);
  }

  async kill(id: string, signal: number, all = false): Promise<void> {
    await this.run(all ? ["kill", "--all", id, String(signal)] : ["kill", id, String(signal)]);
  }

  async pause(id: string): Promise<void> {
    await this.run(["pause", id]);
  }

  async resume(id: string): Promise<void> {
    await this.run(["resume", id]);
  }

  /**
   * Force delete; a container the runtime does not know is not an error.
   * With runc, a container that is gone or has stopped is cleaned up
   * in-process (runcState.ts); runc itself handles every other case.
   */
  async delete(id: string): Promise<void> {
    if (this.isRunc && (!(await hasState(this.root, id)) || (await destroyStopped(this.root, id)))) return;
    try {
      await this.run(["delete", "--force", id]);
    } catch (err) {
      if (err instanceof RuncError && err.notExist) return;
      throw err;
    }
  }

  /** `runc update`: new cgroup limits for a live container; absent fields stay as they are. */
  async update(
    id: string,
    r: {
      memory?: number;
      memorySwap?: number;
      cpuShares?: number;
      cpuQuota?: number;
      cpuPeriod?: number;
      cpusetCpus?: string;
      pidsLimit?: number;
    },
  ): Promise<void> {
    const flags: string[] = [];
    const add = (flag: string, v: number | string | undefined) => {
      if (v !== undefined) flags.push(`--${flag}`, String(v));
    };
    add("memory", r.memory);
    add("memory-swap", r.memorySwap);
    add("cpu-share", r.cpuShares);
    add("cpu-period", r.cpuPeriod);
    add("cpu-quota", r.cpuQuota);
    add("cpuset-cpus", r.cpusetCpus);
    add("pids-limit", r.pidsLimit);
    await this.run(["update", ...flags, id]);
  }

  /** undefined when the runtime does not know the container. */
  async state(id: string): Promise<OciState | undefined> {
    let out: string;
    try {
      out = await this.run(["state", id]);
    } catch (err) {
      if (err instanceof RuncError && err.notExist) return undefined;
      throw err;
    }
    const j = JSON.parse(out) as { status?: unknown; pid?: unknown };
    const status = j.status;
    if (
      status !== "creating" &&
      status !== "created" &&
      status !== "running" &&
      status !== "paused" &&
      status !== "stopped"
    ) {
      throw new Error(`${this.binary} state ${id}: unexpected status ${String(status)}`);
    }
    return { status, pid: typeof j.pid === "number" ? j.pid : 0 };
  }
}
