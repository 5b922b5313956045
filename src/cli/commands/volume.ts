/** volume create, ls, inspect, rm, prune: docker's flags, texts and exit codes. */
import { ApiError } from "../../client/index.js";
import { UsageError } from "../args.js";
import { inspectAll, inspectFormatFlag } from "../inspectAll.js";
import { CliError } from "../context.js";
import { humanSize } from "../format/index.js";
import type { CommandSpec } from "../spec.js";
import { parseFilterFlags, pruneConfirmed, pruneFlags } from "./images.js";
import { renderVolumes } from "./volumeFormat.js";

/** docker's MapOpts: "k=v", or "k" for an empty value. */
function keyValues(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf("=");
    if (eq < 0) out[v] = "";
    else out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

/** docker's ValidateLabel, then ConvertKVStringsToMap. */
function labelMap(values: readonly string[]): Record<string, string> {
  for (const v of values) {
    const eq = v.indexOf("=");
    if ((eq < 0 ? v : v.slice(0, eq)).trim() === "") {
      throw new UsageError(`invalid argument "${v}" for "--label" flag: invalid label '${v}': empty name`);
    }
  }
  return keyValues(values);
}

export const create: CommandSpec = {
  path: ["volume", "create"],
  usage: "volume create [OPTIONS] [VOLUME]",
  description: "Create a volume",
  flags: [
    {
      name: "driver",
      short: "d",
      kind: "string",
      description: "Specify volume driver name",
      valueName: "string",
      default: "local",
      showDefault: '"local"',
    },
    { name: "label", kind: "list", description: "Set metadata for a volume", valueName: "list" },
    { name: "name", kind: "string", description: "Specify volume name", valueName: "string", hidden: true },
    {
      name: "opt",
      short: "o",
      kind: "list",
      description: "Set driver specific options",
      valueName: "map",
      showDefault: "map[]",
    },
  ],
  args: { min: 0, max: 1 },
  async run(ctx, args) {
    let name = args.strings.get("name") ?? "";
    const positional = args.positionals[0];
    if (positional !== undefined) {
      if (name !== "") {
        throw new CliError(
          "conflicting options: cannot specify a volume-name through both --name and as a positional arg",
        );
      }
      name = positional;
    }
    const labels = labelMap(args.lists.get("label") ?? []);
    const opts = keyValues(args.lists.get("opt") ?? []);
    const v = await ctx.client.volumes.create({
      Name: name,
      Driver: args.strings.get("driver") ?? "local",
      ...(Object.keys(opts).length > 0 ? { DriverOpts: opts } : {}),
      ...(Object.keys(labels).length > 0 ? { Labels: labels } : {}),
    });
    ctx.stdout.write(`${v.Name}\n`);
    return 0;
  },
};

export const list: CommandSpec = {
  path: ["volume", "ls"],
  aliases: [["volume", "list"]],
  usage: "volume ls [OPTIONS]",
  description: "List volumes",
  flags: [
    {
      name: "filter",
      short: "f",
      kind: "list",
      description: "Provide filter values (e.g. 'dangling=true')",
      valueName: "filter",
    },
    {
      name: "format",
      kind: "string",
      description: "Pretty-print volumes using a Go template",
      valueName: "string",
    },
    { name: "quiet", short: "q", kind: "bool", description: "Only display volume names" },
  ],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const res = await ctx.client.volumes.list(parseFilterFlags(args.lists.get("filter") ?? []));
    ctx.stdout.write(
      renderVolumes(res.Volumes ?? [], {
        format: args.strings.get("format"),
        quiet: args.bools.get("quiet") === true,
      }),
    );
    return 0;
  },
};

export const inspect: CommandSpec = {
  path: ["volume", "inspect"],
  usage: "volume inspect [OPTIONS] VOLUME [VOLUME...]",
  description: "Display detailed information on one or more volumes",
  flags: [inspectFormatFlag],
  args: { min: 1, max: Infinity },
  async run(ctx, args) {
    return inspectAll(ctx, args.positionals, args.strings.get("format"), (name) =>
      ctx.client.volumes.inspect(name),
    );
  },
};

export const remove: CommandSpec = {
  path: ["volume", "rm"],
  aliases: [["volume", "remove"]],
  usage: "volume rm [OPTIONS] VOLUME [VOLUME...]",
  description: "Remove one or more volumes",
  flags: [
    { name: "force", short: "f", kind: "bool", description: "Force the removal of one or more volumes" },
  ],
  args: { min: 1, max: Infinity },
  async run(ctx, args) {
    const errors: string[] = [];
    for (const name of args.positionals) {
      try {
        await ctx.client.volumes.remove(name, { force: args.bools.get("force") === true });
        ctx.stdout.write(`${name}\n`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        errors.push(`Error response from daemon: ${err.message}`);
      }
    }
    if (errors.length > 0) throw new CliError(errors.join("\n"));
    return 0;
  },
};

const anonymousWarning = `WARNING! This will remove anonymous local volumes not used by at least one container.
Are you sure you want to continue?`;
const allWarning = `WARNING! This will remove all local volumes not used by at least one container.
Are you sure you want to continue?`;

export const prune: CommandSpec = {
  path: ["volume", "prune"],
  usage: "volume prune [OPTIONS]",
  description: "Remove unused local volumes",
  flags: [
    {
      name: "all",
      short: "a",
      kind: "bool",
      description: "Remove all unused volumes, not just anonymous ones",
    },
    ...pruneFlags("label=<label>"),
  ],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const filters = parseFilterFlags(args.lists.get("filter") ?? []);
    const all = args.bools.get("all") === true;
    if (all) {
      if (filters.all !== undefined)
        throw new CliError("conflicting options: cannot specify both --all and --filter all=1");
      filters.all = ["true"];
    }
    if (!(await pruneConfirmed(ctx, args, all ? allWarning : anonymousWarning))) return 0;
    const report = await ctx.client.volumes.prune(filters);
    let out = "";
    let reclaimed = 0;
    const deleted = report.VolumesDeleted ?? [];
    if (deleted.length > 0) {
      out += "Deleted Volumes:\n" + deleted.map((n) => `${n}\n`).join("") + "\n";
      reclaimed = report.SpaceReclaimed;
    }
    out += `Total reclaimed space: ${humanSize(reclaimed, 4)}\n`;
    ctx.stdout.write(out);
    return 0;
  },
};
