/** `berth export`: a container's filesystem as a tar archive. */
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { CliError } from "../context.js";
import type { CommandSpec } from "../spec.js";

export const exportContainer: CommandSpec = {
  path: ["container", "export"],
  aliases: [["export"]],
  usage: "container export [OPTIONS] CONTAINER",
  description: "Export a container's filesystem as a tar archive",
  flags: [
    {
      name: "output",
      short: "o",
      kind: "string",
      description: "Write to a file, instead of STDOUT",
      valueName: "string",
    },
  ],
  args: { min: 1, max: 1 },
  exactArgsMessage: true,
  async run(ctx, args) {
    const output = args.strings.get("output") ?? "";
    if (output === "" && ctx.stdout.isTTY === true) {
      throw new CliError("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    }
    const tar = await ctx.client.containerExtras.export(args.positionals[0] ?? "");
    await pipeline(tar, output === "" ? ctx.stdout : createWriteStream(output));
    return 0;
  },
};
