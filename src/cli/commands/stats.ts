/**
 * `berth stats`: containers' resource usage, with docker's computations
 * (CPU % from the deltas of container and host CPU time; memory without the
 * inactive page cache) and its table; redrawn every second on a terminal.
 */
import type { StatsResponseWire } from "../../api/types/containerExtras.js";
import { ApiError } from "../../client/index.js";
import { CliError, type CliContext } from "../context.js";
import { bytesSize, humanSize, renderRows } from "../format/index.js";
import type { CommandSpec } from "../spec.js";

export interface StatsEntry {
  name: string;
  id: string;
  cpuPercent: number;
  memory: number;
  memoryLimit: number;
  memoryPercent: number;
  netRx: number;
  netTx: number;
  blockRead: number;
  blockWrite: number;
  pids: number;
}

/** docker's calculateCPUPercentUnix. */
export function cpuPercent(s: StatsResponseWire): number {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
  const online = s.cpu_stats.online_cpus || (s.cpu_stats.cpu_usage.percpu_usage?.length ?? 0);
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

/** docker's calculateMemUsageUnixNoCache: v1 minus total_inactive_file, v2 minus inactive_file. */
export function memUsageNoCache(s: StatsResponseWire): number {
  const usage = s.memory_stats.usage ?? 0;
  const stats = s.memory_stats.stats ?? {};
  const v1 = stats.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats.inactive_file ?? 0;
  return v2 < usage ? usage - v2 : usage;
}

export function toEntry(s: StatsResponseWire): StatsEntry {
  const memory = memUsageNoCache(s);
  const limit = s.memory_stats.limit ?? 0;
  let netRx = 0;
  let netTx = 0;
  for (const n of Object.values(s.networks ?? {})) {
    netRx += n.rx_bytes;
    netTx += n.tx_bytes;
  }
  let blockRead = 0;
  let blockWrite = 0;
  for (const e of s.blkio_stats.io_service_bytes_recursive ?? []) {
    const op = e.op.charAt(0).toLowerCase();
    if (op === "r") blockRead += e.value;
    else if (op === "w") blockWrite += e.value;
  }
  return {
    name: s.name,
    id: s.id,
    cpuPercent: cpuPercent(s),
    memory,
    memoryLimit: limit,
    memoryPercent: limit !== 0 ? (memory / limit) * 100 : 0,
    netRx,
    netTx,
    blockRead,
    blockWrite,
    pids: s.pids_stats.current ?? 0,
  };
}

const pct = (v: number) => `${v.toFixed(2)}%`;

/** The table (or --format) for the current entries; `invalid` entries print "--". */
export function renderStats(
  entries: { container: string; entry?: StatsEntry }[],
  format: string | undefined,
  trunc: boolean,
): string {
  const rows = entries.map(({ container, entry: e }) => ({
    Container: container,
    Name: e && e.name.length > 1 ? e.name.slice(1) : "--",
    ID: e ? (trunc ? e.id.slice(0, 12) : e.id) : "",
    CPUPerc: () => (e ? pct(e.cpuPercent) : "--"),
    MemUsage: () => (e ? `${bytesSize(e.memory)} / ${bytesSize(e.memoryLimit)}` : "-- / --"),
    MemPerc: () => (e ? pct(e.memoryPercent) : "--"),
    NetIO: () => (e ? `${humanSize(e.netRx, 3)} / ${humanSize(e.netTx, 3)}` : "--"),
    BlockIO: () => (e ? `${humanSize(e.blockRead, 3)} / ${humanSize(e.blockWrite, 3)}` : "--"),
    PIDs: () => (e ? String(e.pids) : "--"),
  }));
  return renderRows({
    format,
    defaultTable:
      "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}",
    headers: {
      Container: "CONTAINER",
      Name: "NAME",
      ID: "CONTAINER ID",
      CPUPerc: "CPU %",
      MemUsage: "MEM USAGE / LIMIT",
      MemPerc: "MEM %",
      NetIO: "NET I/O",
      BlockIO: "BLOCK I/O",
      PIDs: "PIDS",
    },
    rows,
  });
}

async function listContainers(ctx: CliContext, all: boolean): Promise<string[]> {
  const list = await ctx.client.transport.json<{ Id: string }[]>("GET", "/containers/json", {
    query: { all: all ? "1" : undefined },
  });
  return list.map((c) => c.Id.slice(0, 12));
}

async function noStream(
  ctx: CliContext,
  names: string[],
  format: string | undefined,
  trunc: boolean,
): Promise<void> {
  const errors: string[] = [];
  const entries = await Promise.all(
    names.map(async (container) => {
      try {
        for await (const s of ctx.client.containerExtras.stats(container, { stream: false })) {
          return { container, entry: toEntry(s) };
        }
      } catch (err) {
        if (err instanceof ApiError && err.kind === "not-found")
          errors.push(`Error response from daemon: ${err.message}`);
        else throw err;
      }
      return undefined;
    }),
  );
  if (errors.length > 0) throw new CliError(errors.join("\n"));
  ctx.stdout.write(
    renderStats(
      entries.filter((e) => e !== undefined),
      format,
      trunc,
    ),
  );
}

async function streaming(
  ctx: CliContext,
  given: string[],
  all: boolean,
  format: string | undefined,
  trunc: boolean,
): Promise<void> {
  const ac = new AbortController();
  process.once("SIGINT", () => ac.abort());
  const latest = new Map<string, StatsEntry | undefined>();
  const watching = new Set<string>();
  const watch = (container: string) => {
    if (watching.has(container)) return;
    watching.add(container);
    latest.set(container, undefined);
    void (async () => {
      try {
        for await (const s of ctx.client.containerExtras.stats(container, {
          stream: true,
          signal: ac.signal,
        })) {
          latest.set(container, toEntry(s));
        }
      } catch {
        // gone: keep the last values until the list drops it
      }
      if (given.length === 0) {
        latest.delete(container);
        watching.delete(container);
      }
    })();
  };
  const tty = ctx.stdout.isTTY === true;
  while (!ac.signal.aborted) {
    const names = given.length > 0 ? given : await listContainers(ctx, all);
    for (const n of names) watch(n);
    await new Promise((r) => setTimeout(r, 1000));
    const rows = [...latest.entries()].map(([container, entry]) =>
      entry ? { container, entry } : { container },
    );
    // On a terminal: clear and redraw; otherwise one table after another, as docker does.
    if (tty) ctx.stdout.write("\x1b[2J\x1b[H");
    ctx.stdout.write(renderStats(rows, format, trunc));
  }
}

export const stats: CommandSpec = {
  path: ["container", "stats"],
  aliases: [["stats"]],
  usage: "container stats [OPTIONS] [CONTAINER...]",
  description: "Display a live stream of container(s) resource usage statistics",
  flags: [
    {
      name: "all",
      short: "a",
      kind: "bool",
      description: "Show all containers (default shows just running)",
    },
    {
      name: "format",
      kind: "string",
      description: "Format output using a custom template",
      valueName: "string",
    },
    {
      name: "no-stream",
      kind: "bool",
      description: "Disable streaming stats and only pull the first result",
    },
    { name: "no-trunc", kind: "bool", description: "Do not truncate output" },
  ],
  args: { min: 0, max: Number.MAX_SAFE_INTEGER },
  async run(ctx, args) {
    const all = args.bools.get("all") === true;
    const format = args.strings.get("format");
    const trunc = args.bools.get("no-trunc") !== true;
    const given = args.positionals;
    if (args.bools.get("no-stream") === true) {
      await noStream(ctx, given.length > 0 ? given : await listContainers(ctx, all), format, trunc);
    } else {
      await streaming(ctx, given, all, format, trunc);
    }
    return 0;
  },
};
