/** push: upload an image (or every tag of a repository) to its registry. */
import { familiarName, referenceString } from "../../engine/images/reference.js";
import { CliError } from "../context.js";
import type { CommandSpec } from "../spec.js";
import { credentialsFor } from "./login.js";
import { displayMessages, drainMessages, parseNameArg, withLatestTag } from "./pull.js";

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
    const all = args.bools.get("all-tags") === true;
    const quiet = args.bools.get("quiet") === true;
    let ref = parseNameArg(args.positionals[0]!);
    if (all && ref.tag !== undefined) throw new CliError("tag can't be used with --all-tags/-a");
    if (ref.digest !== undefined) throw new CliError("cannot push a digest reference");
    if (!all) ref = withLatestTag(ctx, ref, quiet);
    const auth = await credentialsFor(ctx.configDir, ref.domain);
    const messages = ctx.client.distribution.push({
      name: familiarName(ref),
      tag: ref.tag ?? "",
      ...(auth ? { auth } : {}),
    });
    if (quiet) {
      await drainMessages(messages);
      ctx.stdout.write(`${referenceString(ref)}\n`);
      return 0;
    }
    await displayMessages(messages, ctx.stdout);
    return 0;
  },
};
