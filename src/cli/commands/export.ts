/** `berth export`: a container's filesystem as a tar archive. */
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import type { CommandSpec } from "../spec.js";
import { tarOutputFlag, tarOutputPath } from "./tarOutput.js";

export const exportContainer: CommandSpec = {
  path: ["container", "export"],
  aliases: [["export"]],
  usage: "container export [OPTIONS] CONTAINER",
  description: "Export a container's filesystem as a tar archive",
  flags: [tarOutputFlag],
  args: { min: 1, max: 1 },
  exactArgsMessage: true,
  async run(ctx, args) {
    const output = tarOutputPath(ctx, args);
    const tar = await ctx.client.containerExtras.export(args.positionals[0] ?? "");
    await pipeline(tar, output === "" ? ctx.stdout : createWriteStream(output));
    return 0;
  },
};
