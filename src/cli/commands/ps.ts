/**
 * ps / container ls: docker's ContainerContext (ID, Image, Command quoted
 * and cut at 20 columns, CREATED, STATUS, PORTS grouped as docker groups
 * them, NAMES), with --format tables, templates, json and raw.
 */
import type { ContainerSummary } from "../../api/types/containers.js";
import { familiarName, familiarString, parseNormalizedNamed } from "../../engine/images/reference.js";
import { CliError } from "../context.js";
import {
  ellipsis,
  executeFormat,
  goQuote,
  humanSize,
  markStruct,
  parseFormat,
  renderRows,
  shortId,
  timeAgo,
} from "../format/index.js";
import type { CommandSpec } from "../spec.js";
import { parseFilterFlags } from "./images.js";

interface PortWire {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

/** net.JoinHostPort: IPv6 hosts get brackets. */
const joinHostPort = (host: string, port: string) =>
  host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;

/** docker's DisplayablePorts: "0.0.0.0:80->80/tcp, 9000-9001/tcp". */
export function displayablePorts(ports: readonly PortWire[]): string {
  const sorted = [...ports].sort(
    (a, b) =>
      a.PrivatePort - b.PrivatePort ||
      ((a.IP ?? "") < (b.IP ?? "") ? -1 : (a.IP ?? "") > (b.IP ?? "") ? 1 : 0) ||
      (a.PublicPort ?? 0) - (b.PublicPort ?? 0) ||
      (a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0),
  );
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  const form = (key: string, g: { first: number; last: number }) => {
    const parts = key.split("/");
    const ip = parts.length > 1 ? parts[0]! : "";
    const type = parts.length > 1 ? parts[1]! : parts[0]!;
    let group = String(g.first);
    if (g.first !== g.last) group = `${group}-${g.last}`;
    if (ip !== "") group = `${joinHostPort(ip, group)}->${group}`;
    return `${group}/${type}`;
  };
  for (const p of sorted) {
    const current = p.PrivatePort;
    let key = p.Type;
    if (p.IP) {
      if (p.PublicPort !== current) {
        hostMappings.push(`${joinHostPort(p.IP, String(p.PublicPort ?? 0))}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (g === undefined) {
      groups.set(key, { first: current, last: current });
      continue;
    }
    if (current === g.last + 1) {
      g.last = current;
      continue;
    }
    result.push(form(key, g));
    // A new group under the same key goes to the end of the key order, as Go's map+slice does.
    groups.delete(key);
    groups.set(key, { first: current, last: current });
  }
  for (const [key, g] of groups) result.push(form(key, g));
  return [...result, ...hostMappings].join(", ");
}

/** Go's time.Time String() in the local zone: "2024-01-01 10:00:00 +0100 CET". */
export function goLocalTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? "-" : "+";
  const abs = Math.abs(off);
  const zone =
    off === 0 && (Intl.DateTimeFormat().resolvedOptions().timeZone === "UTC" || !process.env.TZ)
      ? "UTC"
      : (new Intl.DateTimeFormat("en-US", { timeZoneName: "short" })
          .formatToParts(d)
          .find((p) => p.type === "timeZoneName")?.value ?? "");
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)} ${zone}`
  );
}

function imageText(c: ContainerSummary, trunc: boolean): string {
  if (c.Image === "") return "<no image>";
  if (trunc) {
    if (shortId(c.ImageID) === shortId(c.Image)) return shortId(c.ImageID);
    try {
      const ref = parseNormalizedNamed(c.Image);
      if (ref.tag !== undefined) return familiarString({ ...ref, digest: undefined });
      return familiarName(ref);
    } catch {
      // Not a reference: shown as is.
    }
  }
  return c.Image;
}

interface MountSummary {
  Name?: string;
  Source?: string;
  Driver?: string;
}

/** One row of docker's ContainerContext. */
export function containerRow(c: ContainerSummary, trunc: boolean, now = Date.now()): Record<string, unknown> {
  const mounts = (c.Mounts ?? []) as MountSummary[];
  return {
    ID: () => (trunc ? shortId(c.Id) : c.Id),
    Names: () => {
      let names = (c.Names ?? []).map((n) => n.slice(1));
      if (trunc) {
        const plain = names.find((n) => !n.includes("/"));
        if (plain !== undefined) names = [plain];
      }
      return names.join(",");
    },
    Image: () => imageText(c, trunc),
    Command: () => goQuote(trunc ? ellipsis(c.Command, 20) : c.Command),
    CreatedAt: () => goLocalTime(c.Created),
    RunningFor: () => timeAgo(c.Created * 1000, now),
    Ports: () => displayablePorts(c.Ports ?? []),
    State: () => c.State,
    Status: () => c.Status,
    Size: () => {
      const rw = humanSize(c.SizeRw ?? 0, 3);
      return (c.SizeRootFs ?? 0) > 0 ? `${rw} (virtual ${humanSize(c.SizeRootFs ?? 0, 3)})` : rw;
    },
    Labels: () =>
      Object.entries(c.Labels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .sort()
        .join(","),
    Label: (name: unknown) => c.Labels?.[String(name)] ?? "",
    Mounts: () =>
      mounts
        .map((m) => {
          const name = m.Name ? m.Name : (m.Source ?? "");
          return trunc ? ellipsis(name, 15) : name;
        })
        .join(","),
    LocalVolumes: () => String(mounts.filter((m) => m.Driver === "local").length),
    Networks: () => Object.keys(c.NetworkSettings?.Networks ?? {}).join(","),
    Platform: () => null,
  };
}

const emptySummary: ContainerSummary = {
  Id: "",
  Names: [],
  Image: "",
  ImageID: "",
  Command: "",
  Created: 0,
  Ports: [],
  Labels: {},
  State: "",
  Status: "",
  HostConfig: { NetworkMode: "" },
  NetworkSettings: { Networks: {} },
  Mounts: [],
};

const headers = {
  ID: "CONTAINER ID",
  Names: "NAMES",
  Image: "IMAGE",
  Command: "COMMAND",
  CreatedAt: "CREATED AT",
  RunningFor: "CREATED",
  Ports: "PORTS",
  State: "STATE",
  Status: "STATUS",
  Size: "SIZE",
  Labels: "LABELS",
  Mounts: "MOUNTS",
  LocalVolumes: "LOCAL VOLUMES",
  Networks: "NETWORKS",
  Platform: "PLATFORM",
};

const defaultTable =
  "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

const rawFormat = `container_id: {{.ID}}
image: {{.Image}}
command: {{.Command}}
created_at: {{.CreatedAt}}
state: {{- pad .State 1 0}}
status: {{- pad .Status 1 0}}
names: {{.Names}}
labels: {{- pad .Labels 1 0}}
ports: {{- pad .Ports 1 0}}
`;

export function renderContainers(
  list: ContainerSummary[],
  opts: { format: string; quiet: boolean; size: boolean; trunc: boolean },
): string {
  let format = opts.format;
  let quietFormat = "{{.ID}}";
  if (format === "" || format === "table") format = opts.size ? `${defaultTable}\t{{.Size}}` : defaultTable;
  else if (format === "raw") {
    quietFormat = "container_id: {{.ID}}";
    format = opts.size ? `${rawFormat}size: {{.Size}}\\n` : rawFormat;
  }
  const now = Date.now();
  return renderRows({
    format,
    defaultTable,
    headers,
    rows: list.map((c) => containerRow(c, opts.trunc, now)),
    quiet: opts.quiet,
    quietFormat,
    typeName: "*formatter.ContainerContext",
  });
}

export const ps: CommandSpec = {
  path: ["container", "ls"],
  aliases: [["ps"], ["container", "list"], ["container", "ps"]],
  usage: "container ls [OPTIONS]",
  description: "List containers",
  flags: [
    {
      name: "all",
      short: "a",
      kind: "bool",
      description: "Show all containers (default shows just running)",
    },
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
      valueName: "string",
      description:
        "Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates",
    },
    {
      name: "last",
      short: "n",
      kind: "int",
      description: "Show n last created containers (includes all states)",
      default: -1,
      showDefault: "-1",
    },
    {
      name: "latest",
      short: "l",
      kind: "bool",
      description: "Show the latest created container (includes all states)",
    },
    { name: "no-trunc", kind: "bool", description: "Don't truncate output" },
    { name: "quiet", short: "q", kind: "bool", description: "Only display container IDs" },
    { name: "size", short: "s", kind: "bool", description: "Display total file sizes" },
  ],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const format = args.strings.get("format") ?? "";
    const quiet = args.bools.get("quiet") === true;
    if (format !== "" && quiet)
      ctx.stderr.write("WARNING: Ignoring custom format, because both --format and --quiet are set.\n");
    let limit = args.ints.get("last") ?? -1;
    if (args.bools.get("latest") === true && limit === -1) limit = 1;
    let size = args.bools.get("size") === true;
    if (format !== "") {
      const text = format.startsWith("table") ? format.slice(5) : format === "json" ? "{{json .}}" : format;
      const unprefixed = (err: unknown) => (err as Error).message.replace(/^template parsing error: /, "");
      let tmpl;
      try {
        tmpl = parseFormat(text);
      } catch (err) {
        throw new CliError(`failed to parse template: ${unprefixed(err)}`);
      }
      // docker executes the template once on an empty row to validate it.
      try {
        executeFormat(
          tmpl,
          markStruct(containerRow(emptySummary, true), { typeName: "*formatter.ContainerContext" }),
          "*formatter.ContainerContext",
        );
      } catch (err) {
        throw new CliError(`failed to execute template: ${unprefixed(err)}`);
      }
      if (!quiet && !size && !args.given.has("size") && /\.Size\b/.test(format)) size = true;
    }
    const list = await ctx.client.containers.list({
      all: args.bools.get("all") === true,
      limit,
      size,
      filters: parseFilterFlags(args.lists.get("filter") ?? []),
    });
    ctx.stdout.write(
      renderContainers(list, { format, quiet, size, trunc: args.bools.get("no-trunc") !== true }),
    );
    return 0;
  },
};
