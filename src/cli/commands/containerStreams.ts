/**
 * logs, attach, exec: the commands that carry a container's streams, with
 * docker's flags, checks, exit codes and texts; `start -a` streams through
 * the same helpers.
 */
import type { Readable, Writable } from "node:stream";
import { Demuxer } from "../../api/stdcopy.js";
import { ApiError, type Upgraded } from "../../client/index.js";
import { CliError, type CliContext } from "../context.js";
import type { CommandSpec, FlagSpec } from "../spec.js";
import {
  detachKeysSetting,
  isTty,
  logrusLine,
  monitorTtySize,
  proxySignals,
  streamHijacked,
  ttySize,
} from "../streams.js";
import { parseKvFile, parseGoDuration, validateEnv } from "./containerOptsParse.js";

export const detachKeysFlag: FlagSpec = {
  name: "detach-keys",
  kind: "string",
  description: "Override the key sequence for detaching a container",
  valueName: "string",
};

/** A running container's stdout and stderr, and its stdin when `stdin`, as one hijacked stream. */
export function attachContainer(
  ctx: CliContext,
  ref: string,
  stdin: boolean,
  detachKeys: string,
): Promise<Upgraded> {
  return ctx.client.containers.attach(ref, { stream: true, stdin, stdout: true, stderr: true, detachKeys });
}

/**
 * Streams a hijacked connection through the CLI's own stdio (stdin only when
 * `stdin`; the error stream to `stderr`, the CLI's by default), with docker's
 * warning lines on the CLI's stderr.
 */
export function streamStdio(
  ctx: CliContext,
  conn: Upgraded,
  opts: { tty: boolean; stdin: boolean; detachKeys: string; stderr?: Writable },
): Promise<"ended" | "detached"> {
  return streamHijacked(conn, {
    tty: opts.tty,
    ...(opts.stdin ? { stdin: ctx.stdin } : {}),
    stdout: ctx.stdout,
    stderr: opts.stderr ?? ctx.stderr,
    detachKeys: opts.detachKeys,
    warn: (t) => ctx.stderr.write(logrusLine("warning", t, isTty(ctx.stderr))),
  });
}

/**
 * docker's timetypes.GetTimestamp: a Go duration back from now, a unix
 * time as is, or an RFC 3339-like date (local when it names no zone).
 */
export function apiTimestamp(value: string, now = Date.now()): string {
  if (value !== "0") {
    try {
      const ns = parseGoDuration(value);
      return String(Math.floor((now - ns / 1e6) / 1000));
    } catch {
      // Not a duration.
    }
  }
  if (/^[0-9]+(\.[0-9]{1,9})?$/.test(value)) return value;
  let text = value;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += "T00:00:00";
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(text)) text += ":00";
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || !value.includes("-"))
    throw new Error(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
  const frac = /\.(\d+)/.exec(value)?.[1] ?? "";
  const nanos = frac.padEnd(9, "0").slice(0, 9);
  return `${Math.floor(ms / 1000)}.${nanos}`;
}

/** Copies a logs body: raw with a TTY, stdcopy frames to stdout and stderr without. */
async function copyStream(body: Readable, tty: boolean, ctx: CliContext): Promise<void> {
  const demux = new Demuxer();
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (tty) ctx.stdout.write(chunk);
    else for (const f of demux.push(chunk)) (f.stream === 2 ? ctx.stderr : ctx.stdout).write(f.data);
  }
}

