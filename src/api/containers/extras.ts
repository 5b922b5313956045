/**
 * Container endpoints beyond the lifecycle: top, changes, export, commit,
 * stats and update. Stats frames become Docker's stats JSON here.
 */
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type {
  CommitOptions,
  StatsFrame,
  StatsOptions,
  StatsSample,
  TopResult,
  UpdateSpec,
} from "../../engine/containers/extras.js";
import { invalid } from "../../engine/errors.js";
import type { ContainerConfig, Reference } from "../../engine/images/index.js";
import { parseRepoTag, withDefaultTag } from "../../engine/images/index.js";
import type { Change } from "../../engine/layers/types.js";
import type { RequestContext } from "../context.js";
import { boolOr, boolValue, readJson } from "../query.js";
import type { Route } from "../router.js";
import type {
  CommitResponseWire,
  ContainerTopResponse,
  ContainerUpdateBody,
  ContainerUpdateResponse,
  CpuStatsWire,
  FilesystemChangeWire,
  StatsResponseWire,
} from "../types/containerExtras.js";

export interface ContainerExtrasBackend {
  top(ref: string, psArgs: string): Promise<TopResult>;
  changes(ref: string): Promise<Change[]>;
  export(ref: string): Promise<Readable>;
  commit(ref: string, opts: CommitOptions): Promise<string>;
  stats(ref: string, opts: StatsOptions): AsyncIterable<StatsFrame>;
  update(ref: string, u: UpdateSpec): Promise<string[]>;
}

const ZERO_TIME = "0001-01-01T00:00:00Z";

function cpuWire(s: StatsSample | undefined): CpuStatsWire {
  const cpu = s?.cgroup?.cpu;
  if (cpu === undefined) {
    return {
      cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
      throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
    };
  }
  return {
    cpu_usage: {
      total_usage: cpu.totalNano,
      ...(cpu.perCpuNano.length > 0 ? { percpu_usage: cpu.perCpuNano } : {}),
      usage_in_kernelmode: cpu.systemNano,
      usage_in_usermode: cpu.userNano,
    },
    system_cpu_usage: cpu.hostNano,
    online_cpus: cpu.onlineCpus,
    throttling_data: {
      periods: cpu.throttling.periods,
      throttled_periods: cpu.throttling.throttledPeriods,
      throttled_time: cpu.throttling.throttledTimeNano,
    },
  };
}

/** Go's time.Time in RFC 3339 with nanoseconds. */
function rfc3339Nano(nano: bigint): string {
  const iso = new Date(Number(nano / 1_000_000n)).toISOString().slice(0, 19);
  const frac = String(nano % 1_000_000_000n)
    .padStart(9, "0")
    .replace(/0+$/, "");
  return `${iso}${frac ? `.${frac}` : ""}Z`;
}

