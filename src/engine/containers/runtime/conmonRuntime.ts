/**
 * The Runtime on conmon + an OCI runtime with runc's CLI. conmon runs
 * `runc create` and then watches the container: it holds stdio (pipes or a
 * pty), writes the k8s-file log and the exit file, and serves the attach
 * socket. Start, kill, pause and delete go straight to runc. Because every
 * fact lives in files under the state dir and in conmon, a new ConmonRuntime
 * over the same state dir (a restarted berthd) picks up where the old one was.
 */
import { constants as fsConstants } from "node:fs";
import { access, mkdir, readFile, readdir, rm, stat, unlink, writeFile } from "node:fs/promises";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { internal, invalid, notFound, conflict, errnoCode } from "../../errors.js";
import { sampleCgroup } from "../../host/cgroups.js";
import { connectAttachSocket, pidAlive, signalPid, spawnConmon, writeCtlResize } from "../../host/conmon.js";
import { Runc, RuncError } from "../../host/runc.js";
import { isRuntimeId, Layout, type ContainerMeta } from "./layout.js";
import { readLogs } from "./logReader.js";
import { ChunkQueue, pumpOutput, pumpStdin } from "./streams.js";
import { startExec } from "./exec.js";
import { runtimeFailure } from "./failures.js";
import { waitForFile } from "./waitFile.js";
import type {
  AttachOptions,
  AttachSession,
  CgroupStats,
  ConsoleSize,
  ExecOptions,
  ExecSession,
  ExitStatus,
  LogLine,
  LogReadOptions,
  RecoveredContainer,
  Runtime,
  RuntimeCreateOptions,
  RuntimeState,
} from "./types.js";

export interface ConmonRuntimeOptions {
  /** Root of the driver's files (pidfiles, exit files, runc --root); e.g. /run/berth/runtime. */
  stateDir: string;
  /** Default OCI runtime: name on PATH or absolute path. Default "runc". */
  runtimePath?: string;
  /** conmon binary. Default "conmon" on PATH. */
  conmonPath?: string;
  /** How long create may take before it is given up (ms). Default 60 s. */
  createTimeoutMs?: number;
}

