/** `berth diff`: changes to files or directories on a container's filesystem. */
import type { CommandSpec } from "../spec.js";

const kinds = ["C", "A", "D"] as const;

export const diff: CommandSpec = {
  path: ["container", "diff"],
  aliases: [["diff"]],
  usage: "container diff CONTAINER",
  description: "Inspect changes to files or directories on a container's filesystem",
  flags: [],
  args: { min: 1, max: 1 },
  exactArgsMessage: true,
  async run(ctx, args) {
    const changes = (await ctx.client.containerExtras.changes(args.positionals[0] ?? "")) ?? [];
    for (const c of changes) ctx.stdout.write(`${kinds[c.Kind] ?? "?"} ${c.Path}\n`);
    return 0;
  },
};
