/** network create: flags → the create body, with docker's client-side IPAM checks. */
import type { IpamConfigWire, NetworkCreateBody } from "../../api/types/networks.js";
// The pure IPv4 helpers only (no service code): the CLI checks subnets as docker's does.
import { contains, parseIp, parseSubnet, within } from "../../engine/network/ipv4.js";
import { CliError } from "../context.js";
import type { CommandSpec, ParsedArgs } from "../spec.js";

/** pflag's StringSlice: each value may hold several, comma-separated. */
export function sliceValues(args: ParsedArgs, name: string): string[] {
  return (args.lists.get(name) ?? []).flatMap((v) => v.split(",")).filter((v) => v !== "");
}

/** docker's MapOpts and ConvertKVStringsToMap: `k=v`, or `k` alone for an empty value. */
export function keyValues(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf("=");
    if (eq < 0) out[v] = "";
    else out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

function cliSubnet(s: string) {
  try {
    return parseSubnet(s);
  } catch {
    throw new CliError(`invalid CIDR address: ${s}`);
  }
}

/** docker's createIPAMConfig: every --ip-range and --gateway must fall in one --subnet. */
export function ipamConfig(subnets: string[], ranges: string[], gateways: string[]): IpamConfigWire[] {
  if (subnets.length < ranges.length || subnets.length < gateways.length)
    throw new CliError("every ip-range or gateway must have a corresponding subnet");
  const parsed = subnets.map(cliSubnet);
  parsed.forEach((a, i) => {
    parsed.forEach((b, j) => {
      if (i !== j && (within(a, b) || within(b, a)))
        throw new CliError("multiple overlapping subnet configuration is not supported");
    });
  });
  const out: IpamConfigWire[] = subnets.map((s) => ({ Subnet: s }));
  for (const r of ranges) {
    const range = cliSubnet(r);
    const i = parsed.findIndex((s) => contains(s, range.base));
    if (i < 0) throw new CliError(`no matching subnet for range ${r}`);
    const cfg = out[i]!;
    if (cfg.IPRange !== undefined)
      throw new CliError(
        `cannot configure multiple ranges (${r}, ${cfg.IPRange}) on the same subnet (${subnets[i]})`,
      );
    cfg.IPRange = r;
  }
  for (const g of gateways) {
    let ip: number;
    try {
      ip = parseIp(g);
    } catch {
      throw new CliError(
        `invalid argument "${g}" for "--gateway" flag: invalid string being converted to IP address: ${g}`,
      );
    }
    const i = parsed.findIndex((s) => contains(s, ip));
    if (i < 0) throw new CliError(`no matching subnet for gateway ${g}`);
    const cfg = out[i]!;
    if (cfg.Gateway !== undefined)
      throw new CliError(
        `cannot configure multiple gateways (${g}, ${cfg.Gateway}) for the same subnet (${subnets[i]})`,
      );
    cfg.Gateway = g;
  }
  return out;
}

export const create: CommandSpec = {
  path: ["network", "create"],
  usage: "network create [OPTIONS] NETWORK",
  description: "Create a network",
  flags: [
    { name: "attachable", kind: "bool", description: "Enable manual container attachment" },
    {
      name: "aux-address",
      kind: "list",
      description: "Auxiliary IPv4 or IPv6 addresses used by Network driver",
      valueName: "map",
      showDefault: "map[]",
    },
    {
      name: "config-from",
      kind: "string",
      description: "The network from which to copy the configuration",
      valueName: "string",
    },
    { name: "config-only", kind: "bool", description: "Create a configuration only network" },
    {
      name: "driver",
      short: "d",
      kind: "string",
      description: "Driver to manage the Network",
      valueName: "string",
      default: "bridge",
      showDefault: '"bridge"',
    },
    {
      name: "gateway",
      kind: "list",
      description: "IPv4 or IPv6 Gateway for the master subnet",
      valueName: "strings",
    },
    { name: "ingress", kind: "bool", description: "Create swarm routing-mesh network" },
    { name: "internal", kind: "bool", description: "Restrict external access to the network" },
    {
      name: "ip-range",
      kind: "list",
      description: "Allocate container ip from a sub-range",
      valueName: "strings",
    },
    {
      name: "ipam-driver",
      kind: "string",
      description: "IP Address Management Driver",
      valueName: "string",
      default: "default",
      showDefault: '"default"',
    },
    {
      name: "ipam-opt",
      kind: "list",
      description: "Set IPAM driver specific options",
      valueName: "map",
      showDefault: "map[]",
    },
    { name: "ipv6", kind: "bool", description: "Enable or disable IPv6 address assignment" },
    { name: "label", kind: "list", description: "Set metadata on a network", valueName: "list" },
    {
      name: "opt",
      short: "o",
      kind: "list",
      description: "Set driver specific options",
      valueName: "map",
      showDefault: "map[]",
    },
    { name: "scope", kind: "string", description: "Control the network's scope", valueName: "string" },
    {
      name: "subnet",
      kind: "list",
      description: "Subnet in CIDR format that represents a network segment",
      valueName: "strings",
    },
  ],
  args: { min: 1, max: 1 },
  exactArgsMessage: true,
  async run(ctx, args) {
    const config = ipamConfig(
      sliceValues(args, "subnet"),
      sliceValues(args, "ip-range"),
      sliceValues(args, "gateway"),
    );
    const aux = keyValues(args.lists.get("aux-address") ?? []);
    if (Object.keys(aux).length > 0) {
      if (config.length === 0)
        throw new CliError(`no matching subnet for aux-address ${Object.values(aux)[0]}`);
      config[0]!.AuxiliaryAddresses = aux;
    }
    const configFrom = args.strings.get("config-from");
    const body: NetworkCreateBody & { Name: string } = {
      Name: args.positionals[0]!,
      Driver: args.strings.get("driver") ?? "bridge",
      Options: keyValues(args.lists.get("opt") ?? []),
      IPAM: {
        Driver: args.strings.get("ipam-driver") ?? "default",
        Config: config,
        Options: keyValues(args.lists.get("ipam-opt") ?? []),
      },
      Internal: args.bools.get("internal") === true,
      EnableIPv6: args.bools.get("ipv6") === true,
      Attachable: args.bools.get("attachable") === true,
      Ingress: args.bools.get("ingress") === true,
      Scope: args.strings.get("scope") ?? "",
      ConfigOnly: args.bools.get("config-only") === true,
      ...(configFrom ? { ConfigFrom: { Network: configFrom } } : {}),
      Labels: keyValues(args.lists.get("label") ?? []),
    };
    const res = await ctx.client.networks.create(body);
    if (res.Warning) ctx.stderr.write(`${res.Warning}\n`);
    ctx.stdout.write(`${res.Id}\n`);
    return 0;
  },
};