export const logs: CommandSpec = {
  path: ["container", "logs"],
  aliases: [["logs"]],
  usage: "logs [OPTIONS] CONTAINER",
  description: "Fetch the logs of a container",
  flags: [
    { name: "details", kind: "bool", description: "Show extra details provided to logs" },
    { name: "follow", short: "f", kind: "bool", description: "Follow log output" },
    {
      name: "since",
      kind: "string",
      valueName: "string",
      description:
        'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
    },
    {
      name: "tail",
      short: "n",
      kind: "string",
      valueName: "string",
      description: "Number of lines to show from the end of the logs",
      default: "all",
      showDefault: '"all"',
    },
    { name: "timestamps", short: "t", kind: "bool", description: "Show timestamps" },
    {
      name: "until",
      kind: "string",
      valueName: "string",
      description:
        'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
    },
  ],
  args: { min: 1, max: 1 },
  exactArgsMessage: true,
  async run(ctx, args) {
    const c = await ctx.client.containers.inspect(args.positionals[0]!);
    const stamp = (name: "since" | "until") => {
      const v = args.strings.get(name) ?? "";
      if (v === "") return undefined;
      try {
        return apiTimestamp(v);
      } catch (err) {
        throw new CliError(`invalid value for "${name}": ${(err as Error).message}`);
      }
    };
    const since = stamp("since");
    const until = stamp("until");
    const body = await ctx.client.containers.logs(c.Id, {
      stdout: true,
      stderr: true,
      follow: args.bools.get("follow") === true,
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
      timestamps: args.bools.get("timestamps") === true,
      tail: args.strings.get("tail") ?? "all",
      details: args.bools.get("details") === true,
    });
    await copyStream(body, c.Config.Tty === true, ctx);
    return 0;
  },
};

function checkTty(ctx: CliContext, attachStdin: boolean, tty: boolean): void {
  if (attachStdin && tty && !ctx.stdin.isTTY) throw new CliError("the input device is not a TTY");
}

async function attachableContainer(ctx: CliContext, ref: string) {
  const c = await ctx.client.containers.inspect(ref);
  if (!c.State.Running) throw new CliError("You cannot attach to a stopped container, start it first");
  if (c.State.Paused) throw new CliError("You cannot attach to a paused container, unpause it first");
  if (c.State.Restarting)
    throw new CliError("You cannot attach to a restarting container, wait until it is running");
  return c;
}

export const attach: CommandSpec = {
  path: ["container", "attach"],
  aliases: [["attach"]],
  usage: "attach [OPTIONS] CONTAINER",
  description: "Attach local standard input, output, and error streams to a running container",
  flags: [
    detachKeysFlag,
    { name: "no-stdin", kind: "bool", description: "Do not attach STDIN" },
    {
      name: "sig-proxy",
      kind: "bool",
      description: "Proxy all received signals to the process",
      default: true,
      showDefault: "true",
    },
  ],
  args: { min: 1, max: 1 },
  exactArgsMessage: true,
  async run(ctx, args) {
    const ref = args.positionals[0]!;
    // Registered first, as docker does; its failure only matters once the stream ends.
    const waiter = ctx.client.containers.waiter(ref);
    waiter.catch(() => undefined);
    const c = await attachableContainer(ctx, ref);
    const tty = c.Config.Tty === true;
    const noStdin = args.bools.get("no-stdin") === true;
    checkTty(ctx, !noStdin, tty);
    const detachKeys = detachKeysSetting(args.strings.get("detach-keys"), ctx.configDir);
    const stdin = !noStdin && c.Config.OpenStdin === true;
    const undoSignals =
      args.bools.get("sig-proxy") !== false && !tty
        ? proxySignals((s) => ctx.client.containers.kill(ref, s))
        : undefined;
    let stopResize: (() => void) | undefined;
    try {
      const conn = await attachContainer(ctx, ref, stdin, detachKeys);
      try {
        await attachableContainer(ctx, ref);
      } catch (err) {
        conn.socket.destroy();
        throw err;
      }
      if (tty && ctx.stdout.isTTY) {
        // docker nudges the size up by one first so a re-attached shell redraws its prompt.
        const { height: h, width: w } = ttySize(ctx.stdout);
        if (h !== 0 || w !== 0)
          await ctx.client.containers.resize(ref, { height: h + 1, width: w + 1 }).catch(() => undefined);
        stopResize = monitorTtySize(
          ctx.stdout,
          (size) => ctx.client.containers.resize(ref, size),
          () => undefined,
        );
      }
      const how = await streamStdio(ctx, conn, { tty, stdin, detachKeys });
      if (how === "detached") throw new CliError("read escape sequence");
    } finally {
      stopResize?.();
      undoSignals?.();
    }
    const r = await (await waiter).result;
    if (r.Error?.Message) throw new CliError(r.Error.Message);
    return r.StatusCode;
  },
};

