/** `berth commit`: a new image from a container's changes. */
// The pure reference grammar only: the CLI splits REPOSITORY[:TAG] as docker's client does.
import { familiarName, parseNormalizedNamed } from "../../engine/images/reference.js";
import { CliError } from "../context.js";
import type { CommandSpec } from "../spec.js";

export const commit: CommandSpec = {
  path: ["container", "commit"],
  aliases: [["commit"]],
  usage: "container commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
  description: "Create a new image from a container's changes",
  flags: [
    {
      name: "author",
      short: "a",
      kind: "string",
      description: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")',
      valueName: "string",
    },
    {
      name: "change",
      short: "c",
      kind: "list",
      description: "Apply Dockerfile instruction to the created image",
      valueName: "list",
    },
    { name: "message", short: "m", kind: "string", description: "Commit message", valueName: "string" },
    {
      name: "pause",
      short: "p",
      kind: "bool",
      default: true,
      description: "Pause container during commit",
      showDefault: "true",
    },
  ],
  args: { min: 1, max: 2 },
  async run(ctx, args) {
    const [container = "", reference = ""] = args.positionals;
    let repo: string | undefined;
    let tag: string | undefined;
    if (reference !== "") {
      let ref;
      try {
        ref = parseNormalizedNamed(reference);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      if (ref.digest !== undefined) throw new CliError("refusing to create a tag with a digest reference");
      repo = familiarName(ref);
      tag = ref.tag ?? "latest";
    }
    const res = await ctx.client.containerExtras.commit({
      container,
      ...(repo !== undefined ? { repo } : {}),
      ...(tag !== undefined ? { tag } : {}),
      comment: args.strings.get("message") ?? "",
      author: args.strings.get("author") ?? "",
      pause: args.bools.get("pause") !== false,
      changes: args.lists.get("change") ?? [],
    });
    ctx.stdout.write(`${res.Id}\n`);
    return 0;
  },
};
