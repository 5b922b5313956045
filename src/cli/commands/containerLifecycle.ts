/**
 * start, stop, kill, restart, rm, pause, unpause, wait, rename: docker's
 * flags, the names echoed as given, and its error lines (exit 1 when any
 * container failed).
 */
import { ApiError } from "../../client/index.js";
import { CliError, type CliContext } from "../context.js";
import type { CommandSpec, FlagSpec, ParsedArgs } from "../spec.js";
import { detachKeysSetting, monitorTtySize, proxySignals } from "../streams.js";
import { attachContainer, detachKeysFlag, streamStdio } from "./containerStreams.js";

/** An error as docker's CLI prints it: the daemon's with its prefix, ours as is. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return `Error response from daemon: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * docker's parallelOperation: up to 50 at once, results taken in argument
 * order; each success prints the name as given, failures are joined at the end.
 */
export async function eachContainer(
  ctx: CliContext,
  refs: readonly string[],
  op: (ref: string) => Promise<void>,
  opts: { parallel?: boolean; onError?: (ref: string, err: unknown) => boolean } = {},
): Promise<number> {
  const limit = opts.parallel === false ? 1 : 50;
  const results: Promise<unknown>[] = [];
  let active = 0;
  const queue: (() => void)[] = [];
  const slot = () =>
    new Promise<void>((resolve) => {
      if (active < limit) {
        active++;
        resolve();
      } else queue.push(() => resolve());
    });
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else active--;
  };
  for (const ref of refs) {
    results.push(
      slot().then(() =>
        op(ref)
          .then(
            () => undefined,
            (err: unknown) => err ?? new Error("failed"),
          )
          .finally(release),
      ),
    );
    if (limit === 1) await results[results.length - 1];
  }
  const errors: string[] = [];
  for (let i = 0; i < refs.length; i++) {
    const err = await results[i];
    if (err === undefined) ctx.stdout.write(`${refs[i]}\n`);
    else if (!opts.onError?.(refs[i]!, err)) errors.push(errorText(err));
  }
  if (errors.length > 0) throw new CliError(errors.join("\n"));
  return 0;
}

const timeoutFlags: FlagSpec[] = [
  {
    name: "signal",
    short: "s",
    kind: "string",
    description: "Signal to send to the container",
    valueName: "string",
  },
  { name: "timeout", short: "t", kind: "int", description: "Seconds to wait before killing the container" },
  {
    name: "time",
    kind: "int",
    description: "Seconds to wait before killing the container (deprecated: use --timeout)",
    hidden: true,
  },
];

function stopOptions(args: ParsedArgs): { signal?: string; timeout?: number } {
  if (args.given.has("time") && args.given.has("timeout"))
    throw new CliError("conflicting options: cannot specify both --timeout and --time");
  const timeout = args.given.has("timeout")
    ? args.ints.get("timeout")
    : args.given.has("time")
      ? args.ints.get("time")
      : undefined;
  const signal = args.strings.get("signal");
  return { ...(signal ? { signal } : {}), ...(timeout !== undefined ? { timeout } : {}) };
}

export const stop: CommandSpec = {
  path: ["container", "stop"],
  aliases: [["stop"]],
  usage: "stop [OPTIONS] CONTAINER [CONTAINER...]",
  description: "Stop one or more running containers",
  flags: timeoutFlags,
  args: { min: 1, max: Infinity },
  async run(ctx, args) {
    if (args.given.has("time")) ctx.stdout.write("Flag --time has been deprecated, use --timeout instead\n");
    const opts = stopOptions(args);
    return eachContainer(ctx, args.positionals, (ref) => ctx.client.containers.stop(ref, opts));
  },
};

