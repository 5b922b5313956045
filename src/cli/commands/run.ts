/**
 * run and create: docker's flags to a create body, pull when the image is
 * missing, then for run: attach (hijacked) before start, wait for next-exit
 * (or removal with --rm), start, stream, and exit with the container's code.
 */
import { existsSync, openSync, writeSync, closeSync, rmSync } from "node:fs";
import type { JsonMessageWire } from "../../api/types/images.js";
import { ApiError, jsonLines } from "../../client/index.js";
import { familiarString, parseAnyReference, withDefaultTag } from "../../engine/images/reference.js";
import { CliError, type CliContext } from "../context.js";
import { cliName } from "../help.js";
import type { CommandSpec, ParsedArgs } from "../spec.js";
import {
  detachKeysSetting,
  isTty,
  logrusLine,
  monitorTtySize,
  proxySignals,
  streamHijacked,
  type TtyOut,
} from "../streams.js";
import { containerFlags, createOnlyFlags, runOnlyFlags } from "./containerFlags.js";
import { FlagError, OptsError, toCreateBody, type ParsedContainer } from "./containerOpts.js";
import { displayJsonMessages } from "./imageProgress.js";

const runUsage = "run [OPTIONS] IMAGE [COMMAND] [ARG...]";
const createUsage = "create [OPTIONS] IMAGE [COMMAND] [ARG...]";

/** docker's withHelp: "berth: <err>\n\nRun 'berth run --help' for more information". */
export function withHelp(message: string, command: string, code = 125): CliError {
  return new CliError(
    `${cliName}: ${message}\n\nRun '${cliName} ${command} --help' for more information`,
    code,
  );
}

function flagUsageError(err: FlagError, command: string, usage: string): CliError {
  return new CliError(
    `${err.message}\n\nUsage:  ${cliName} ${usage}\n\nRun '${cliName} ${command} --help' for more information`,
    125,
  );
}

/** The terminal size docker sends as ConsoleSize: [rows, columns], zeros off a terminal. */
function consoleSize(out: TtyOut): [number, number] {
  return out.isTTY ? [out.rows ?? 0, out.columns ?? 0] : [0, 0];
}

function parseOrThrow(ctx: CliContext, args: ParsedArgs, command: string, usage: string): ParsedContainer {
  const pull = args.strings.get("pull") ?? "missing";
  if (!["always", "missing", "never", ""].includes(pull)) {
    throw withHelp(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`, command);
  }
  const [image, ...cmd] = args.positionals as [string, ...string[]];
  try {
    return toCreateBody(args, image, cmd, consoleSize(ctx.stdout));
  } catch (err) {
    if (err instanceof FlagError) throw flagUsageError(err, command, usage);
    if (err instanceof OptsError) throw withHelp(err.message, command);
    throw err;
  }
}

async function pullImage(ctx: CliContext, image: string, platform: string, quiet: boolean): Promise<void> {
  const ref = parseAnyReference(image);
  if (ref.kind !== "named") throw new CliError(`invalid reference format`);
  const full = withDefaultTag(ref.ref);
  const name = full.domain ? `${full.domain}/${full.path}` : full.path;
  const res = await ctx.client.transport.request("POST", "/images/create", {
    query: {
      fromImage: name,
      tag: full.digest ?? full.tag ?? "latest",
      platform: platform || undefined,
    },
  });
  const messages = jsonLines<JsonMessageWire>(res.body);
  if (quiet) {
    for await (const m of messages) {
      if (m.error !== undefined || m.errorDetail !== undefined)
        throw new CliError(m.errorDetail?.message ?? m.error ?? "unknown error");
    }
  } else await displayJsonMessages(messages, ctx.stderr);
}

/** docker's createContainer: cidfile, pull policy, create (pulling once on "No such image"), warnings. */
async function createContainer(ctx: CliContext, args: ParsedArgs, parsed: ParsedContainer): Promise<string> {
  const body = parsed.body;
  const cidfile = args.strings.get("cidfile") ?? "";
  let fd: number | undefined;
  if (cidfile !== "") {
    if (existsSync(cidfile))
      throw new CliError(
        `container ID file found, make sure the other container isn't running or delete ${cidfile}`,
      );
    try {
      fd = openSync(cidfile, "wx");
    } catch (err) {
      throw new CliError(`failed to create the container ID file: ${(err as Error).message}`);
    }
  }
  let written = false;
  try {
    const image = body.Image ?? "";
    const ref = parseAnyReference(image);
    const pull = args.strings.get("pull") ?? "missing";
    const quiet = args.bools.get("quiet") === true;
    const platform = args.strings.get("platform") ?? "";
    if (pull === "always") await pullImage(ctx, image, platform, quiet);
    const name = args.strings.get("name") ?? "";
    const create = () => ctx.client.containers.create(body, { name, platform });
    let res;
    try {
      res = await create();
    } catch (err) {
      if (
        !(err instanceof ApiError) ||
        err.kind !== "not-found" ||
        ref.kind !== "named" ||
        pull !== "missing"
      )
        throw err;
      if (!quiet)
        ctx.stderr.write(`Unable to find image '${familiarString(withDefaultTag(ref.ref))}' locally\n`);
      await pullImage(ctx, image, platform, quiet);
      res = await create();
    }
    const warnings = [...(res.Warnings ?? [])];
    for (const d of body.HostConfig?.Dns ?? []) {
      if (/^127\.|^::1$/.test(d)) {
        warnings.push(`Localhost DNS (${d}) may fail in containers.`);
        break;
      }
    }
    for (const w of warnings) ctx.stderr.write(`WARNING: ${w}\n`);
    if (fd !== undefined) {
      writeSync(fd, res.Id);
      written = true;
    }
    return res.Id;
  } finally {
    if (fd !== undefined) {
      closeSync(fd);
      if (!written) rmSync(cidfile, { force: true });
    }
  }
}

