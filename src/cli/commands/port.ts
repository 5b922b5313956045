/** `berth port`: a container's published ports, as `docker port` lists them. */
import { CliError } from "../context.js";
import type { CommandSpec } from "../spec.js";

type PortMap = Record<string, { HostIp: string; HostPort: string }[] | null>;

/** "ip:port", with brackets around an IPv6 address (Go's net.JoinHostPort). */
const joinHostPort = (ip: string, port: string) => (ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`);

/** docker port sorts its lines naturally ("80/tcp" before "443/tcp"). */
const natural = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

/** The lines docker port prints: every mapping, or the host side of one private port. */
export function portLines(container: string, ports: PortMap, wanted?: string): string[] {
  if (wanted !== undefined) {
    const [port = "", proto = "tcp"] = wanted.split("/");
    if (!/^\d+$/.test(port)) throw new CliError(`Error: invalid port (${port}): invalid syntax`);
    const key = `${port}/${proto}`;
    const bindings = ports[key];
    if (!bindings || bindings.length === 0)
      throw new CliError(`Error: No public port '${key}' published for ${container}`);
    return bindings.map((b) => joinHostPort(b.HostIp, b.HostPort)).sort(natural);
  }
  const out: string[] = [];
  for (const [key, bindings] of Object.entries(ports)) {
    for (const b of bindings ?? []) out.push(`${key} -> ${joinHostPort(b.HostIp, b.HostPort)}`);
  }
  return out.sort(natural);
}

export const port: CommandSpec = {
  path: ["container", "port"],
  aliases: [["port"]],
  usage: "container port CONTAINER [PRIVATE_PORT[/PROTO]]",
  description: "List port mappings or a specific mapping for the container",
  flags: [],
  args: { min: 1, max: 2 },
  async run(ctx, args) {
    const [container = "", wanted] = args.positionals;
    const c = await ctx.client.containers.inspect(container);
    const ports = (c.NetworkSettings as { Ports?: PortMap }).Ports ?? {};
    for (const line of portLines(container, ports, wanted)) ctx.stdout.write(`${line}\n`);
    return 0;
  },
};