export const restart: CommandSpec = {
  path: ["container", "restart"],
  aliases: [["restart"]],
  usage: "restart [OPTIONS] CONTAINER [CONTAINER...]",
  description: "Restart one or more containers",
  flags: timeoutFlags,
  args: { min: 1, max: Infinity },
  async run(ctx, args) {
    if (args.given.has("time")) ctx.stdout.write("Flag --time has been deprecated, use --timeout instead\n");
    const opts = stopOptions(args);
    return eachContainer(ctx, args.positionals, (ref) => ctx.client.containers.restart(ref, opts), {
      parallel: false,
    });
  },
};

export const kill: CommandSpec = {
  path: ["container", "kill"],
  aliases: [["kill"]],
  usage: "kill [OPTIONS] CONTAINER [CONTAINER...]",
  description: "Kill one or more running containers",
  flags: [timeoutFlags[0]!],
  args: { min: 1, max: Infinity },
  async run(ctx, args) {
    const signal = args.strings.get("signal");
    return eachContainer(ctx, args.positionals, (ref) => ctx.client.containers.kill(ref, signal));
  },
};

export const remove: CommandSpec = {
  path: ["container", "rm"],
  aliases: [["rm"], ["container", "remove"]],
  usage: "rm [OPTIONS] CONTAINER [CONTAINER...]",
  description: "Remove one or more containers",
  flags: [
    {
      name: "force",
      short: "f",
      kind: "bool",
      description: "Force the removal of a running container (uses SIGKILL)",
    },
    { name: "link", short: "l", kind: "bool", description: "Remove the specified link" },
    {
      name: "volumes",
      short: "v",
      kind: "bool",
      description: "Remove anonymous volumes associated with the container",
    },
  ],
  args: { min: 1, max: Infinity },
  async run(ctx, args) {
    const force = args.bools.get("force") === true;
    return eachContainer(
      ctx,
      args.positionals,
      async (ref) => {
        const id = ref.replace(/^\/+|\/+$/g, "");
        if (id === "") throw new Error("container name cannot be empty");
        await ctx.client.containers.remove(id, {
          force,
          volumes: args.bools.get("volumes") === true,
          link: args.bools.get("link") === true,
        });
      },
      {
        onError: (_ref, err) => {
          if (!force || !(err instanceof ApiError) || err.kind !== "not-found") return false;
          ctx.stderr.write(`${errorText(err)}\n`);
          return true;
        },
      },
    );
  },
};

export const pause: CommandSpec = {
  path: ["container", "pause"],
  aliases: [["pause"]],
  usage: "pause CONTAINER [CONTAINER...]",
  description: "Pause all processes within one or more containers",
  flags: [],
  args: { min: 1, max: Infinity },
  run: (ctx, args) => eachContainer(ctx, args.positionals, (ref) => ctx.client.containers.pause(ref)),
};

export const unpause: CommandSpec = {
  path: ["container", "unpause"],
  aliases: [["unpause"]],
  usage: "unpause CONTAINER [CONTAINER...]",
  description: "Unpause all processes within one or more containers",
  flags: [],
  args: { min: 1, max: Infinity },
  run: (ctx, args) => eachContainer(ctx, args.positionals, (ref) => ctx.client.containers.unpause(ref)),
};

export const wait: CommandSpec = {
  path: ["container", "wait"],
  aliases: [["wait"]],
  usage: "wait CONTAINER [CONTAINER...]",
  description: "Block until one or more containers stop, then print their exit codes",
  flags: [],
  args: { min: 1, max: Infinity },
  async run(ctx, args) {
    const errors: string[] = [];
    for (const ref of args.positionals) {
      try {
        const r = await ctx.client.containers.wait(ref);
        ctx.stdout.write(`${r.StatusCode}\n`);
      } catch (err) {
        errors.push(errorText(err));
      }
    }
    if (errors.length > 0) throw new CliError(errors.join("\n"));
    return 0;
  },
};

