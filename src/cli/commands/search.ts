/** search: the registry's search API, as a table or --format. */
import type { SearchResultWire } from "../../api/types/distribution.js";
import { renderRows } from "../format/index.js";
import type { CommandSpec } from "../spec.js";
import { parseFilterFlags } from "./images.js";
import { credentialsFor } from "./login.js";

export const search: CommandSpec = {
  path: ["search"],
  usage: "search [OPTIONS] TERM",
  description: "Search Docker Hub for images",
  flags: [
    {
      name: "filter",
      short: "f",
      kind: "list",
      description: "Filter output based on conditions provided",
      valueName: "filter",
    },
    {
      name: "format",
      kind: "string",
      description: "Pretty-print search using a Go template",
      valueName: "string",
    },
    { name: "limit", kind: "int", description: "Max number of search results", valueName: "int" },
    { name: "no-trunc", kind: "bool", description: "Don't truncate output" },
  ],
  args: { min: 1, max: 1 },
  exactArgsMessage: true,
  async run(ctx, args) {
    const term = args.positionals[0]!;
    const slash = term.indexOf("/");
    const first = slash < 0 ? "" : term.slice(0, slash);
    const domain = first.includes(".") || first.includes(":") || first === "localhost" ? first : "docker.io";
    const auth = await credentialsFor(ctx.configDir, domain);
    const limit = args.ints.get("limit");
    const results: SearchResultWire[] = await ctx.client.distribution.search({
      term,
      ...(limit !== undefined && limit !== 0 ? { limit } : {}),
      filters: parseFilterFlags(args.lists.get("filter") ?? []),
      ...(auth ? { auth } : {}),
    });
    const noTrunc = args.bools.get("no-trunc") === true;
    const rows = results.map((r) => {
      let desc = r.description.replace(/\n/g, " ");
      if (!noTrunc && [...desc].length > 45) desc = [...desc].slice(0, 44).join("") + "…";
      return {
        Name: r.name,
        Description: desc,
        StarCount: String(r.star_count),
        IsOfficial: r.is_official ? "[OK]" : "",
        IsAutomated: r.is_automated ? "[OK]" : "",
      };
    });
    ctx.stdout.write(
      renderRows({
        rows,
        format: args.strings.get("format") ?? "",
        defaultTable: "table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}",
        headers: {
          Name: "NAME",
          Description: "DESCRIPTION",
          StarCount: "STARS",
          IsOfficial: "OFFICIAL",
          IsAutomated: "AUTOMATED",
        },
      }),
    );
    return 0;
  },
};
