/**
 * The local end of a hijacked attach or exec connection, as docker's
 * hijackedIOStreamer: stdin copied to the connection (raw terminal with a
 * TTY, detach keys caught locally, half-close at EOF), output copied back
 * (raw with a TTY, stdcopy frames split to stdout and stderr without),
 * the remote TTY kept at the local size, and signals proxied.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { Demuxer } from "../api/stdcopy.js";
import type { Upgraded } from "../client/index.js";

/** docker's default escape sequence: ctrl-p, ctrl-q. */
export const defaultDetachKeys = [16, 17];

/** moby/term ToBytes: "ctrl-p,ctrl-q", "a,b", "ctrl-@", "DEL" to bytes; throws "Unknown character". */
export function detachKeyBytes(spec: string): number[] {
  const out: number[] = [];
  for (const key of spec.split(",")) {
    if (key.length === 1) {
      out.push(key.charCodeAt(0));
      continue;
    }
    const m = /^ctrl-([a-z@[\\\]^_])$/.exec(key);
    if (m) {
      const c = m[1]!;
      out.push(c >= "a" && c <= "z" ? c.charCodeAt(0) - 96 : "@[\\]^_".indexOf(c) + (c === "@" ? 0 : 26));
    } else if (key === "DEL") out.push(127);
    else throw new Error(`Unknown character: '${key}'`);
  }
  return out;
}

/** The detach keys in effect: the flag, else `detachKeys` in the client config file, else none (default). */
export function detachKeysSetting(flag: string | undefined, configDir: string): string {
  if (flag) return flag;
  try {
    const cfg = JSON.parse(readFileSync(join(configDir, "config.json"), "utf8")) as { detachKeys?: unknown };
    return typeof cfg.detachKeys === "string" ? cfg.detachKeys : "";
  } catch {
    return "";
  }
}

/**
 * Watches input for the escape sequence. A partial match is held back and
 * released if the next byte breaks it, so the container sees every other key.
 */
export class EscapeMatcher {
  private held = 0;

  constructor(private readonly keys: readonly number[]) {}

  /** The bytes to forward, and whether the sequence completed (bytes after it are dropped). */
  push(chunk: Buffer): { data: Buffer; detached: boolean } {
    const pass: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.held]) {
        this.held++;
        if (this.held === this.keys.length) return { data: Buffer.from(pass), detached: true };
        continue;
      }
      pass.push(...this.keys.slice(0, this.held));
      this.held = 0;
      if (byte === this.keys[0]) this.held = 1;
      else pass.push(byte);
    }
    return { data: Buffer.from(pass), detached: false };
  }
}

export type TtyIn = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
export type TtyOut = Writable & { isTTY?: boolean; columns?: number; rows?: number };

export interface HijackOptions {
  tty: boolean;
  stdin?: TtyIn;
  stdout?: Writable;
  stderr?: Writable;
  /** The detach setting (flag or config); only read with a TTY, as docker does. */
  detachKeys?: string;
  /** Where docker's logrus warnings go. */
  warn?: (text: string) => void;
}

/**
 * Streams until the output ends, or stdin ends when no output is attached,
 * or the user types the detach keys. Restores the terminal before returning.
 */