/** Resolve a command name on PATH (conmon checks the runtime with access(X_OK) on the literal string). */
export async function lookPath(cmd: string): Promise<string> {
  if (isAbsolute(cmd) || cmd.includes("/")) return cmd;
  for (const dir of (
    process.env.PATH ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  ).split(delimiter)) {
    if (dir === "") continue;
    const p = join(dir, cmd);
    try {
      await access(p, fsConstants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  throw invalid(`exec: "${cmd}": executable file not found in $PATH`);
}

function mapRuncError(id: string, err: unknown): unknown {
  if (!(err instanceof RuncError)) return err;
  if (err.notExist) return notFound(`No such container: ${id}`, err);
  if (/not running|not paused|is paused|is not running|stopped/i.test(err.runtimeMessage))
    return conflict(err.runtimeMessage, err);
  return internal(err.runtimeMessage, err);
}

async function readInt(path: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(path, "utf8")).trim());
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** conmon's attach socket and ctl/winsz FIFOs in the bundle dir. */
async function removeSockets(bundle: string): Promise<void> {
  await Promise.all(["attach", "ctl", "winsz"].map((f) => unlink(join(bundle, f)).catch(() => undefined)));
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The pid is a live conmon: not a stranger that reused the pid, and not a
 * zombie (conmon is reparented to init, which may reap it late).
 */
async function isConmon(pid: number | undefined): Promise<boolean> {
  if (pid === undefined || !pidAlive(pid)) return false;
  try {
    const st = await readFile(`/proc/${pid}/stat`, "utf8");
    const close = st.lastIndexOf(")");
    const comm = st.slice(st.indexOf("(") + 1, close);
    const state = st.slice(close + 2, close + 3);
    return comm === "conmon" && state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

export class ConmonRuntime implements Runtime {
  private readonly layout: Layout;
  private readonly defaultRuntime: string;
  private readonly conmonName: string;
  private readonly createTimeoutMs: number;
  private resolved: Promise<{ conmon: string; runtime: string }> | undefined;

  constructor(o: ConmonRuntimeOptions) {
    this.layout = new Layout(o.stateDir);
    this.defaultRuntime = o.runtimePath ?? "runc";
    this.conmonName = o.conmonPath ?? "conmon";
    this.createTimeoutMs = o.createTimeoutMs ?? 60_000;
  }

  private binaries(): Promise<{ conmon: string; runtime: string }> {
    this.resolved ??= (async () => ({
      conmon: await lookPath(this.conmonName),
      runtime: await lookPath(this.defaultRuntime),
    }))();
    return this.resolved;
  }

  private runc(runtimePath: string): Runc {
    return new Runc(runtimePath, this.layout.runcRoot);
  }

  private async meta(id: string): Promise<ContainerMeta> {
    if (!isRuntimeId(id)) throw invalid(`invalid container id: ${JSON.stringify(id)}`);
    try {
      return JSON.parse(await readFile(this.layout.meta(id), "utf8")) as ContainerMeta;
    } catch (err) {
      if (errnoCode(err) === "ENOENT") throw notFound(`No such container: ${id}`);
      throw err;
    }
  }

  private async runcFor(id: string): Promise<Runc> {
    return this.runc((await this.meta(id)).runtimePath);
  }

  async create(o: RuntimeCreateOptions): Promise<{ pid: number }> {
    if (!isRuntimeId(o.id)) throw invalid(`invalid container id: ${JSON.stringify(o.id)}`);
    const bins = await this.binaries();
    const runtimePath = o.runtime !== undefined ? await lookPath(o.runtime) : bins.runtime;
    const dir = this.layout.dir(o.id);
    // A new dir has no monitor and no old exit file: the usual case costs one step.
    const made = await mkdir(dir, { mode: 0o700 }).then(
      () => true,
      () => false,
    );
    if (!made) {
      if (await isConmon(await readInt(this.layout.conmonPidfile(o.id))))
        throw conflict(`container ${o.id} already has a running monitor`);
      // A leftover dir (a crash between create and delete) would hand us its old exit file.
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true, mode: 0o700 });
    }
    const meta: ContainerMeta = {
      bundle: o.bundle,
      runtimePath,
      tty: o.tty,
      openStdin: o.openStdin,
      logPath: o.logPath,
    };
    await Promise.all([
      mkdir(this.layout.runcRoot, { recursive: true, mode: 0o700 }),
      mkdir(dirname(o.logPath), { recursive: true, mode: 0o700 }),
      writeFile(this.layout.meta(o.id), JSON.stringify(meta)),
      // conmon refuses to bind over a stale socket left by an earlier run in the same bundle.
      removeSockets(o.bundle),
    ]);

    const args = [
      "--api-version", "1",
      "-c", o.id,
      "-u", o.id,
      "-r", runtimePath,
      "-b", o.bundle,
      "-p", this.layout.pidfile(o.id),
      "-P", this.layout.conmonPidfile(o.id),
      "--persist-dir", dir,
      "-l", `k8s-file:${o.logPath}`,
      "--full-attach",
      // conmon fsyncs the log at exit by default; Docker's json-file does not, and it costs ms per container.
      "--no-sync-log",
      "--syslog",
      "--log-level", "warn",
      "--runtime-arg", "--root",
      "--runtime-arg", this.layout.runcRoot,
    ]; // prettier-ignore
    if (o.tty) args.push("-t");
    else if (o.openStdin) args.push("-i");
    if (o.openStdin && !o.stdinOnce) args.push("--leave-stdin-open");
    if (o.logMaxSize !== undefined && o.logMaxSize > 0) args.push("--log-size-max", String(o.logMaxSize));

    const cm = spawnConmon({ conmonPath: bins.conmon, args, cwd: dir, execAttach: false });
    try {
      let msg;
      try {
        msg = await cm.sync.next(this.createTimeoutMs);
      } catch (err) {
        const { stderr } = await Promise.race([
          cm.exited,
          new Promise<{ stderr: string }>((r) => setTimeout(() => r({ stderr: "" }), 1000)),
        ]);
        throw internal(`conmon failed: ${stderr.trim() || (err as Error).message}`, err);
      }
      if (msg.data <= 0) throw runtimeFailure("create", msg.message ?? "container create failed");
      return { pid: msg.data };
    } catch (err) {
      await this.delete(o.id).catch(() => undefined);
      throw err;
    } finally {
      cm.closePipes();
    }
  }

  async start(id: string): Promise<void> {
    const rc = await this.runcFor(id);
    const initPid = await readInt(this.layout.pidfile(id));
    try {
      await rc.start(id, initPid);
    } catch (err) {
      if (err instanceof RuncError && !err.notExist) throw runtimeFailure("start", err.runtimeMessage);
      throw mapRuncError(id, err);
    }
  }

  async kill(id: string, signal: number, all = false): Promise<void> {
    if (!Number.isInteger(signal) || signal <= 0 || signal > 64) throw invalid(`Invalid signal: ${signal}`);
    const rc = await this.runcFor(id);
    await rc.kill(id, signal, all).catch((err) => {
      throw mapRuncError(id, err);
    });
  }

  async pause(id: string): Promise<void> {
    const rc = await this.runcFor(id);
    await rc.pause(id).catch((err) => {
      throw mapRuncError(id, err);
    });
  }

  async resume(id: string): Promise<void> {
    const rc = await this.runcFor(id);
    await rc.resume(id).catch((err) => {
      throw mapRuncError(id, err);
    });
  }

  async delete(id: string): Promise<void> {
    if (!isRuntimeId(id)) throw invalid(`invalid container id: ${JSON.stringify(id)}`);
    let meta: ContainerMeta | undefined;
    try {
      meta = await this.meta(id);
    } catch {
      meta = undefined;
    }
    const rc = this.runc(meta?.runtimePath ?? (await this.binaries()).runtime);
    const [conmonPid] = await Promise.all([readInt(this.layout.conmonPidfile(id)), rc.delete(id)]);
    // With the container gone conmon writes the exit file and leaves; give it a moment, then insist.
    if (await isConmon(conmonPid)) {
      const deadline = Date.now() + 2000;
      // Short naps first: conmon is usually on its way out already.
      for (let nap = 1; Date.now() < deadline && (await isConmon(conmonPid)); nap = Math.min(nap * 2, 10))
        await new Promise((r) => setTimeout(r, nap));
      if (conmonPid !== undefined && (await isConmon(conmonPid))) signalPid(conmonPid, "SIGKILL");
    }
    await this.killExecMonitors(id);
    await Promise.all([
      meta ? removeSockets(meta.bundle) : undefined,
      rm(this.layout.dir(id), { recursive: true, force: true }),
    ]);
  }

  private async killExecMonitors(id: string): Promise<void> {
    let execIds: string[] = [];
    try {
      execIds = await readdir(join(this.layout.dir(id), "exec"));
    } catch {
      return;
    }
    for (const e of execIds) {
      const pid = await readInt(join(this.layout.execDir(id, e), "conmon.pid"));
      if (await isConmon(pid)) signalPid(pid ?? 0, "SIGKILL");
    }
  }

  async state(id: string): Promise<RuntimeState | undefined> {
    const rc = await this.runcFor(id).catch(() => undefined);
    if (!rc) return undefined;
    const s = await rc.state(id);
    if (!s) return undefined;
    const status = s.status === "creating" ? "created" : s.status;
    return { status, pid: status === "stopped" ? 0 : s.pid };
  }

  private async readExit(id: string): Promise<ExitStatus | undefined> {
    const path = this.layout.exitFile(id);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch {
      return undefined;
    }
    const [st, oomKilled] = await Promise.all([
      stat(path, { bigint: true }),
      exists(this.layout.oomFile(id)),
    ]);
    const n = Number(text.trim());
    return {
      exitCode: Number.isInteger(n) && n >= 0 && n <= 255 ? n : 255,
      finishedAtNano: st.mtimeNs,
      oomKilled,
    };
  }

  async waitExit(id: string): Promise<ExitStatus> {
    const [, conmonPid] = await Promise.all([this.meta(id), readInt(this.layout.conmonPidfile(id))]);
    for (;;) {
      const ex = await this.readExit(id);
      if (ex) return ex;
      if (!(await isConmon(conmonPid))) {
        // The monitor died without writing the exit file (killed): the code is lost.
        const again = await this.readExit(id);
        if (again) return again;
        if (!(await exists(this.layout.dir(id)))) throw notFound(`No such container: ${id}`);
        return { exitCode: 255, finishedAtNano: BigInt(Date.now()) * 1_000_000n, oomKilled: false };
      }
      await waitForFile(this.layout.dir(id), "exit", 500);
    }
  }

  async attach(id: string, o: AttachOptions): Promise<AttachSession> {
    const meta = await this.meta(id);
    let conn;
    try {
      conn = await connectAttachSocket(meta.bundle);
    } catch (err) {
      throw conflict(`cannot attach to container ${id}: its monitor is not running`, err);
    }
    const q = new ChunkQueue();
    // With a TTY everything arrives as stdout; Docker then ignores the stderr choice.
    pumpOutput(conn, q, o.stdout, meta.tty ? o.stdout : o.stderr);
    const stopStdin = o.stdin ? pumpStdin(o.stdin, conn) : undefined;
    return {
      output: q,
      close: () => {
        stopStdin?.();
        conn.destroy();
        q.end();
      },
    };
  }

  async resize(id: string, size: ConsoleSize): Promise<void> {
    const meta = await this.meta(id);
    await this.writeResize(join(meta.bundle, "ctl"), id, size);
  }

  async resizeExec(id: string, execId: string, size: ConsoleSize): Promise<void> {
    if (!isRuntimeId(execId)) throw invalid(`invalid exec id: ${JSON.stringify(execId)}`);
    await this.writeResize(join(this.layout.execDir(id, execId), "ctl"), execId, size);
  }

  private async writeResize(ctl: string, what: string, size: ConsoleSize): Promise<void> {
    if (!(size.height >= 0 && size.width >= 0 && size.height < 65536 && size.width < 65536))
      throw invalid(`invalid terminal size ${size.height}x${size.width}`);
    try {
      await writeCtlResize(ctl, size.height, size.width);
    } catch (err) {
      const code = errnoCode(err);
      if (code === "ENXIO" || code === "ENOENT") throw conflict(`${what} is not running`, err);
      throw err;
    }
  }

  async exec(id: string, o: ExecOptions): Promise<ExecSession> {
    const meta = await this.meta(id);
    if (!isRuntimeId(o.execId)) throw invalid(`invalid exec id: ${JSON.stringify(o.execId)}`);
    const bins = await this.binaries();
    return startExec({
      conmonPath: bins.conmon,
      runtimePath: meta.runtimePath,
      runcRoot: this.layout.runcRoot,
      containerId: id,
      dir: this.layout.execDir(id, o.execId),
      opts: o,
    });
  }

  logs(logPath: string, o: LogReadOptions): AsyncIterable<LogLine> {
    return readLogs(logPath, o);
  }

  async stats(id: string): Promise<CgroupStats> {
    const s = await this.state(id);
    if (!s) throw notFound(`No such container: ${id}`);
    if (s.status === "stopped" || s.pid <= 0) throw conflict(`container ${id} is not running`);
    const sample = await sampleCgroup(s.pid);
    return { ...sample, readAtNano: BigInt(Date.now()) * 1_000_000n };
  }

  async recover(id: string): Promise<RecoveredContainer> {
    await this.meta(id);
    const monitorAlive = await isConmon(await readInt(this.layout.conmonPidfile(id)));
    const state = await this.state(id);
    const exit = await this.readExit(id);
    return { monitorAlive, state, exit };
  }

  async list(): Promise<string[]> {
    try {
      return (await readdir(this.layout.containersDir)).filter(isRuntimeId).sort();
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return [];
      throw err;
    }
  }
}
