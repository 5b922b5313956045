/** import, load, save: images in and out as tar archives. */
import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseNormalizedNamed } from "../../engine/images/reference.js";
import { CliError } from "../context.js";
import type { CommandSpec } from "../spec.js";
import { displayJsonMessages } from "./imageProgress.js";
import { tarOutputFlag, tarOutputPath } from "./tarOutput.js";

function noSuchFile(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  return (err as Error).message;
}

/** Opens the archive file at `path`; a missing or unreadable one is an error in docker's words. */
async function openArchive(path: string): Promise<Readable> {
  const body = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    body.once("open", () => resolve());
    body.once("error", (err) => reject(new CliError(`open ${path}: ${noSuchFile(err)}`)));
  });
  return body;
}

export const importImage: CommandSpec = {
  path: ["image", "import"],
  aliases: [["import"]],
  usage: "image import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
  description: "Import the contents from a tarball to create a filesystem image",
  flags: [
    {
      name: "change",
      short: "c",
      kind: "list",
      description: "Apply Dockerfile instruction to the created image",
      valueName: "list",
    },
    {
      name: "message",
      short: "m",
      kind: "string",
      description: "Set commit message for imported image",
      valueName: "string",
    },
    {
      name: "platform",
      kind: "string",
      description: "Set platform if server is multi-platform capable",
      valueName: "string",
    },
  ],
  args: { min: 1, max: 2 },
  async run(ctx, args) {
    const [source, ref] = args.positionals as [string, string | undefined];
    if (ref !== undefined) {
      try {
        parseNormalizedNamed(ref);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
    }
    let body: Readable | undefined;
    let fromSrc = "-";
    if (source === "-") body = ctx.stdin;
    else if (/^https?:\/\//.test(source)) fromSrc = source;
    else body = await openArchive(source);
    const messages = ctx.client.images.import({
      fromSrc,
      body,
      repo: ref ?? "",
      message: args.strings.get("message") ?? "",
      changes: args.lists.get("change") ?? [],
    });
    await displayJsonMessages(messages, ctx.stdout);
    return 0;
  },
};

export const load: CommandSpec = {
  path: ["image", "load"],
  aliases: [["load"]],
  usage: "image load [OPTIONS]",
  description: "Load an image from a tar archive or STDIN",
  flags: [
    {
      name: "input",
      short: "i",
      kind: "string",
      description: "Read from tar archive file, instead of STDIN",
      valueName: "string",
    },
    { name: "quiet", short: "q", kind: "bool", description: "Suppress the load output" },
  ],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const input = args.strings.get("input");
    let body: Readable;
    if (input !== undefined && input !== "") body = await openArchive(input);
    else {
      if (ctx.stdin.isTTY === true) {
        throw new CliError("requested load from stdin, but stdin is empty");
      }
      body = ctx.stdin;
    }
    const quiet = args.bools.get("quiet") === true || ctx.stdout.isTTY !== true;
    await displayJsonMessages(ctx.client.images.load(body, quiet), ctx.stdout);
    return 0;
  },
};

export const save: CommandSpec = {
  path: ["image", "save"],
  aliases: [["save"]],
  usage: "image save [OPTIONS] IMAGE [IMAGE...]",
  description: "Save one or more images to a tar archive (streamed to STDOUT by default)",
  flags: [tarOutputFlag],
  args: { min: 1, max: Infinity },
  async run(ctx, args) {
    const output = tarOutputPath(ctx, args);
    const tar = await ctx.client.images.save(args.positionals);
    if (output === "") {
      await pipeline(tar, ctx.stdout, { end: false });
      return 0;
    }
    // Like docker: write beside the target, then rename, so a failed save leaves no half file.
    const tmp = join(dirname(output), `.${basename(output)}.${process.pid}.tmp`);
    try {
      await pipeline(tar, createWriteStream(tmp, { mode: 0o600 }));
      await rename(tmp, output);
    } catch (err) {
      await rm(tmp, { force: true });
      if ((err as { code?: string }).code !== undefined)
        throw new CliError(`failed to save image: ${(err as Error).message}`);
      throw err;
    }
    return 0;
  },
};