/** docker's toStatusError: 127 for a missing command, 126 for one not executable, else 125. */
function toStatusError(err: unknown): CliError {
  if (err instanceof CliError && err.exitCode !== 1) return err;
  const text =
    err instanceof ApiError ? `Error response from daemon: ${err.message}` : (err as Error).message;
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(text))
    return withHelp(text, "run", 127);
  if (/permission denied|is a directory/.test(text)) return withHelp(text, "run", 126);
  return withHelp(text, "run", 125);
}

function checkTty(ctx: CliContext, attachStdin: boolean, tty: boolean): void {
  if (attachStdin && tty && !ctx.stdin.isTTY) throw new CliError("the input device is not a TTY");
}

async function runContainer(ctx: CliContext, args: ParsedArgs): Promise<number> {
  const parsed = parseOrThrow(ctx, args, "run", runUsage);
  const config = parsed.body;
  const detach = args.bools.get("detach") === true;
  if (!detach) checkTty(ctx, config.AttachStdin === true, config.Tty === true);
  else {
    if (parsed.attach.length > 0)
      throw new CliError("conflicting options: cannot specify both --attach and --detach");
    config.AttachStdin = false;
    config.AttachStdout = false;
    config.AttachStderr = false;
    config.StdinOnce = false;
  }
  let id: string;
  try {
    id = await createContainer(ctx, args, parsed);
  } catch (err) {
    throw toStatusError(err);
  }
  const undoSignals =
    args.bools.get("sig-proxy") !== false
      ? proxySignals((s) => ctx.client.containers.kill(id, s))
      : undefined;
  try {
    return await attachStartWait(ctx, args, id, config);
  } finally {
    undoSignals?.();
  }
}

async function attachStartWait(
  ctx: CliContext,
  args: ParsedArgs,
  id: string,
  config: ParsedContainer["body"],
): Promise<number> {
  const attach = config.AttachStdin === true || config.AttachStdout === true || config.AttachStderr === true;
  const tty = config.Tty === true;
  const autoRemove = config.HostConfig?.AutoRemove === true;
  let streaming: Promise<"ended" | "detached"> | undefined;
  let close: (() => void) | undefined;
  if (attach) {
    const detachKeys = detachKeysSetting(args.strings.get("detach-keys"), ctx.configDir);
    const conn = await ctx.client.containers.attach(id, {
      stream: true,
      stdin: config.AttachStdin,
      stdout: config.AttachStdout,
      stderr: config.AttachStderr,
      detachKeys,
    });
    close = () => conn.socket.destroy();
    streaming = streamHijacked(conn, {
      tty,
      ...(config.AttachStdin ? { stdin: ctx.stdin } : {}),
      ...(config.AttachStdout ? { stdout: ctx.stdout } : {}),
      ...(config.AttachStderr ? { stderr: tty ? ctx.stdout : ctx.stderr } : {}),
      detachKeys,
      warn: (t) => ctx.stderr.write(logrusLine("warning", t, isTty(ctx.stderr))),
    });
  }
  const waiter = await ctx.client.containers.waiter(id, autoRemove ? "removed" : "next-exit");
  // Detached: docker prints the ID while the start is under way, so it shows even if the start fails.
  if (!streaming) ctx.stdout.write(`${id}\n`);
  const status = waiter.result.then(
    (r) => {
      if (r.Error?.Message) {
        ctx.stderr.write(
          logrusLine("error", `Error waiting for container: ${r.Error.Message}`, isTty(ctx.stderr)),
        );
        return 125;
      }
      return r.StatusCode;
    },
    (err: unknown) => {
      ctx.stderr.write(
        logrusLine("error", `error waiting for container: ${(err as Error).message}`, isTty(ctx.stderr)),
      );
      return 125;
    },
  );
  try {
    await ctx.client.containers.start(id);
  } catch (err) {
    if (streaming) {
      close?.();
      await streaming;
    }
    if (autoRemove) await status;
    throw toStatusError(err);
  }
  if (!streaming) return 0;
  let stopResize: (() => void) | undefined;
  if (tty && ctx.stdout.isTTY) {
    stopResize = monitorTtySize(
      ctx.stdout,
      (size) => ctx.client.containers.resize(id, size),
      (t) => ctx.stderr.write(`${t}\n`),
    );
  }
  try {
    const first = await Promise.race([streaming.then((how) => ({ how })), status.then((code) => ({ code }))]);
    if ("how" in first) {
      if (first.how === "detached") return 0;
      return await status;
    }
    // The container exited: keep streaming until its output is read, unless none is attached.
    if (!config.AttachStdout && !config.AttachStderr) close?.();
    await streaming;
    return first.code;
  } finally {
    stopResize?.();
  }
}

export const run: CommandSpec = {
  path: ["container", "run"],
  aliases: [["run"]],
  usage: runUsage,
  description: "Create and run a new container from an image",
  flags: [...containerFlags, ...createOnlyFlags("running"), ...runOnlyFlags],
  args: { min: 1, max: Infinity },
  interspersed: false,
  async run(ctx, args) {
    return runContainer(ctx, args);
  },
};

export const create: CommandSpec = {
  path: ["container", "create"],
  aliases: [["create"]],
  usage: createUsage,
  description: "Create a new container",
  flags: [...containerFlags, ...createOnlyFlags("creating")],
  args: { min: 1, max: Infinity },
  interspersed: false,
  async run(ctx, args) {
    const parsed = parseOrThrow(ctx, args, "create", createUsage);
    const id = await createContainer(ctx, args, parsed);
    ctx.stdout.write(`${id}\n`);
    return 0;
  },
};
