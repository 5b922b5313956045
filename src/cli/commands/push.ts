/** push: upload an image (or every tag of a repository) to its registry. */
import { familiarName, parseNormalizedNamed, referenceString } from "../../engine/images/reference.js";
import { CliError } from "../context.js";
import type { CommandSpec } from "../spec.js";
import { credentialsFor } from "./login.js";
import { displayMessages } from "./pull.js";

export const push: CommandSpec = {
  path: ["image", "push"],
  aliases: [["push"]],
  usage: "image push [OPTIONS] NAME[:TAG]",
  description: "Upload an image to a registry",
  flags: [
    {
      name: "all-tags",
      short: "a",
      kind: "bool",
      description: "Push all tags of an image to the repository",
    },
    {
      name: "disable-content-trust",
      kind: "bool",
      description: "Skip image signing",
      default: true,
      showDefault: "true",
    },
    { name: "quiet", short: "q", kind: "bool", description: "Suppress verbose output" },
  ],
  args: { min: 1, max: 1 },
  exactArgsMessage: true,
  async run(ctx, args) {
    const name = args.positionals[0]!;
    const all = args.bools.get("all-tags") === true;
    const quiet = args.bools.get("quiet") === true;
    let ref;
    try {
      ref = parseNormalizedNamed(name);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    if (all && ref.tag !== undefined) throw new CliError("tag can't be used with --all-tags/-a");
    if (ref.digest !== undefined) throw new CliError("cannot push a digest reference");
    if (!all && ref.tag === undefined) {
      ref = { ...ref, tag: "latest" };
      if (!quiet) ctx.stdout.write("Using default tag: latest\n");
    }
    const auth = await credentialsFor(ctx.configDir, ref.domain);
    const messages = ctx.client.distribution.push({
      name: familiarName(ref),
      tag: ref.tag ?? "",
      ...(auth ? { auth } : {}),
    });
    if (quiet) {
      for await (const m of messages) {
        if (m.error !== undefined || m.errorDetail !== undefined) {
          throw new CliError(m.errorDetail?.message ?? m.error ?? "unknown error");
        }
      }
      ctx.stdout.write(`${referenceString(ref)}\n`);
      return 0;
    }
    await displayMessages(messages, ctx.stdout);
    return 0;
  },
};