export function streamHijacked(conn: Upgraded, opts: HijackOptions): Promise<"ended" | "detached"> {
  const { socket } = conn;
  const { stdin, stdout, stderr, tty } = opts;
  let raw = false;
  const restore = () => {
    if (raw) {
      raw = false;
      stdin?.setRawMode?.(false);
    }
  };
  let matcher: EscapeMatcher | undefined;
  if (stdin && tty) {
    let keys = defaultDetachKeys;
    if (opts.detachKeys) {
      try {
        keys = detachKeyBytes(opts.detachKeys);
      } catch (err) {
        opts.warn?.(`invalid detach escape keys, using default: ${(err as Error).message}`);
      }
    }
    matcher = new EscapeMatcher(keys);
    if (stdin.isTTY && stdin.setRawMode) {
      stdin.setRawMode(true);
      raw = true;
    }
  }
  return new Promise((resolve) => {
    let settled = false;
    let inputDone = false;
    const hasOutput = stdout !== undefined || stderr !== undefined;
    const finish = (how: "ended" | "detached") => {
      if (settled) return;
      settled = true;
      restore();
      if (stdin) {
        stdin.off("data", onData);
        stdin.off("end", onEnd);
        stdin.off("error", onEnd);
        stdin.pause();
      }
      const drained = () => {
        socket.destroy();
        resolve(how);
      };
      // Let the last output reach the terminal before the caller prints or exits.
      if (stdout && stdout.writableLength > 0) stdout.write("", drained);
      else drained();
    };

    const demux = new Demuxer();
    const onOutput = (chunk: Buffer) => {
      if (tty) {
        stdout?.write(chunk);
        return;
      }
      for (const f of demux.push(chunk)) (f.stream === 2 ? stderr : stdout)?.write(f.data);
    };
    if (hasOutput) {
      if (conn.head.length > 0) onOutput(conn.head);
      socket.on("data", onOutput);
    } else socket.resume();
    const onOutputEnd = () => {
      restore();
      if (hasOutput) finish("ended");
      else if (inputDone) finish("ended");
    };
    socket.on("end", onOutputEnd);
    socket.on("close", onOutputEnd);
    socket.on("error", onOutputEnd);

    const closeWrite = () => {
      inputDone = true;
      if (!socket.destroyed) socket.end();
      if (!hasOutput) finish("ended");
    };
    const onData = (chunk: Buffer | string) => {
      let data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      if (matcher) {
        const r = matcher.push(data);
        if (r.data.length > 0 && !socket.destroyed) socket.write(r.data);
        if (r.detached) {
          finish("detached");
          return;
        }
        data = Buffer.alloc(0);
      }
      if (data.length > 0 && !socket.destroyed) socket.write(data);
    };
    const onEnd = () => {
      restore();
      closeWrite();
    };
    if (stdin) {
      stdin.on("data", onData);
      stdin.once("end", onEnd);
      stdin.once("error", onEnd);
      stdin.resume();
    } else closeWrite();
  });
}

/**
 * Keeps a remote TTY at the local terminal's size: now (retrying as docker's
 * initTtySize does) and after every SIGWINCH. Returns a function that stops it.
 */
export function monitorTtySize(
  out: TtyOut,
  resize: (size: { height: number; width: number }) => Promise<void>,
  warn: (text: string) => void,
): () => void {
  const send = () => {
    const height = out.rows ?? 0;
    const width = out.columns ?? 0;
    if (height === 0 && width === 0) return Promise.resolve();
    return resize({ height, width });
  };
  let stopped = false;
  send().catch(async () => {
    for (let retry = 0; retry < 10 && !stopped; retry++) {
      await new Promise((r) => setTimeout(r, (retry + 1) * 10));
      if (
        await send().then(
          () => true,
          () => false,
        )
      )
        return;
    }
    if (!stopped) warn("failed to resize tty, using default size");
  });
  // Node refreshes columns/rows on SIGWINCH and then emits "resize".
  const onResize = () => void send().catch(() => undefined);
  out.on("resize", onResize);
  return () => {
    stopped = true;
    out.off("resize", onResize);
  };
}

/** Signals the CLI forwards to the container (docker forwards all it can catch but CHLD, PIPE, URG). */
const proxied: NodeJS.Signals[] = [
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGTERM",
  "SIGUSR2",
  "SIGALRM",
  "SIGCONT",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
];

/** docker's ForwardAllSignals: each caught signal becomes a kill request; returns the undo. */
export function proxySignals(kill: (signal: string) => Promise<void>): () => void {
  const handlers = proxied.map((sig) => {
    const h = () => void kill(sig.slice(3)).catch(() => undefined);
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}

/** The local terminal's size (0×0 off a terminal), as docker's GetTtySize. */
export function ttySize(out: TtyOut): { height: number; width: number } {
  return out.isTTY ? { height: out.rows ?? 0, width: out.columns ?? 0 } : { height: 0, width: 0 };
}

/**
 * A logrus line as the docker CLI writes it: "ERRO[0000] msg" on a terminal,
 * `time="…" level=error msg="…"` otherwise.
 */
export function logrusLine(level: "error" | "warning", msg: string, toTerminal: boolean): string {
  if (toTerminal) return `${level === "error" ? "ERRO" : "WARN"}[0000] ${msg}\n`;
  const now = new Date();
  const off = -now.getTimezoneOffset();
  const pad = (n: number) => String(n).padStart(2, "0");
  const local = new Date(now.getTime() + off * 60_000).toISOString().slice(0, 19);
  const zone =
    off === 0
      ? "Z"
      : `${off < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  const quoted = /^[A-Za-z0-9\-._/@^+]+$/.test(msg) ? msg : JSON.stringify(msg);
  return `time="${local}${zone}" level=${level} msg=${quoted}\n`;
}

export const isTty = (s: unknown): boolean => (s as { isTTY?: boolean }).isTTY === true;
