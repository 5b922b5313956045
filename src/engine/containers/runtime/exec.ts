/**
 * One exec session: conmon with `--exec --exec-attach`, Podman's handshake so
 * that a client attaches before the process runs and misses no output:
 * start byte 1 (conmon forks) → attach pipe says the socket listens → we
 * connect → start byte 2 (conmon runs `runc exec`) → sync pipe: pid, and later
 * the exit code.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { internal } from "../../errors.js";
import { connectAttachSocket, spawnConmon, type AttachConnection } from "../../host/conmon.js";
import { ChunkQueue, pumpOutput, pumpStdin } from "./streams.js";
import { runtimeFailure } from "./failures.js";
import type { ExecOptions, ExecSession } from "./types.js";

export interface StartExecInput {
  conmonPath: string;
  runtimePath: string;
  runcRoot: string;
  containerId: string;
  /** The session's own dir (process.json, pidfile, attach socket, ctl FIFO, exit file). */
  dir: string;
  opts: ExecOptions;
}

const HANDSHAKE_TIMEOUT_MS = 30_000;

export async function startExec(x: StartExecInput): Promise<ExecSession> {
  const o = x.opts;
  await rm(x.dir, { recursive: true, force: true });
  await mkdir(x.dir, { recursive: true, mode: 0o700 });
  const processSpec = join(x.dir, "process.json");
  await writeFile(processSpec, JSON.stringify({ ...o.process, terminal: o.tty }));
  const wantStdin = o.attach && o.stdin !== undefined;
  const args = [
    "--api-version", "1",
    "-c", x.containerId,
    "-u", o.execId,
    "-r", x.runtimePath,
    "-b", x.dir,
    "-p", join(x.dir, "pidfile"),
    "-P", join(x.dir, "conmon.pid"),
    "--persist-dir", x.dir,
    "-l", "none",
    "--full-attach",
    "--no-sync-log",
    "--syslog",
    "--log-level", "warn",
    "--runtime-arg", "--root",
    "--runtime-arg", x.runcRoot,
    "-e",
    "--exec-attach",
    "--exec-process-spec", processSpec,
  ]; // prettier-ignore
  if (o.tty) args.push("-t");
  if (wantStdin) args.push("-i");

  const cm = spawnConmon({ conmonPath: x.conmonPath, args, cwd: x.dir, execAttach: true });
  const start = cm.start;
  const attachPipe = cm.attach;
  if (!start || !attachPipe) throw internal("conmon exec pipes missing");
  let conn: AttachConnection | undefined;
  try {
    start.write(Buffer.from([0]));
    const ready = await attachPipe.next(HANDSHAKE_TIMEOUT_MS).catch(async (err: Error) => {
      const { stderr } = await cm.exited;
      throw internal(`conmon failed: ${stderr.trim() || err.message}`, err);
    });
    if (ready.data < 0) throw runtimeFailure("exec", ready.message ?? "exec attach failed");
    if (o.attach) conn = await connectAttachSocket(x.dir);
    start.write(Buffer.from([0]));
    const first = await cm.sync.next(HANDSHAKE_TIMEOUT_MS);
    if (first.data <= 0) throw runtimeFailure("exec", first.message ?? "exec failed");
    const pid = first.data;

    const q = new ChunkQueue();
    let stopStdin: (() => void) | undefined;
    if (conn) {
      pumpOutput(conn, q, o.stdout, o.tty ? o.stdout : o.stderr);
      if (wantStdin && o.stdin) stopStdin = pumpStdin(o.stdin, conn);
    } else {
      q.end();
    }
    const exitCode = cm.sync
      .next()
      .then((m) => m.data)
      .catch(async () => {
        // Sync pipe lost (conmon killed): the exit file may still tell.
        const n = Number((await readFile(join(x.dir, "exit"), "utf8")).trim());
        if (!Number.isInteger(n)) throw internal(`exec ${o.execId}: exit code unknown`);
        return n;
      })
      .then((n) => (n >= 0 && n <= 255 ? n : 255))
      .finally(() => {
        cm.closePipes();
        // Output has been drained once conmon reports the exit; the files are no longer needed.
        void rm(x.dir, { recursive: true, force: true }).catch(() => undefined);
      });
    // Nobody may ever ask for the code; an unread rejection must not crash the daemon.
    exitCode.catch(() => undefined);
    const connRef = conn;
    return {
      pid,
      output: q,
      exitCode,
      close: () => {
        stopStdin?.();
        connRef?.destroy();
        q.end();
      },
    };
  } catch (err) {
    conn?.destroy();
    cm.closePipes();
    await rm(x.dir, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}
