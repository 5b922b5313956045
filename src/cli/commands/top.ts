/** `berth top`: the container's processes as the host's ps shows them. */
import { tabwrite } from "../format/index.js";
import type { CommandSpec } from "../spec.js";

export const top: CommandSpec = {
  path: ["container", "top"],
  aliases: [["top"]],
  usage: "container top CONTAINER [ps OPTIONS]",
  description: "Display the running processes of a container",
  flags: [],
  args: { min: 1, max: Number.MAX_SAFE_INTEGER },
  // Everything after the container goes to ps, dashes included.
  interspersed: false,
  async run(ctx, args) {
    const [container = "", ...ps] = args.positionals;
    const r = await ctx.client.containerExtras.top(container, ps.length > 0 ? ps.join(" ") : undefined);
    const lines = [r.Titles.join("\t"), ...r.Processes.map((p) => p.join("\t"))].map((l) => `${l}\n`);
    // docker top's tabwriter: minwidth 20, padding 3.
    ctx.stdout.write(tabwrite(lines.join(""), { minwidth: 20, tabwidth: 1, padding: 3, padchar: " " }));
    return 0;
  },
};
