/** network ls, inspect, rm, prune, connect, disconnect (create is in networkCreate.ts). */
import type { NetworkWire } from "../../api/types/networks.js";
import { ApiError } from "../../client/index.js";
import { inspectAll, inspectFormatFlag } from "../inspectAll.js";
import { CliError, ExitStatus } from "../context.js";
import { renderRows } from "../format/index.js";
import type { CommandSpec } from "../spec.js";
import { parseFilterFlags, pruneConfirmed, pruneFlags } from "./images.js";
import { create } from "./networkCreate.js";
import { sliceValues } from "./networkCreate.js";

/** fvbommel/sortorder's NaturalLess: digit runs compare as numbers. */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+|\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = BigInt(x);
      const ny = BigInt(y);
      if (nx !== ny) return nx < ny ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** Go's time.Time String() of an RFC 3339 time, in UTC. */
function goTimeString(rfc3339: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(rfc3339);
  if (!m) return rfc3339;
  return `${m[1]} ${m[2]}${m[3] ?? ""} +0000 UTC`;
}

/** docker's networkContext: one row of `network ls`. */
function networkRow(n: NetworkWire, trunc: boolean): Record<string, unknown> {
  return {
    ID: trunc ? n.Id.slice(0, 12) : n.Id,
    Name: n.Name,
    Driver: n.Driver,
    Scope: n.Scope,
    IPv4: () => String(n.EnableIPv4 ?? true),
    IPv6: () => String(n.EnableIPv6),
    Internal: () => String(n.Internal),
    Labels: () =>
      Object.entries(n.Labels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    Label: (name: unknown) => n.Labels?.[String(name)] ?? "",
    CreatedAt: () => goTimeString(n.Created),
  };
}

export function renderNetworkTable(
  nets: NetworkWire[],
  opts: { format?: string; quiet: boolean; trunc: boolean },
): string {
  let format = opts.format ?? "";
  // A --format of one's own wins over -q, as in docker's NewFormat.
  const quiet = opts.quiet && (format === "" || format === "table");
  if (format === "raw") {
    format = quiet
      ? "network_id: {{.ID}}"
      : "network_id: {{.ID}}\nname: {{.Name}}\ndriver: {{.Driver}}\nscope: {{.Scope}}\n";
  }
  const sorted = [...nets].sort((a, b) => naturalCompare(a.Name, b.Name));
  return renderRows({
    format,
    defaultTable: "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}",
    headers: {
      ID: "NETWORK ID",
      Name: "NAME",
      Driver: "DRIVER",
      Scope: "SCOPE",
      IPv4: "IPV4",
      IPv6: "IPV6",
      Internal: "INTERNAL",
      Labels: "LABELS",
      CreatedAt: "CREATED AT",
    },
    rows: sorted.map((n) => networkRow(n, opts.trunc)),
    quiet,
    typeName: "*network.networkContext",
  });
}

export const list: CommandSpec = {
  path: ["network", "ls"],
  aliases: [["network", "list"]],
  usage: "network ls [OPTIONS]",
  description: "List networks",
  flags: [
    {
      name: "filter",
      short: "f",
      kind: "list",
      description: 'Provide filter values (e.g. "driver=bridge")',
      valueName: "filter",
    },
    {
      name: "format",
      kind: "string",
      description:
        "Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates",
      valueName: "string",
    },
    { name: "no-trunc", kind: "bool", description: "Do not truncate the output" },
    { name: "quiet", short: "q", kind: "bool", description: "Only display network IDs" },
  ],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const nets = await ctx.client.networks.list(parseFilterFlags(args.lists.get("filter") ?? []));
    ctx.stdout.write(
      renderNetworkTable(nets, {
        format: args.strings.get("format"),
        quiet: args.bools.get("quiet") === true,
        trunc: args.bools.get("no-trunc") !== true,
      }),
    );
    return 0;
  },
};

export const inspect: CommandSpec = {
  path: ["network", "inspect"],
  usage: "network inspect [OPTIONS] NETWORK [NETWORK...]",
  description: "Display detailed information on one or more networks",
  flags: [
    inspectFormatFlag,
    { name: "verbose", short: "v", kind: "bool", description: "Verbose output for diagnostics" },
  ],
  args: { min: 1, max: Infinity },
  async run(ctx, args) {
    return inspectAll(ctx, args.positionals, args.strings.get("format"), (ref) =>
      ctx.client.networks.inspect(ref, { verbose: args.bools.get("verbose") === true }),
    );
  },
};

