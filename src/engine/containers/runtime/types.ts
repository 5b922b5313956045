/**
 * The runtime driver's contract: how the container service asks for a
 * container process to exist, run, stop and talk. One implementation drives
 * conmon + an OCI runtime (runc); tests may write others. Nothing here knows
 * about HTTP: streams are node streams and async iterables of chunks.
 *
 * Glossary:
 * - bundle: a directory holding config.json (written by the container service)
 *   whose root.path points at the mounted rootfs.
 * - monitor: the conmon process that holds a container's stdio, pty, log file
 *   and exit code. It outlives berthd, which is what lets a restarted daemon
 *   find its containers again (`recover`).
 * - exit file: written by conmon when the container's init process exits; the
 *   source of truth for exit codes, read again after a daemon restart.
 */
import type { Readable } from "node:stream";

/** What the OCI runtime says about a container (runc's own words, minus "creating"). */
export type RuntimeStatus = "created" | "running" | "paused" | "stopped";

export interface RuntimeCreateOptions {
  /** The container ID (64 hex); also the OCI runtime's container ID. */
  id: string;
  /** Directory with config.json; must outlive the container. */
  bundle: string;
  /** Allocate a pty (config.json's process.terminal must agree). */
  tty: boolean;
  /** Keep a stdin pipe to the container so `attach` can write to it (docker -i). */
  openStdin: boolean;
  /** Close the container's stdin when the first attached client ends its stdin (docker run -i without --attach juggling). */
  stdinOnce: boolean;
  /** Where conmon writes the k8s-file log (created if missing). */
  logPath: string;
  /** Truncate the log when it grows past this many bytes (conmon's --log-size-max); unset = unbounded. */
  logMaxSize?: number;
  /** OCI runtime binary (name on PATH or absolute path); default: the driver's default runtime (runc). */
  runtime?: string;
}

export interface RuntimeState {
  status: RuntimeStatus;
  /** The container's init pid on the host (0 once stopped). */
  pid: number;
}

export interface ExitStatus {
  /** 0-255; a process killed by signal n reports 128+n, as Docker does. */
  exitCode: number;
  /** When conmon saw the exit (the exit file's mtime), ns since the epoch. */
  finishedAtNano: bigint;
  /** The kernel's OOM killer ended a process of the container. */
  oomKilled: boolean;
}

export type StdStream = "stdout" | "stderr";

/** A piece of output in the order conmon sent it. With a TTY everything is "stdout", raw pty bytes. */
export interface OutputChunk {
  stream: StdStream;
  data: Buffer;
}

export interface AttachOptions {
  /** Bytes for the container's stdin. When it ends, the container's stdin gets EOF (if the
   * container was created with stdinOnce or this is the only writer), and output keeps flowing. */
  stdin?: Readable;
  stdout: boolean;
  stderr: boolean;
}

export interface AttachSession {
  /** Output until the container closes its stdio (exit) or `close()` is called. */
  output: AsyncIterable<OutputChunk>;
  /** Detach: stop reading and writing; the container keeps running. Idempotent. */
  close(): void;
}

export interface ConsoleSize {
  height: number;
  width: number;
}

/** The OCI runtime spec's `process` object (the fields Berth sets). */
export interface OciProcess {
  terminal?: boolean;
  consoleSize?: ConsoleSize;
  user: { uid: number; gid: number; umask?: number; additionalGids?: number[] };
  args: string[];
  env?: string[];
  cwd: string;
  capabilities?: {
    bounding?: string[];
    effective?: string[];
    inheritable?: string[];
    permitted?: string[];
    ambient?: string[];
  };
  rlimits?: { type: string; hard: number; soft: number }[];
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  selinuxLabel?: string;
  oomScoreAdj?: number;
}

export interface ExecOptions {
  /** Unique per exec session (64 hex); names the session's runtime files. */
  execId: string;
  /** The process to run inside the container; `terminal` is forced to match `tty`. */
  process: OciProcess;
  tty: boolean;
  /** false: detached (docker exec -d); output is discarded and stdin is not connected. */
  attach: boolean;
  stdin?: Readable;
  stdout: boolean;
  stderr: boolean;
}

