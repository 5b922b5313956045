/**
 * Help text laid out like docker's: usage, description, aliases, options
 * with shorthands aligned, and for groups the list of commands.
 */
import { helpFlag } from "./args.js";
import type { CommandSpec, FlagSpec } from "./spec.js";

export const cliName = "berth";

function flagLine(f: FlagSpec): [string, string] {
  const short = f.short ? `-${f.short}, ` : "    ";
  const type = f.kind === "bool" ? "" : ` ${f.valueName ?? (f.kind === "int" ? "int" : f.kind)}`;
  let desc = f.description;
  if (f.showDefault !== undefined) desc += ` (default ${f.showDefault})`;
  return [`  ${short}--${f.name}${type}`, desc];
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage:  ${cliName} ${spec.usage}`, "", spec.description, ""];
  if (spec.aliases && spec.aliases.length > 0) {
    const all = [spec.path, ...spec.aliases].map((p) => `${cliName} ${p.join(" ")}`);
    lines.push("Aliases:", `  ${all.join(", ")}`, "");
  }
  const flags = [...spec.flags.filter((f) => !f.hidden), helpFlag].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  if (flags.length > 0) {
    lines.push("Options:");
    const rows = flags.map(flagLine);
    const width = Math.max(...rows.map(([l]) => l.length)) + 3;
    for (const [l, d] of rows) lines.push(l.padEnd(width) + d);
  }
  return lines.join("\n") + "\n";
}

export function groupHelp(group: string, description: string, commands: CommandSpec[]): string {
  const subs = commands
    .filter((c) => c.path.length === 2 && c.path[0] === group)
    .sort((a, b) => a.path[1]!.localeCompare(b.path[1]!));
  const width = Math.max(...subs.map((c) => c.path[1]!.length)) + 3;
  return (
    [
      `Usage:  ${cliName} ${group} COMMAND`,
      "",
      description,
      "",
      "Commands:",
      ...subs.map((c) => `  ${c.path[1]!.padEnd(width)}${c.description}`),
      "",
      `Run '${cliName} ${group} COMMAND --help' for more information on a command.`,
    ].join("\n") + "\n"
  );
}

export function topHelp(groups: { name: string; description: string }[], commands: CommandSpec[]): string {
  const common = commands
    .filter((c) => c.path.length === 1)
    .sort((a, b) => a.path[0]!.localeCompare(b.path[0]!));
  const names = [...common.map((c) => c.path[0]!), ...groups.map((g) => g.name)];
  const width = Math.max(...names.map((n) => n.length)) + 3;
  return (
    [
      `Usage:  ${cliName} [OPTIONS] COMMAND`,
      "",
      "A self-sufficient runtime for containers",
      "",
      "Management Commands:",
      ...groups.map((g) => `  ${g.name.padEnd(width)}${g.description}`),
      "",
      "Commands:",
      ...common.map((c) => `  ${c.path[0]!.padEnd(width)}${c.description}`),
      "",
      "Global Options:",
      '      --config string      Location of client config files (default "~/.berth")',
      "  -D, --debug              Enable debug mode",
      "  -H, --host string        Daemon socket to connect to (default: $BERTH_HOST or unix:///run/berth/berth.sock)",
      '  -l, --log-level string   Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")',
      "  -v, --version            Print version information and quit",
      "",
      `Run '${cliName} COMMAND --help' for more information on a command.`,
    ].join("\n") + "\n"
  );
}