export const remove: CommandSpec = {
  path: ["network", "rm"],
  aliases: [["network", "remove"]],
  usage: "network rm NETWORK [NETWORK...]",
  description: "Remove one or more networks",
  flags: [
    {
      name: "force",
      short: "f",
      kind: "bool",
      description: "Do not error if the network does not exist",
    },
  ],
  args: { min: 1, max: Infinity },
  async run(ctx, args) {
    let failed = false;
    for (const ref of args.positionals) {
      try {
        await ctx.client.networks.remove(ref);
        ctx.stdout.write(`${ref}\n`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (args.bools.get("force") === true && err.kind === "not-found") continue;
        ctx.stderr.write(`Error response from daemon: ${err.message}\n`);
        failed = true;
      }
    }
    // docker prints each failure as it happens, then "exit status 1".
    if (failed) throw new CliError("exit status 1");
    return 0;
  },
};

const pruneWarning = `WARNING! This will remove all custom networks not used by at least one container.
Are you sure you want to continue?`;

export const prune: CommandSpec = {
  path: ["network", "prune"],
  usage: "network prune [OPTIONS]",
  description: "Remove all unused networks",
  flags: pruneFlags(),
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const filters = parseFilterFlags(args.lists.get("filter") ?? []);
    // A declined prompt is a cancellation, which docker ends with status 0 and no message.
    if (!(await pruneConfirmed(ctx, args, pruneWarning))) throw new ExitStatus(0);
    const report = await ctx.client.networks.prune(filters);
    const deleted = report.NetworksDeleted ?? [];
    if (deleted.length > 0) ctx.stdout.write(`Deleted Networks:\n${deleted.map((n) => `${n}\n`).join("")}\n`);
    return 0;
  },
};

export const connect: CommandSpec = {
  path: ["network", "connect"],
  usage: "network connect [OPTIONS] NETWORK CONTAINER",
  description: "Connect a container to a network",
  flags: [
    {
      name: "alias",
      kind: "list",
      description: "Add network-scoped alias for the container",
      valueName: "strings",
    },
    {
      name: "driver-opt",
      kind: "list",
      description: "driver options for the network",
      valueName: "strings",
    },
    { name: "ip", kind: "string", description: 'IPv4 address (e.g., "172.30.100.104")', valueName: "string" },
    { name: "ip6", kind: "string", description: 'IPv6 address (e.g., "2001:db8::33")', valueName: "string" },
    { name: "link", kind: "list", description: "Add link to another container", valueName: "list" },
    {
      name: "link-local-ip",
      kind: "list",
      description: "Add a link-local address for the container",
      valueName: "strings",
    },
  ],
  args: { min: 2, max: 2 },
  exactArgsMessage: true,
  async run(ctx, args) {
    const [network, container] = args.positionals as [string, string];
    const ip = args.strings.get("ip");
    const ip6 = args.strings.get("ip6");
    const driverOpts: Record<string, string> = {};
    for (const o of sliceValues(args, "driver-opt")) {
      const eq = o.indexOf("=");
      if (eq <= 0) throw new CliError("invalid key/value pair format in driver options");
      driverOpts[o.slice(0, eq).trim()] = o.slice(eq + 1).trim();
    }
    await ctx.client.networks.connect(network, container, {
      IPAMConfig: {
        ...(ip ? { IPv4Address: ip } : {}),
        ...(ip6 ? { IPv6Address: ip6 } : {}),
        ...(args.lists.has("link-local-ip") ? { LinkLocalIPs: sliceValues(args, "link-local-ip") } : {}),
      },
      Links: args.lists.get("link") ?? [],
      Aliases: sliceValues(args, "alias"),
      DriverOpts: driverOpts,
    });
    return 0;
  },
};

export const disconnect: CommandSpec = {
  path: ["network", "disconnect"],
  usage: "network disconnect [OPTIONS] NETWORK CONTAINER",
  description: "Disconnect a container from a network",
  flags: [
    {
      name: "force",
      short: "f",
      kind: "bool",
      description: "Force the container to disconnect from a network",
    },
  ],
  args: { min: 2, max: 2 },
  exactArgsMessage: true,
  async run(ctx, args) {
    const [network, container] = args.positionals as [string, string];
    await ctx.client.networks.disconnect(network, container, args.bools.get("force") === true);
    return 0;
  },
};

export const commands: CommandSpec[] = [create, list, inspect, remove, prune, connect, disconnect];