export interface ExecSession {
  /** Host pid of the exec'd process. */
  pid: number;
  /** Output of the process (empty when not attached). */
  output: AsyncIterable<OutputChunk>;
  /** Resolves with 0-255 (128+n when killed by signal n) when the process exits. */
  exitCode: Promise<number>;
  /** Stop streaming; the process keeps running. */
  close(): void;
}

/** One log record: a whole line (partial k8s-file records joined), newline included when the program wrote one. */
export interface LogLine {
  stream: StdStream;
  timeNano: bigint;
  text: Buffer;
}

export interface LogReadOptions {
  /** Keep reading as the file grows. */
  follow: boolean;
  /** Only lines with timeNano >= since / <= until. */
  since?: bigint;
  until?: bigint;
  /** Only the last N lines (before following). */
  tail?: number;
  /** Stop at once (client went away). */
  signal?: AbortSignal;
  /** With follow: when this settles (e.g. waitExit), read what is left and end. */
  followUntil?: Promise<unknown>;
}

/** Resource usage from the container's cgroup. Bytes and nanoseconds as plain numbers. */
export interface CgroupStats {
  cgroupVersion: 1 | 2;
  /** When the sample was taken, ns since the epoch. */
  readAtNano: bigint;
  cpu: {
    totalNano: number;
    userNano: number;
    systemNano: number;
    /** Per-CPU usage (v1 only; empty on v2, as Docker reports). */
    perCpuNano: number[];
    /** Host CPU time of all CPUs (sum of /proc/stat), ns: Docker's system_cpu_usage. */
    hostNano: number;
    onlineCpus: number;
    throttling: { periods: number; throttledPeriods: number; throttledTimeNano: number };
  };
  memory: {
    usage: number;
    /** The cgroup limit, or the host's memory when unlimited (as Docker reports). */
    limit: number;
    /** v1 max_usage_in_bytes (0 on v2). */
    maxUsage: number;
    failcnt: number;
    /** memory.stat as-is (v1: cache, rss, total_inactive_file…; v2: anon, file, inactive_file…). */
    stats: Record<string, number>;
  };
  pids: { current: number; limit?: number };
  blkio: { entries: { major: number; minor: number; op: string; value: number }[] };
}

/** What `recover` finds for a container after berthd restarts. */
export interface RecoveredContainer {
  /** conmon still runs for it. */
  monitorAlive: boolean;
  /** The OCI runtime's view (undefined: the runtime does not know the container). */
  state: RuntimeState | undefined;
  /** Present when the container already exited. */
  exit: ExitStatus | undefined;
}

export interface Runtime {
  /** Start conmon, which runs `<runtime> create`: the container exists, its process waits. */
  create(o: RuntimeCreateOptions): Promise<{ pid: number }>;
  /** Let the created container's process run (`runc start`). */
  start(id: string): Promise<void>;
  /** Send a signal number to init (or to every process with `all`). */
  kill(id: string, signal: number, all?: boolean): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Force-remove the container from the OCI runtime, end its monitor, remove its runtime dir. Idempotent. */
  delete(id: string): Promise<void>;
  state(id: string): Promise<RuntimeState | undefined>;
  /** Resolves when the container exits (also for containers created by an earlier daemon). */
  waitExit(id: string): Promise<ExitStatus>;
  attach(id: string, o: AttachOptions): Promise<AttachSession>;
  resize(id: string, size: ConsoleSize): Promise<void>;
  exec(id: string, o: ExecOptions): Promise<ExecSession>;
  resizeExec(id: string, execId: string, size: ConsoleSize): Promise<void>;
  logs(logPath: string, o: LogReadOptions): AsyncIterable<LogLine>;
  stats(id: string): Promise<CgroupStats>;
  recover(id: string): Promise<RecoveredContainer>;
  /** IDs with a runtime dir (created by this or an earlier daemon and not deleted). */
  list(): Promise<string[]>;
}
