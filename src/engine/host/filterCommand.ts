/**
 * Streams bytes through a host command used as a filter (`xz -dc`, …): the input goes to its
 * stdin with backpressure, its stdout comes back as chunks, its stderr is kept for the error.
 * Whatever way the stream ends (the consumer stops, the input fails, the command fails) the
 * child is killed if still running and awaited, so no process or zombie outlives the stream.
 */
import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CommandError } from "./command.js";

/** The command could not be started at all (ENOENT: not installed). */
export class CommandStartError extends Error {
  readonly code: string | undefined;

  constructor(
    readonly argv: readonly string[],
    cause: Error & { code?: string },
  ) {
    super(`${argv.join(" ")}: ${cause.message}`, { cause });
    this.name = "CommandStartError";
    this.code = cause.code;
  }
}

/**
 * Yields the command's stdout for the given input. Throws the input's own error if the input
 * fails, a `CommandStartError` if the command cannot start, a `CommandError` (exit status and
 * stderr tail) if it exits non-zero or is killed by a signal.
 */
export async function* filterCommand(
  argv: readonly string[],
  input: AsyncIterable<Uint8Array>,
): AsyncGenerator<Buffer, void, undefined> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error("filterCommand: empty argv");
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
  let startError: (Error & { code?: string }) | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("error", (e) => {
      startError = e;
      resolve({ code: null, signal: null });
    });
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
  const stderr: Buffer[] = [];
  let stderrLen = 0;
  child.stderr.on("data", (b: Buffer) => {
    // Only the tail ends up in the error; keep memory bounded on a chatty command.
    stderr.push(b);
    stderrLen += b.length;
    while (stderrLen > 8192 && stderr.length > 1) stderrLen -= stderr.shift()?.length ?? 0;
  });

  let inputError: { err: unknown } | undefined;
  async function* watched(): AsyncGenerator<Uint8Array> {
    try {
      yield* input;
    } catch (err) {
      inputError = { err };
      child.kill("SIGKILL");
      throw err;
    }
  }
  const source = Readable.from(watched(), { objectMode: false });
  // EPIPE when the command exits before reading all of its input: its exit status tells.
  const pumping = pipeline(source, child.stdin).catch(() => undefined);

  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    const { code, signal } = await exited;
    if (inputError !== undefined) throw inputError.err;
    if (startError !== undefined) throw new CommandStartError(argv, startError);
    await pumping;
    if (code !== 0) {
      const why = signal !== null ? `killed by ${signal}` : undefined;
      throw new CommandError(argv, code, Buffer.concat(stderr).toString("utf8"), why);
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null && startError === undefined)
      child.kill("SIGKILL");
    source.destroy();
    child.stdin.destroy();
    await exited;
  }
}