export const rename: CommandSpec = {
  path: ["container", "rename"],
  aliases: [["rename"]],
  usage: "rename CONTAINER NEW_NAME",
  description: "Rename a container",
  flags: [],
  args: { min: 2, max: 2 },
  exactArgsMessage: true,
  async run(ctx, args) {
    const oldName = args.positionals[0]!.trim();
    const newName = args.positionals[1]!.trim();
    if (oldName === "" || newName === "") throw new CliError("Error: Neither old nor new names may be empty");
    try {
      await ctx.client.containers.rename(oldName, newName);
    } catch (err) {
      ctx.stderr.write(`${errorText(err)}\n`);
      throw new CliError(`Error: failed to rename container named ${oldName}`);
    }
    return 0;
  },
};

export const start: CommandSpec = {
  path: ["container", "start"],
  aliases: [["start"]],
  usage: "start [OPTIONS] CONTAINER [CONTAINER...]",
  description: "Start one or more stopped containers",
  flags: [
    { name: "attach", short: "a", kind: "bool", description: "Attach STDOUT/STDERR and forward signals" },
    {
      name: "checkpoint",
      kind: "string",
      description: "Restore from this checkpoint",
      valueName: "string",
      hidden: true,
    },
    {
      name: "checkpoint-dir",
      kind: "string",
      description: "Use a custom checkpoint storage directory",
      valueName: "string",
      hidden: true,
    },
    detachKeysFlag,
    { name: "interactive", short: "i", kind: "bool", description: "Attach container's STDIN" },
  ],
  args: { min: 1, max: Infinity },
  async run(ctx, args) {
    if (args.bools.get("attach") === true || args.bools.get("interactive") === true)
      return startAttached(ctx, args);
    if (args.strings.get("checkpoint")) throw new CliError("checkpoints are not supported by berth");
    const failed: string[] = [];
    for (const ref of args.positionals) {
      try {
        await ctx.client.containers.start(ref);
        ctx.stdout.write(`${ref}\n`);
      } catch (err) {
        ctx.stderr.write(`${errorText(err)}\n`);
        failed.push(ref);
      }
    }
    if (failed.length > 0) throw new CliError(`Error: failed to start containers: ${failed.join(", ")}`);
    return 0;
  },
};

async function startAttached(ctx: CliContext, args: ParsedArgs): Promise<number> {
  if (args.positionals.length > 1)
    throw new CliError("you cannot start and attach multiple containers at once");
  const c = await ctx.client.containers.inspect(args.positionals[0]!);
  const tty = c.Config.Tty === true;
  const undoSignals = tty ? undefined : proxySignals((s) => ctx.client.containers.kill(c.Id, s));
  try {
    const detachKeys = detachKeysSetting(args.strings.get("detach-keys"), ctx.configDir);
    const stdin = args.bools.get("interactive") === true && c.Config.OpenStdin === true;
    const conn = await attachContainer(ctx, c.Id, stdin, detachKeys);
    const streaming = streamStdio(ctx, conn, { tty, stdin, detachKeys });
    const waiter = await ctx.client.containers.waiter(
      c.Id,
      c.HostConfig.AutoRemove ? "removed" : "next-exit",
    );
    try {
      await ctx.client.containers.start(c.Id);
    } catch (err) {
      conn.socket.destroy();
      await streaming;
      if (c.HostConfig.AutoRemove) await waiter.result.catch(() => undefined);
      throw err;
    }
    const stopResize =
      tty && ctx.stdout.isTTY
        ? monitorTtySize(
            ctx.stdout,
            (size) => ctx.client.containers.resize(c.Id, size),
            (t) => ctx.stderr.write(`${t}\n`),
          )
        : undefined;
    try {
      if ((await streaming) === "detached") return 0;
    } finally {
      stopResize?.();
    }
    return await waiter.result.then(
      (r) => r.StatusCode,
      () => 125,
    );
  } finally {
    undoSignals?.();
  }
}

export const commands: CommandSpec[] = [start, stop, restart, kill, remove, pause, unpause, wait, rename];
