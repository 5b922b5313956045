/**
 * What every command gets: the client, the streams, and whether stdout is a
 * terminal (tables and progress render differently then).
 */
import type { Readable, Writable } from "node:stream";
import type { EngineClient } from "../client/index.js";

export interface CliContext {
  client: EngineClient;
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /** The host the client talks to, as the user would write it. */
  host: string;
  /** Directory of the client config (auth, detach keys), like ~/.docker. */
  configDir: string;
}

/** An error that ends the command with a given exit status and message. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** A command that only sets an exit status (e.g. run's container exit code). */
export class ExitStatus extends Error {
  constructor(readonly exitCode: number) {
    super(`exit status ${exitCode}`);
  }
}
