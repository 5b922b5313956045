/**
 * inspect (any object: container, then image, network, volume, plugin),
 * container inspect, and container prune, with docker's output and texts.
 */
import { ApiError, readAll } from "../../client/index.js";
import { CliError, type CliContext } from "../context.js";
import { humanSize } from "../format/index.js";
import { inspectAll, inspectFormatFlag, type Inspector } from "../inspectAll.js";
import type { CommandSpec } from "../spec.js";
import { confirm, parseFilterFlags } from "./images.js";

const allTypes = [
  "config",
  "container",
  "image",
  "network",
  "node",
  "plugin",
  "secret",
  "service",
  "task",
  "volume",
];

async function getJson(ctx: CliContext, path: string): Promise<unknown> {
  const res = await ctx.client.transport.request("GET", path);
  return JSON.parse((await readAll(res.body)).toString("utf8")) as unknown;
}

const skippable = (err: unknown) =>
  err instanceof ApiError &&
  (err.kind === "not-found" ||
    err.message.includes("not supported") ||
    err.message.includes("invalid reference format"));

export const inspect: CommandSpec = {
  path: ["inspect"],
  usage: "inspect [OPTIONS] NAME|ID [NAME|ID...]",
  description: "Return low-level information on Docker objects",
  flags: [
    inspectFormatFlag,
    {
      name: "size",
      short: "s",
      kind: "bool",
      description: "Display total file sizes if the type is container",
    },
    {
      name: "type",
      kind: "string",
      valueName: "string",
      description: "Only inspect objects of the given type",
    },
  ],
  args: { min: 1, max: Infinity },
  async run(ctx, args) {
    const type = args.strings.get("type") ?? "";
    const list = `"${allTypes.join('", "')}"`;
    if (args.given.has("type") && type === "") throw new CliError(`type is empty: must be one of ${list}`);
    if (type !== "" && !allTypes.includes(type))
      throw new CliError(`unknown type: "${type}": must be one of ${list}`);
    const size = args.bools.get("size") === true;
    const enc = encodeURIComponent;
    const kinds: { type: string; swarm: boolean; get: Inspector }[] = [
      { type: "container", swarm: false, get: (r) => ctx.client.containers.inspect(r, { size }) },
      { type: "image", swarm: false, get: (r) => ctx.client.images.inspect(r) },
      { type: "network", swarm: false, get: (r) => ctx.client.networks.inspect(r) },
      { type: "volume", swarm: false, get: (r) => ctx.client.volumes.inspect(r) },
      { type: "service", swarm: true, get: (r) => getJson(ctx, `/services/${enc(r)}?insertDefaults=1`) },
      { type: "task", swarm: true, get: (r) => getJson(ctx, `/tasks/${enc(r)}`) },
      { type: "node", swarm: true, get: (r) => getJson(ctx, `/nodes/${enc(r)}`) },
      { type: "plugin", swarm: false, get: (r) => getJson(ctx, `/plugins/${enc(r)}/json`) },
      { type: "secret", swarm: true, get: (r) => getJson(ctx, `/secrets/${enc(r)}`) },
      { type: "config", swarm: true, get: (r) => getJson(ctx, `/configs/${enc(r)}`) },
    ];
    let swarmManager: boolean | undefined;
    const isSwarmManager = async () => {
      if (swarmManager === undefined) {
        try {
          const info = (await ctx.client.system.info()) as { Swarm?: { ControlAvailable?: boolean } };
          swarmManager = info.Swarm?.ControlAvailable === true;
        } catch (err) {
          ctx.stderr.write(`${(err as Error).message}\n`);
          swarmManager = false;
        }
      }
      return swarmManager;
    };
    return inspectAll(ctx, args.positionals, args.strings.get("format"), async (ref) => {
      for (const k of kinds) {
        if (type !== "" && k.type !== type) continue;
        if (type === "" && k.swarm && !(await isSwarmManager())) continue;
        try {
          const v = await k.get(ref);
          if (size && k.type !== "container") ctx.stderr.write(`WARNING: --size ignored for ${k.type}\n`);
          return v;
        } catch (err) {
          if (type === "" && skippable(err)) continue;
          throw err;
        }
      }
      throw new Error(`Error: No such object: ${ref}`);
    });
  },
};

export const containerInspect: CommandSpec = {
  path: ["container", "inspect"],
  usage: "container inspect [OPTIONS] CONTAINER [CONTAINER...]",
  description: "Display detailed information on one or more containers",
  flags: [
    inspectFormatFlag,
    { name: "size", short: "s", kind: "bool", description: "Display total file sizes" },
  ],
  args: { min: 1, max: Infinity },
  run: (ctx, args) =>
    inspectAll(ctx, args.positionals, args.strings.get("format"), (ref) =>
      ctx.client.containers.inspect(ref, { size: args.bools.get("size") === true }),
    ),
};

export const prune: CommandSpec = {
  path: ["container", "prune"],
  usage: "container prune [OPTIONS]",
  description: "Remove all stopped containers",
  flags: [
    {
      name: "filter",
      kind: "list",
      valueName: "filter",
      description: 'Provide filter values (e.g. "until=<timestamp>")',
    },
    { name: "force", short: "f", kind: "bool", description: "Do not prompt for confirmation" },
  ],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const filters = parseFilterFlags(args.lists.get("filter") ?? []);
    if (
      args.bools.get("force") !== true &&
      !(await confirm(
        ctx,
        "WARNING! This will remove all stopped containers.\nAre you sure you want to continue?",
      ))
    )
      return 0;
    const report = await ctx.client.containers.prune(filters);
    let out = "";
    let reclaimed = 0;
    const deleted = report.ContainersDeleted ?? [];
    if (deleted.length > 0) {
      out += "Deleted Containers:\n" + deleted.map((id) => `${id}\n`).join("") + "\n";
      reclaimed = report.SpaceReclaimed;
    }
    ctx.stdout.write(`${out}Total reclaimed space: ${humanSize(reclaimed, 4)}\n`);
    return 0;
  },
};

export const commands: CommandSpec[] = [inspect, containerInspect, prune];
