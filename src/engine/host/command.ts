/**
 * Running one host command: argv arrays only (never a shell), a timeout, stdin
 * as a string, and on failure an error that carries argv, exit code and the
 * tail of stderr so the log says which command failed and why.
 */
import { spawn } from "node:child_process";

export interface CommandResult {
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** Written to the child's stdin, which is then closed. */
  input?: string;
  /** Milliseconds before SIGKILL; default 10 s. */
  timeoutMs?: number;
}

/** A failed host command. */
export class CommandError extends Error {
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly stderrTail: string;

  constructor(argv: readonly string[], exitCode: number | null, stderr: string, reason?: string) {
    const tail = stderrTail(stderr);
    super(`${argv.join(" ")}: ${reason ?? `exit status ${exitCode ?? "?"}`}${tail ? `: ${tail}` : ""}`);
    this.name = "CommandError";
    this.argv = argv;
    this.exitCode = exitCode;
    this.stderrTail = tail;
  }
}

/** The last 2 KiB of stderr, trimmed, with anything that looks like a secret blanked. */
function stderrTail(stderr: string): string {
  const tail = stderr.length > 2048 ? stderr.slice(-2048) : stderr;
  return tail.replace(/((?:password|token|secret)[=:]\s*)\S+/gi, "$1***").trim();
}

export function runCommand(argv: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return Promise.reject(new Error("runCommand: empty argv"));
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    // EPIPE when the child exits before reading its input: the exit status tells the story.
    child.stdin.on("error", () => undefined);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new CommandError(argv, null, "", e.message));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString("utf8");
      const stderr = Buffer.concat(err).toString("utf8");
      if (timedOut) reject(new CommandError(argv, code, stderr, `timed out after ${timeoutMs} ms`));
      else if (code !== 0)
        reject(new CommandError(argv, code, stderr, signal ? `killed by ${signal}` : undefined));
      else resolve({ stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}