export function toStatsWire(f: StatsFrame): StatsResponseWire {
  const s = f.current;
  const g = s.cgroup;
  const blk = g?.blkio.entries.map((e) => ({ major: e.major, minor: e.minor, op: e.op, value: e.value }));
  const out: StatsResponseWire = {
    name: `/${s.name}`,
    id: s.id,
    read: g ? rfc3339Nano(g.readAtNano) : ZERO_TIME,
    preread: f.previous?.cgroup ? rfc3339Nano(f.previous.cgroup.readAtNano) : ZERO_TIME,
    pids_stats: g
      ? { current: g.pids.current, ...(g.pids.limit !== undefined ? { limit: g.pids.limit } : {}) }
      : {},
    blkio_stats: {
      io_service_bytes_recursive: blk && blk.length > 0 ? blk : null,
      io_serviced_recursive: null,
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuWire(s),
    precpu_stats: cpuWire(f.previous),
    memory_stats: g
      ? {
          usage: g.memory.usage,
          ...(g.cgroupVersion === 1 ? { max_usage: g.memory.maxUsage } : {}),
          stats: g.memory.stats,
          ...(g.cgroupVersion === 1 ? { failcnt: g.memory.failcnt } : {}),
          limit: g.memory.limit,
        }
      : {},
  };
  if (s.networks && Object.keys(s.networks).length > 0) {
    out.networks = {};
    for (const [name, n] of Object.entries(s.networks)) {
      out.networks[name] = {
        rx_bytes: n.rxBytes,
        rx_packets: n.rxPackets,
        rx_errors: n.rxErrors,
        rx_dropped: n.rxDropped,
        tx_bytes: n.txBytes,
        tx_packets: n.txPackets,
        tx_errors: n.txErrors,
        tx_dropped: n.txDropped,
      };
    }
  }
  return out;
}

async function getTop(ctx: RequestContext, b: ContainerExtrasBackend): Promise<void> {
  const r = await b.top(ctx.param("name"), ctx.query.get("ps_args") ?? "");
  const body: ContainerTopResponse = { Titles: r.titles, Processes: r.processes };
  ctx.json(200, body);
}

async function getChanges(ctx: RequestContext, b: ContainerExtrasBackend): Promise<void> {
  const changes = await b.changes(ctx.param("name"));
  const body: FilesystemChangeWire[] = changes.map((c) => ({ Path: c.path, Kind: c.kind }));
  ctx.json(200, body);
}

async function getExport(ctx: RequestContext, b: ContainerExtrasBackend): Promise<void> {
  const tar = await b.export(ctx.param("name"));
  const res = ctx.stream("application/x-tar");
  await pipeline(tar, res).catch(() => tar.destroy());
}

/** The repo and tag query pair to a tag reference (moby's RepoTagReference). */
function commitTag(repo: string, tag: string): Reference | undefined {
  if (repo === "") return undefined;
  const ref = parseRepoTag(repo, tag);
  return withDefaultTag(ref);
}

async function postCommit(ctx: RequestContext, b: ContainerExtrasBackend): Promise<void> {
  const q = ctx.query;
  const container = q.get("container") ?? "";
  if (container === "") throw invalid("No container name or ID supplied");
  const body = await readJson(ctx.req);
  if (body !== undefined && body !== null && (typeof body !== "object" || Array.isArray(body))) {
    throw invalid("invalid JSON: the body must be a container config object");
  }
  const tag = commitTag(q.get("repo") ?? "", q.get("tag") ?? "");
  const id = await b.commit(container, {
    ...(tag ? { tag } : {}),
    comment: q.get("comment") ?? "",
    author: q.get("author") ?? "",
    // Docker pauses unless told not to (pause=0), for API versions after 1.13.
    pause: boolOr(q, "pause", true),
    changes: q.getAll("changes"),
    ...(body ? { config: body as ContainerConfig } : {}),
  });
  const out: CommitResponseWire = { Id: id };
  ctx.json(201, out);
}

async function getStats(ctx: RequestContext, b: ContainerExtrasBackend): Promise<void> {
  const stream = boolOr(ctx.query, "stream", true);
  const oneShot = boolValue(ctx.query, "one-shot");
  if (oneShot && stream) throw invalid("cannot have stream=true and one-shot=true");
  const ac = new AbortController();
  ctx.req.socket.on("close", () => ac.abort());
  const frames = b.stats(ctx.param("name"), { stream, oneShot, signal: ac.signal });
  const it = frames[Symbol.asyncIterator]();
  const first = await it.next(); // errors (no such container) still get their status
  const res = ctx.stream("application/json");
  if (!first.done) res.write(JSON.stringify(toStatsWire(first.value)) + "\n");
  for (;;) {
    if (ac.signal.aborted) break;
    const next = await it.next();
    if (next.done) break;
    res.write(JSON.stringify(toStatsWire(next.value)) + "\n");
  }
  await it.return?.();
  res.end();
}

function num(v: unknown, key: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !Number.isFinite(v)) throw invalid(`invalid value for ${key}`);
  return v;
}

export function toUpdateSpec(body: ContainerUpdateBody): UpdateSpec {
  for (const key of [
    "KernelMemory",
    "MemoryReservation",
    "CpuRealtimePeriod",
    "CpuRealtimeRuntime",
    "BlkioWeight",
  ]) {
    if (num(body[key], key) !== 0) throw invalid(`${key} cannot be updated by berth`);
  }
  if ((body.CpusetMems ?? "") !== "") throw invalid("CpusetMems cannot be updated by berth");
  const rp = body.RestartPolicy;
  return {
    memory: num(body.Memory, "Memory"),
    memorySwap: num(body.MemorySwap, "MemorySwap"),
    cpuShares: num(body.CpuShares, "CpuShares"),
    cpuQuota: num(body.CpuQuota, "CpuQuota"),
    cpuPeriod: num(body.CpuPeriod, "CpuPeriod"),
    nanoCpus: num(body.NanoCpus, "NanoCpus"),
    cpusetCpus: typeof body.CpusetCpus === "string" ? body.CpusetCpus : "",
    ...(body.PidsLimit !== undefined && body.PidsLimit !== null
      ? { pidsLimit: num(body.PidsLimit, "PidsLimit") }
      : {}),
    ...(rp && rp.Name
      ? { restartPolicy: { name: rp.Name, maximumRetryCount: rp.MaximumRetryCount ?? 0 } }
      : {}),
  };
}

async function postUpdate(ctx: RequestContext, b: ContainerExtrasBackend): Promise<void> {
  const body = await readJson(ctx.req);
  if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body)) {
    throw invalid("invalid JSON: the body must be an update object");
  }
  const warnings = await b.update(ctx.param("name"), toUpdateSpec(body as ContainerUpdateBody));
  const out: ContainerUpdateResponse = { Warnings: warnings.length > 0 ? warnings : null };
  ctx.json(200, out);
}

export function containerExtraRoutes(b: ContainerExtrasBackend): Route[] {
  return [
    { method: "GET", path: "/containers/{name}/top", handler: (ctx) => getTop(ctx, b) },
    { method: "GET", path: "/containers/{name}/changes", handler: (ctx) => getChanges(ctx, b) },
    { method: "GET", path: "/containers/{name}/export", handler: (ctx) => getExport(ctx, b) },
    { method: "GET", path: "/containers/{name}/stats", handler: (ctx) => getStats(ctx, b) },
    { method: "POST", path: "/containers/{name}/update", handler: (ctx) => postUpdate(ctx, b) },
    { method: "POST", path: "/commit", handler: (ctx) => postCommit(ctx, b) },
  ];
}