export const exec: CommandSpec = {
  path: ["container", "exec"],
  aliases: [["exec"]],
  usage: "exec [OPTIONS] CONTAINER COMMAND [ARG...]",
  description: "Execute a command in a running container",
  flags: [
    { name: "detach", short: "d", kind: "bool", description: "Detached mode: run command in the background" },
    detachKeysFlag,
    { name: "env", short: "e", kind: "list", description: "Set environment variables", valueName: "list" },
    {
      name: "env-file",
      kind: "list",
      description: "Read in a file of environment variables",
      valueName: "list",
    },
    { name: "interactive", short: "i", kind: "bool", description: "Keep STDIN open even if not attached" },
    { name: "privileged", kind: "bool", description: "Give extended privileges to the command" },
    { name: "tty", short: "t", kind: "bool", description: "Allocate a pseudo-TTY" },
    {
      name: "user",
      short: "u",
      kind: "string",
      valueName: "string",
      description: 'Username or UID (format: "<name|uid>[:<group|gid>]")',
    },
    {
      name: "workdir",
      short: "w",
      kind: "string",
      valueName: "string",
      description: "Working directory inside the container",
    },
  ],
  args: { min: 2, max: Infinity },
  interspersed: false,
  async run(ctx, args) {
    const [ref, ...cmd] = args.positionals as [string, ...string[]];
    const env: string[] = [];
    for (const e of args.lists.get("env") ?? []) {
      try {
        env.push(validateEnv(e));
      } catch (err) {
        throw new CliError(
          `invalid argument "${e}" for "-e, --env" flag: ${(err as Error).message}\nSee 'berth exec --help'.`,
          125,
        );
      }
    }
    let fileEnv: string[];
    try {
      fileEnv = (args.lists.get("env-file") ?? []).flatMap((f) => parseKvFile(f, (k) => process.env[k]));
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const allEnv = [...fileEnv, ...env];
    const detach = args.bools.get("detach") === true;
    const tty = args.bools.get("tty") === true;
    const attachStdin = !detach && args.bools.get("interactive") === true;
    const detachKeys = detachKeysSetting(args.strings.get("detach-keys"), ctx.configDir);
    await ctx.client.containers.inspect(ref);
    if (!detach) checkTty(ctx, attachStdin, tty);
    const size = ttySize(ctx.stdout);
    const consoleSize: [number, number] | undefined = tty ? [size.height, size.width] : undefined;
    const created = await ctx.client.exec.create(ref, {
      User: args.strings.get("user") ?? "",
      Privileged: args.bools.get("privileged") === true,
      Tty: tty,
      ...(consoleSize ? { ConsoleSize: consoleSize } : {}),
      AttachStdin: attachStdin,
      AttachStderr: !detach,
      AttachStdout: !detach,
      Detach: detach,
      DetachKeys: detachKeys,
      Env: allEnv.length > 0 ? allEnv : null,
      WorkingDir: args.strings.get("workdir") ?? "",
      Cmd: cmd,
    });
    const id = created.Id;
    if (!id) throw new CliError("exec ID empty");
    const startBody = { Tty: tty, ...(consoleSize ? { ConsoleSize: consoleSize } : {}) };
    if (detach) {
      await ctx.client.exec.startDetached(id, startBody);
      return 0;
    }
    const conn = await ctx.client.exec.start(id, startBody);
    const stopResize =
      tty && ctx.stdin.isTTY && ctx.stdout.isTTY
        ? monitorTtySize(
            ctx.stdout,
            (size) => ctx.client.exec.resize(id, size),
            (t) => ctx.stderr.write(`${t}\n`),
          )
        : undefined;
    let how: "ended" | "detached";
    try {
      how = await streamStdio(ctx, conn, {
        tty,
        stdin: attachStdin,
        detachKeys,
        stderr: tty ? ctx.stdout : ctx.stderr,
      });
    } finally {
      stopResize?.();
    }
    if (how === "detached") throw new CliError("read escape sequence");
    try {
      const r = await ctx.client.exec.inspect(id);
      return r.ExitCode ?? 0;
    } catch (err) {
      if (err instanceof ApiError) throw err;
      return 255;
    }
  },
};

export const commands: CommandSpec[] = [logs, attach, exec];
