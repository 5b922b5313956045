/**
 * conmon, the per-container monitor: spawning it with its pipes, and the two
 * channels it offers afterwards (the attach socket and the ctl FIFO).
 *
 * Protocol (conmon 2.x, `--api-version 1`), as Podman drives it:
 * - fd 3 (`_OCI_SYNCPIPE`): conmon writes JSON lines `{"data": N, "message"?: "…"}`.
 *   The first is the container (or exec) pid, or a negative number with the
 *   runtime's stderr when create/exec failed. An exec session's conmon writes
 *   a second line with the exit code.
 * - fd 4 (`_OCI_STARTPIPE`, exec only here): conmon reads one byte before it
 *   forks, and with `--exec-attach` one more before it runs `runc exec`, so a
 *   client can connect to the attach socket first and lose no output.
 * - fd 5 (`_OCI_ATTACHPIPE`, with `--exec-attach`): conmon writes `{"data": 0}`
 *   once the attach socket listens.
 * Without `--sync` conmon double-forks and its first process exits at once; the
 * monitor lives on in its own session with stdio on /dev/null, so it survives
 * berthd and holds none of berthd's pipes but the ones given here (which we
 * close as soon as we have read what we need).
 */
import { spawn } from "node:child_process";
import { closeSync, constants as fsConstants, openSync, readdirSync, readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import { SeqpacketSocket } from "node-unix-socket";

export interface SyncMessage {
  data: number;
  message?: string;
}

/** Reads newline-separated JSON messages from one of conmon's pipes. */
export class SyncReader {
  private buf = "";
  private queue: SyncMessage[] = [];
  private waiters: { resolve: (m: SyncMessage) => void; reject: (e: Error) => void }[] = [];
  private ended: Error | undefined;

  constructor(
    private readonly stream: Readable,
    private readonly what: string,
  ) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => this.onData(chunk));
    stream.on("end", () => this.fail(new Error(`conmon closed its ${what} pipe`)));
    stream.on("error", (err) => this.fail(err));
  }

  private onData(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf("\n")) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (line === "") continue;
      let msg: SyncMessage;
      try {
        const j = JSON.parse(line) as { data?: unknown; message?: unknown };
        msg = { data: typeof j.data === "number" ? j.data : -1 };
        if (typeof j.message === "string") msg.message = j.message;
      } catch {
        msg = { data: -1, message: `conmon sent ${JSON.stringify(line)} on its ${this.what} pipe` };
      }
      const w = this.waiters.shift();
      if (w) w.resolve(msg);
      else this.queue.push(msg);
    }
  }

  private fail(err: Error): void {
    this.ended ??= err;
    for (const w of this.waiters.splice(0)) w.reject(this.ended);
  }

  /** The next message; rejects when conmon closes the pipe first or after timeoutMs. */
  next(timeoutMs?: number): Promise<SyncMessage> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const w = {
        resolve: (v: SyncMessage) => {
          if (timer) clearTimeout(timer);
          resolve(v);
        },
        reject: (e: Error) => {
          if (timer) clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.push(w);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for conmon on its ${this.what} pipe`));
        }, timeoutMs);
      }
    });
  }

  close(): void {
    this.stream.destroy();
  }
}

export interface ConmonProcess {
  /** Exit status of conmon's first process (it exits right after forking the monitor). */
  exited: Promise<{ code: number | null; stderr: string }>;
  sync: SyncReader;
  start: Writable | undefined;
  attach: SyncReader | undefined;
  /** Close every pipe to conmon that is still open on our side. */
  closePipes(): void;
}

export interface SpawnConmonOptions {
  conmonPath: string;
  args: string[];
  cwd: string;
  /** Give conmon a start pipe and an attach pipe (exec with --exec-attach). */
  execAttach: boolean;
}

/** conmon's environment: ours minus what must not leak into containers' monitors. */
function conmonEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === "NOTIFY_SOCKET" || k === "LISTEN_FDS" || k === "LISTEN_PID" || k.startsWith("_OCI_")) continue;
    env[k] = v;
  }
  // conmon stamps log lines in local time; UTC makes the log files the same on every host.
  env.TZ = "UTC";
  return { ...env, ...extra };
}

const O_CLOEXEC = 0o2000000;

/**
 * Descriptors this process inherited without close-on-exec (a supervisor's
 * pipe, say). A child gets them too, and the monitor would keep them open for
 * the container's life, so whoever waits for EOF on them would hang.
 */
export function inheritableFds(): number[] {
  const out: number[] = [];
  let names: string[];
  try {
    names = readdirSync("/proc/self/fdinfo");
  } catch {
    return out;
  }
  for (const name of names) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd < 3) continue;
    try {
      const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))?.[1];
      if (flags !== undefined && (parseInt(flags, 8) & O_CLOEXEC) === 0) out.push(fd);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

export function spawnConmon(o: SpawnConmonOptions): ConmonProcess {
  const extra: Record<string, string> = { _OCI_SYNCPIPE: "3" };
  if (o.execAttach) {
    extra._OCI_STARTPIPE = "4";
    extra._OCI_ATTACHPIPE = "5";
  }
  const stdio: ("ignore" | "pipe" | number)[] = ["ignore", "ignore", "pipe", "pipe"];
  if (o.execAttach) stdio.push("pipe", "pipe");
  // Cover inherited descriptors with /dev/null in the child.
  const leaks = inheritableFds().filter((fd) => fd >= stdio.length);
  const devNull = leaks.length > 0 ? openSync("/dev/null", "r") : -1;
  for (const fd of leaks) {
    while (stdio.length < fd) stdio.push("ignore");
    stdio[fd] = devNull;
  }
  let child;
  try {
    child = spawn(o.conmonPath, o.args, {
      cwd: o.cwd,
      env: conmonEnv(extra),
      stdio,
      // Its own process group: a ^C to berthd's terminal must not reach the monitor.
      detached: true,
    });
  } finally {
    if (devNull >= 0) closeSync(devNull);
  }
  const stderrChunks: Buffer[] = [];
  child.stderr?.on("data", (c: Buffer) => {
    if (stderrChunks.length < 64) stderrChunks.push(c);
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.on("error", (err) => resolve({ code: null, stderr: err.message }));
    child.on("exit", (code) => {
      // The monitor child inherited conmon's stderr only until it moved stdio to /dev/null.
      child.stderr?.destroy();
      resolve({ code, stderr: Buffer.concat(stderrChunks).toString("utf8") });
    });
  });
  const pipes = child.stdio as unknown as (Readable | Writable | null | undefined)[];
  const syncStream = pipes[3] as Readable;
  const sync = new SyncReader(syncStream, "sync");
  const start = o.execAttach ? (pipes[4] as Writable) : undefined;
  const attach = o.execAttach ? new SyncReader(pipes[5] as Readable, "attach") : undefined;
  start?.on("error", () => undefined);
  return {
    exited,
    sync,
    start,
    attach,
    closePipes() {
      sync.close();
      start?.destroy();
      attach?.close();
      child.stderr?.destroy();
    },
  };
}

/** Is a process with this pid alive (and not a zombie we could never reap)? */
export function pidAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

/** Ask conmon to resize the pty: message 1 (resize) on the ctl FIFO, as Podman does. */
export async function writeCtlResize(ctlPath: string, height: number, width: number): Promise<void> {
  // O_NONBLOCK: opening a FIFO for writing fails with ENXIO rather than hang when no
  // monitor reads it (conmon has exited).
  const fh = await open(ctlPath, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
  try {
    await fh.write(`1 ${Math.trunc(height)} ${Math.trunc(width)}\n`);
  } finally {
    await fh.close();
  }
}

/**
 * A connection to conmon's attach socket (SOCK_SEQPACKET). Each packet conmon
 * sends starts with one byte naming the stream (2 stdout, 3 stderr); what we
 * send is raw stdin bytes.
 */
export interface AttachConnection {
  onPacket(fn: (stream: number, data: Buffer) => void): void;
  onEnd(fn: (err?: Error) => void): void;
  write(data: Buffer): Promise<void>;
  /** Half-close: conmon sees EOF on its read side. */
  end(): void;
  destroy(): void;
}

/** conmon reads at most this much of one packet (CONN_SOCK_BUF_SIZE - 1). */
export const ATTACH_MAX_PACKET = 32767;

/**
 * Connect through /proc/self/fd/N of the socket's directory so that paths
 * longer than sun_path's 108 bytes work (conmon binds the same way).
 */
export function connectAttachSocket(dir: string, name = "attach"): Promise<AttachConnection> {
  const dirFd = openSync(dir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  const sock = new SeqpacketSocket();
  return new Promise<AttachConnection>((resolve, reject) => {
    let settled = false;
    const packetFns: ((stream: number, data: Buffer) => void)[] = [];
    const endFns: ((err?: Error) => void)[] = [];
    let finished = false;
    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      for (const f of endFns) f(err);
    };
    sock.on("error", (err: Error) => {
      if (!settled) {
        settled = true;
        closeDirFd();
        reject(err);
        return;
      }
      finish(err);
    });
    sock.on("data", (buf: Buffer) => {
      if (buf.length === 0) return;
      const stream = buf[0] ?? 0;
      const data = buf.subarray(1);
      for (const f of packetFns) f(stream, data);
    });
    sock.on("end", () => finish());
    sock.on("close", () => finish());
    let dirClosed = false;
    function closeDirFd(): void {
      if (dirClosed) return;
      dirClosed = true;
      closeSync(dirFd);
    }
    const conn: AttachConnection = {
      onPacket: (fn) => void packetFns.push(fn),
      onEnd: (fn) => {
        if (finished) fn();
        else endFns.push(fn);
      },
      write: (data) =>
        new Promise<void>((res, rej) => {
          try {
            sock.write(data, 0, data.length, () => res());
          } catch (err) {
            rej(err);
          }
        }),
      end: () => {
        try {
          sock.end();
        } catch {
          // already closed
        }
      },
      destroy: () => {
        try {
          sock.destroy();
        } catch {
          // already closed
        }
        finish();
      },
    };
    try {
      sock.connect(`/proc/self/fd/${dirFd}/${name}`, () => {
        settled = true;
        closeDirFd();
        resolve(conn);
      });
    } catch (err) {
      settled = true;
      closeDirFd();
      reject(err);
    }
  });
}
