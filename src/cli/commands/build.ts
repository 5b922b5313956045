/**
 * berth build: the classic builder through POST /build. Plain lines like the classic docker
 * CLI when stdout is not a terminal (or --progress=plain); on a terminal, a compact view that
 * folds the container bookkeeping lines into the step they belong to.
 */
import { existsSync } from "node:fs";
import { writeFile, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import type { BuildMessageWire } from "../../api/types/build.js";
import type { BuildRequest } from "../../client/build.js";
import { isGitUrl } from "../../engine/build/gitUrl.js";
import { CliError, ExitStatus, type CliContext } from "../context.js";
import { humanSize, ramInBytes } from "../format/units.js"; // not index.js: the template engine is not needed here
import type { CommandSpec, FlagSpec, ParsedArgs } from "../spec.js";
import { TtyBuildView } from "./buildTty.js";
import { JsonMessagePrinter } from "./imageProgress.js";
// Types only: the modules load when a build runs (tar-stream is not needed by other commands).
import type { ContextEntry, WalkedContext } from "./buildContext.js";
import type { SessionExtras } from "./buildSession.js";

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

/** Stdin as a stream, after reading enough of it to tell an archive from a Dockerfile. */
async function sniffStdin(
  ctx: CliContext,
): Promise<{ head: Buffer; rest: AsyncIterator<unknown> | undefined }> {
  const it = (ctx.stdin as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < 262) {
    const r = await it.next();
    if (r.done) return { head: Buffer.concat(chunks), rest: undefined };
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as string);
    chunks.push(b);
    size += b.length;
  }
  return { head: Buffer.concat(chunks), rest: it };
}

async function readRest(head: Buffer, rest: AsyncIterator<unknown> | undefined): Promise<Buffer> {
  const chunks = [head];
  for (let r = await rest?.next(); r !== undefined && !r.done; r = await rest?.next())
    chunks.push(Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as string));
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

type Source =
  | { kind: "dir"; walked: WalkedContext }
  | { kind: "body"; body: Readable | Buffer }
  | { kind: "remote"; remote: string };

