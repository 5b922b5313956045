/**
 * berth build: the classic builder through POST /build. Plain lines like the classic docker
 * CLI when stdout is not a terminal (or --progress=plain); on a terminal, a compact view that
 * folds the container bookkeeping lines into the step they belong to.
 */
import { writeFile, rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { BuildMessageWire } from "../../api/types/build.js";
import type { BuildRequest } from "../../client/build.js";
import { CliError, ExitStatus, type CliContext } from "../context.js";
import { humanSize, ramInBytes } from "../format/index.js";
import type { CommandSpec, FlagSpec, ParsedArgs } from "../spec.js";
import { dockerfileContext, looksLikeArchive, packDirectory } from "./buildContext.js";

const str = (name: string, description: string, short?: string, valueName = "string"): FlagSpec => ({
  name,
  kind: "string",
  description,
  valueName,
  ...(short ? { short } : {}),
});
const list = (name: string, description: string, short?: string): FlagSpec => ({
  name,
  kind: "list",
  description,
  valueName: "list",
  ...(short ? { short } : {}),
});
const bool = (name: string, description: string, short?: string, dflt?: boolean): FlagSpec => ({
  name,
  kind: "bool",
  description,
  ...(short ? { short } : {}),
  ...(dflt !== undefined ? { default: dflt } : {}),
});

async function readStdin(ctx: CliContext): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of ctx.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

function keyValues(items: readonly string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq === 0) throw new CliError(`invalid ${what}: ${item}`);
    // `--build-arg NAME` takes the value from the environment, as docker does.
    if (eq < 0) {
      const v = process.env[item];
      if (v !== undefined) out[item] = v;
    } else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

async function contextOf(
  ctx: CliContext,
  source: string,
  file: string | undefined,
): Promise<{ body: Buffer | Readable | undefined; dockerfile: string | undefined; remote?: string }> {
  const dfFromStdin = file === "-";
  if (source === "-") {
    if (dfFromStdin)
      throw new CliError("invalid argument: can't use stdin for both build context and dockerfile");
    const input = await readStdin(ctx);
    if (looksLikeArchive(input)) return { body: input, dockerfile: file };
    return { body: await dockerfileContext(input), dockerfile: undefined };
  }
  if (/^https?:\/\//.test(source) || /^git@|^git:\/\//.test(source))
    return { body: undefined, dockerfile: file, remote: source };
  const text = dfFromStdin ? (await readStdin(ctx)).toString("utf8") : undefined;
  try {
    const packed = await packDirectory(source, dfFromStdin ? undefined : file, text);
    return { body: packed.tar, dockerfile: packed.dockerfile };
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

function request(args: ParsedArgs): BuildRequest {
  const memory = args.strings.get("memory");
  const shm = args.strings.get("shm-size");
  return {
    tags: args.lists.get("tag") ?? [],
    buildArgs: keyValues(args.lists.get("build-arg") ?? [], "build-arg"),
    labels: keyValues(args.lists.get("label") ?? [], "label"),
    ...(args.strings.get("target") ? { target: args.strings.get("target") } : {}),
    noCache: args.bools.get("no-cache") === true,
    cacheFrom: args.lists.get("cache-from") ?? [],
    pull: args.bools.get("pull") === true,
    rm: args.bools.get("rm") !== false,
    forceRm: args.bools.get("force-rm") === true,
    networkMode: args.strings.get("network") ?? "default",
    ...(memory ? { memory: ramInBytes(memory) } : {}),
    ...(shm ? { shmSize: ramInBytes(shm) } : {}),
    extraHosts: args.lists.get("add-host") ?? [],
    quiet: args.bools.get("quiet") === true || args.strings.get("progress") === "quiet",
    platform: args.strings.get("platform") ?? "",
  };
}

/** Draws the stream; returns the image ID. Errors end the command with RUN's exit code. */
async function display(
  ctx: CliContext,
  messages: AsyncIterable<BuildMessageWire>,
  mode: "plain" | "tty" | "quiet",
): Promise<string> {
  let id = "";
  let quietOut = "";
  for await (const m of messages) {
    if (m.aux?.ID) id = m.aux.ID;
    if (m.errorDetail !== undefined || m.error !== undefined) {
      if (mode === "quiet" && quietOut !== "") ctx.stderr.write(quietOut);
      ctx.stderr.write(`${m.errorDetail?.message ?? m.error ?? "unknown error"}\n`);
      throw new ExitStatus(m.errorDetail?.code ?? 1);
    }
    const s = m.stream;
    if (s === undefined) continue;
    if (mode === "quiet") {
      quietOut += s;
      continue;
    }
    if (mode === "tty") {
      if (/^( ---> Running in |Removing intermediate container )/.test(s)) continue;
      if (s === " ---> Using cache\n") {
        ctx.stdout.write("\x1b[2m ---> cached\x1b[0m\n");
        continue;
      }
      if (s.startsWith("Step ")) {
        ctx.stdout.write(`\x1b[1m${s}\x1b[0m`);
        continue;
      }
    }
    ctx.stdout.write(s);
  }
  if (mode === "quiet") {
    const printed = quietOut.trim().split("\n").pop() ?? id;
    ctx.stdout.write(`${printed || id}\n`);
  }
  return id;
}

export const build: CommandSpec = {
  path: ["image", "build"],
  aliases: [["build"], ["builder", "build"]],
  usage: "image build [OPTIONS] PATH | URL | -",
  description: "Build an image from a Dockerfile",
  flags: [
    list("add-host", "Add a custom host-to-IP mapping (host:ip)"),
    list("build-arg", "Set build-time variables"),
    list("cache-from", "Images to consider as cache sources"),
    str("file", "Name of the Dockerfile (Default is 'PATH/Dockerfile')", "f"),
    bool("force-rm", "Always remove intermediate containers"),
    str("iidfile", "Write the image ID to the file"),
    list("label", "Set metadata for an image"),
    str("memory", "Memory limit", "m", "bytes"),
    str("network", "Set the networking mode for the RUN instructions during build", undefined),
    bool("no-cache", "Do not use cache when building the image"),
    str("platform", "Set platform if server is multi-platform capable"),
    str("progress", "Set type of progress output (auto, plain, tty, quiet)"),
    bool("pull", "Always attempt to pull a newer version of the image"),
    bool("quiet", "Suppress the build output and print image ID on success", "q"),
    bool("rm", "Remove intermediate containers after a successful build", undefined, true),
    str("shm-size", "Size of /dev/shm", undefined, "bytes"),
    list("tag", "Name and optionally a tag in the 'name:tag' format", "t"),
    str("target", "Set the target build stage to build."),
  ],
  args: { min: 1, max: 1 },
  exactArgsMessage: true,
  async run(ctx, args) {
    const source = args.positionals[0] as string;
    const iidfile = args.strings.get("iidfile");
    if (iidfile) await rm(iidfile, { force: true });
    const progress = args.strings.get("progress") ?? "auto";
    if (!["auto", "plain", "tty", "quiet"].includes(progress))
      throw new CliError(`invalid progress mode: ${progress}`);
    const req = request(args);
    const mode: "plain" | "tty" | "quiet" = req.quiet
      ? "quiet"
      : progress === "tty" || (progress === "auto" && ctx.stdout.isTTY === true)
        ? "tty"
        : "plain";
    const c = await contextOf(ctx, source, args.strings.get("file"));
    if (c.dockerfile !== undefined) req.dockerfile = c.dockerfile;
    if (c.remote !== undefined) req.remote = c.remote;
    if (mode !== "quiet" && Buffer.isBuffer(c.body))
      ctx.stdout.write(`Sending build context to Docker daemon  ${humanSize(c.body.length, 4)}\n`);
    const id = await display(ctx, ctx.client.build.build(req, c.body), mode);
    if (iidfile && id) await writeFile(iidfile, id);
    return 0;
  },
};

export const prune: CommandSpec = {
  path: ["builder", "prune"],
  usage: "builder prune",
  description: "Remove build cache",
  flags: [
    bool("all", "Remove all unused build cache, not just dangling ones", "a"),
    bool("force", "Do not prompt for confirmation", "f"),
  ],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const r = await ctx.client.build.prune(args.bools.get("all") === true);
    if (r.CachesDeleted && r.CachesDeleted.length > 0)
      ctx.stdout.write(`Deleted build cache objects:\n${r.CachesDeleted.join("\n")}\n\n`);
    ctx.stdout.write(`Total reclaimed space: ${humanSize(r.SpaceReclaimed, 4)}\n`);
    return 0;
  },
};

export const commands: CommandSpec[] = [build, prune];