async function sourceOf(
  ctx: CliContext,
  source: string,
  file: string | undefined,
): Promise<{ src: Source; dockerfile: string | undefined }> {
  const dfFromStdin = file === "-";
  const { looksLikeArchive, walkContext } = await import("./buildContext.js");
  if (source === "-") {
    if (dfFromStdin)
      throw new CliError("invalid argument: can't use stdin for both build context and dockerfile");
    const { head, rest } = await sniffStdin(ctx);
    if (!looksLikeArchive(head))
      return {
        src: {
          kind: "body",
          body: (await import("./buildTar.js")).dockerfileContext(await readRest(head, rest)),
        },
        dockerfile: undefined,
      };
    const body = Readable.from(
      (async function* () {
        yield head;
        for (let r = await rest?.next(); r !== undefined && !r.done; r = await rest?.next()) yield r.value;
      })(),
    );
    return { src: { kind: "body", body }, dockerfile: file };
  }
  // docker's order: a local path wins over a git URL prefix (github.com/…), then URLs; the
  // daemon clones git URLs and downloads the others.
  if (/^https?:\/\//.test(source) || (isGitUrl(source) && !existsSync(source)))
    return { src: { kind: "remote", remote: source }, dockerfile: file };
  const text = dfFromStdin
    ? (
        await readRest(Buffer.alloc(0), (ctx.stdin as AsyncIterable<unknown>)[Symbol.asyncIterator]())
      ).toString("utf8")
    : undefined;
  try {
    const walked = walkContext(source, dfFromStdin ? undefined : file, text);
    return { src: { kind: "dir", walked }, dockerfile: walked.dockerfile };
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

/** Bytes of a tar of these entries (headers, padded content, trailer), for the progress line. */
function tarSize(entries: readonly ContextEntry[]): number {
  let n = 1024;
  for (const e of entries) n += 512 + Math.ceil(e.size / 512) * 512;
  return n;
}

/**
 * The body of POST /build: with a build session (berthd), a tar of the files the daemon
 * lacks; otherwise the whole context. Sets `req.session`; returns the body and its size.
 */
async function bodyOf(
  ctx: CliContext,
  source: string,
  src: Source,
  req: BuildRequest,
  extras: SessionExtras | undefined,
): Promise<{ body: Readable | Buffer | undefined; size: number | undefined }> {
  const { contextKey, manifestOf, openSession } = await import("./buildSession.js");
  const useSession = src.kind === "dir" && process.env.BERTH_BUILD_SESSION !== "0";
  if (useSession || extras !== undefined) {
    const opened = await openSession(ctx, {
      key: src.kind === "dir" ? contextKey(source) : "",
      ...(useSession && src.kind === "dir" ? { manifest: manifestOf(src.walked.entries) } : {}),
      ...(extras ?? {}),
    });
    if (opened === undefined && extras !== undefined)
      throw new CliError("--secret and --ssh need berthd: this daemon has no build sessions");
    if (opened !== undefined) {
      req.session = opened.id;
      if (useSession && src.kind === "dir") {
        const { packEntries } = await import("./buildTar.js");
        const need = new Set(opened.need);
        const sent = src.walked.entries.filter((e) => need.has(e.path));
        return {
          body: need.size === 0 ? undefined : packEntries(src.walked.entries, need),
          size: need.size === 0 ? 0 : tarSize(sent),
        };
      }
    }
  }
  if (src.kind === "remote") return { body: undefined, size: undefined };
  if (src.kind === "body")
    return { body: src.body, size: Buffer.isBuffer(src.body) ? src.body.length : undefined };
  const { packEntries } = await import("./buildTar.js");
  return { body: packEntries(src.walked.entries), size: tarSize(src.walked.entries) };
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
  const pulls = new JsonMessagePrinter(ctx.stdout);
  const view = mode === "tty" ? new TtyBuildView(ctx.stdout) : undefined;
  for await (const m of messages) {
    if (m.aux?.ID) id = m.aux.ID;
    if (m.errorDetail !== undefined || m.error !== undefined) {
      view?.finish(true);
      if (mode === "quiet" && quietOut !== "") ctx.stderr.write(quietOut);
      ctx.stderr.write(`${m.errorDetail?.message ?? m.error ?? "unknown error"}\n`);
      throw new ExitStatus(m.errorDetail?.code ?? 1);
    }
    const s = m.stream;
    if (s === undefined) {
      // A base image being pulled: docker pull's lines.
      if (m.status !== undefined && mode !== "quiet") {
        if (view) view.above(() => pulls.print(m));
        else pulls.print(m);
      }
      continue;
    }
    if (mode === "quiet") quietOut += s;
    else if (view) view.stream(s);
    else ctx.stdout.write(s);
  }
  view?.finish(false);
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
    list("secret", 'Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")'),
    list("ssh", 'SSH agent socket to expose to the build (format: "default|<id>[=<socket>]")'),
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
    const logins = await (await import("./login.js")).allCredentials(ctx.configDir);
    if (Object.keys(logins).length > 0) req.registryConfig = logins;
    const mode: "plain" | "tty" | "quiet" = req.quiet
      ? "quiet"
      : progress === "tty" || (progress === "auto" && ctx.stdout.isTTY === true)
        ? "tty"
        : "plain";
    let extras: SessionExtras | undefined;
    const secretFlags = args.lists.get("secret") ?? [];
    const sshFlags = args.lists.get("ssh") ?? [];
    if (secretFlags.length > 0 || sshFlags.length > 0)
      extras = (await import("./buildSession.js")).sessionExtras(secretFlags, sshFlags);
    // The version handshake runs while the context is read (a failure shows on the next call).
    const handshake = ctx.client.transport.negotiate().catch(() => undefined);
    const { src, dockerfile } = await sourceOf(ctx, source, args.strings.get("file"));
    await handshake;
    if (dockerfile !== undefined) req.dockerfile = dockerfile;
    if (src.kind === "remote") req.remote = src.remote;
    const { body, size } = await bodyOf(ctx, source, src, req, extras);
    if (mode !== "quiet" && size !== undefined)
      ctx.stdout.write(`Sending build context to Docker daemon  ${humanSize(size, 4)}\n`);
    const built = display(ctx, ctx.client.build.build(req, body), mode);
    // A context that cannot be read to the end (a file changed or vanished) ends the command;
    // the daemon sees the request cut short and throws the partial context away.
    const id =
      body instanceof Readable
        ? await Promise.race([
            built,
            new Promise<never>((_, reject) =>
              body.once("error", (err) =>
                reject(new CliError(`error sending the build context: ${err.message}`)),
              ),
            ),
          ])
        : await built;
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
