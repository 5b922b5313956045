/**
 * Reading a container's resource usage from its cgroup, v1 or v2. The cgroup
 * is found from the container's init pid (/proc/PID/cgroup), so this works
 * whatever cgroupsPath the spec chose. On a hybrid host (v1 controllers plus
 * a unified mount without controllers) the v1 controllers hold the numbers.
 */
import { readFile } from "node:fs/promises";
import { availableParallelism, totalmem } from "node:os";

export const CGROUP_ROOT = "/sys/fs/cgroup";

/** controller (or "" for the v2 unified hierarchy) → path inside its hierarchy. */
export type CgroupMembership = Map<string, string>;

/** Parse /proc/PID/cgroup: `id:controllers:path` per line. */
export function parseProcCgroup(text: string): CgroupMembership {
  const out: CgroupMembership = new Map();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const a = line.indexOf(":");
    const b = line.indexOf(":", a + 1);
    if (a < 0 || b < 0) continue;
    const ctrls = line.slice(a + 1, b);
    const path = line.slice(b + 1);
    if (ctrls === "") out.set("", path);
    else for (const c of ctrls.split(",")) out.set(c, path);
  }
  return out;
}

/** `key value` lines (memory.stat, cpu.stat, cpuacct.stat, memory.events) to numbers. */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const [k, v] = line.trim().split(/\s+/);
    if (k === undefined || v === undefined) continue;
    const n = Number(v);
    if (Number.isFinite(n)) out[k] = n;
  }
  return out;
}

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

/** v1 blkio.throttle.io_service_bytes: `8:0 Read 4096` lines (and a `Total` line). */
export function parseBlkioV1(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\d+):(\d+)\s+(\S+)\s+(\d+)$/.exec(line.trim());
    if (!m) continue;
    out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3] ?? "", value: Number(m[4]) });
  }
  return out;
}

/** v2 io.stat: `8:0 rbytes=1 wbytes=2 rios=3 wios=4 …`, as Docker maps it (Read/Write bytes). */
export function parseIoStatV2(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split("\n")) {
    const [dev, ...kvs] = line.trim().split(/\s+/);
    const m = dev ? /^(\d+):(\d+)$/.exec(dev) : null;
    if (!m) continue;
    const major = Number(m[1]);
    const minor = Number(m[2]);
    for (const kv of kvs) {
      const [k, v] = kv.split("=");
      if (k === "rbytes") out.push({ major, minor, op: "read", value: Number(v) });
      else if (k === "wbytes") out.push({ major, minor, op: "write", value: Number(v) });
    }
  }
  return out;
}

/** A "max" or a number; v1 reports "no limit" as a huge page-rounded number. */
export function parseLimit(text: string): number | undefined {
  const t = text.trim();
  if (t === "max" || t === "") return undefined;
  const n = Number(t);
  if (!Number.isFinite(n) || n >= 2 ** 62) return undefined;
  return n;
}

/** USER_HZ: the unit of /proc/stat and cpuacct.stat; 100 on every Linux Docker supports. */
const CLOCK_TICKS = 100;
const NS_PER_TICK = 1e9 / CLOCK_TICKS;

/** Host CPU time of all CPUs in ns, as Docker's system_cpu_usage (first 7 fields of /proc/stat's cpu line). */
export function parseProcStatCpu(text: string): number {
  const line = text.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) return 0;
  const fields = line.trim().split(/\s+/).slice(1, 8).map(Number);
  return fields.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0) * NS_PER_TICK;
}

export interface CgroupSample {
  cgroupVersion: 1 | 2;
  cpu: {
    totalNano: number;
    userNano: number;
    systemNano: number;
    perCpuNano: number[];
    hostNano: number;
    onlineCpus: number;
    throttling: { periods: number; throttledPeriods: number; throttledTimeNano: number };
  };
  memory: { usage: number; limit: number; maxUsage: number; failcnt: number; stats: Record<string, number> };
  pids: { current: number; limit?: number };
  blkio: { entries: BlkioEntry[] };
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

async function readNum(path: string): Promise<number> {
  const t = await readText(path);
  const n = t === undefined ? NaN : Number(t.trim());
  return Number.isFinite(n) ? n : 0;
}

/** Which version holds the memory controller for this process. */
async function versionFor(m: CgroupMembership): Promise<1 | 2> {
  if (m.has("memory")) return 1;
  // Pure v2: only the "0::" line, and /sys/fs/cgroup itself is the unified mount.
  const ctrls = await readText(`${CGROUP_ROOT}/cgroup.controllers`);
  if (ctrls !== undefined) return 2;
  return 1;
}

/** Usage of the cgroup that process `pid` belongs to. Rejects when the process is gone. */
export async function sampleCgroup(pid: number): Promise<CgroupSample> {
  const procText = await readFile(`/proc/${pid}/cgroup`, "utf8");
  const m = parseProcCgroup(procText);
  const version = await versionFor(m);
  const hostNano = parseProcStatCpu((await readText("/proc/stat")) ?? "");
  const onlineCpus = availableParallelism();
  return version === 1 ? sampleV1(m, hostNano, onlineCpus) : sampleV2(m, hostNano, onlineCpus);
}

function v1Dir(m: CgroupMembership, ctrl: string): string {
  return `${CGROUP_ROOT}/${ctrl}${m.get(ctrl) ?? "/"}`;
}

async function sampleV1(m: CgroupMembership, hostNano: number, onlineCpus: number): Promise<CgroupSample> {
  const acct = v1Dir(m, "cpuacct");
  const cpuDir = v1Dir(m, "cpu");
  const mem = v1Dir(m, "memory");
  const pids = v1Dir(m, "pids");
  const blkio = v1Dir(m, "blkio");
  const [total, percpuText, acctStat, cpuStat, usage, limitText, maxUsage, failcnt, memStat] =
    await Promise.all([
      readNum(`${acct}/cpuacct.usage`),
      readText(`${acct}/cpuacct.usage_percpu`),
      readText(`${acct}/cpuacct.stat`),
      readText(`${cpuDir}/cpu.stat`),
      readNum(`${mem}/memory.usage_in_bytes`),
      readText(`${mem}/memory.limit_in_bytes`),
      readNum(`${mem}/memory.max_usage_in_bytes`),
      readNum(`${mem}/memory.failcnt`),
      readText(`${mem}/memory.stat`),
    ]);
  const [pidsCur, pidsMax, blk] = await Promise.all([
    readNum(`${pids}/pids.current`),
    readText(`${pids}/pids.max`),
    readText(`${blkio}/blkio.throttle.io_service_bytes`),
  ]);
  const acctKv = parseFlatKeyed(acctStat ?? "");
  const cpuKv = parseFlatKeyed(cpuStat ?? "");
  const perCpuNano = (percpuText ?? "")
    .trim()
    .split(/\s+/)
    .filter((s) => s !== "")
    .map(Number);
  const limit = parseLimit(limitText ?? "");
  const pidsLimit = parseLimit(pidsMax ?? "");
  return {
    cgroupVersion: 1,
    cpu: {
      totalNano: total,
      userNano: (acctKv.user ?? 0) * NS_PER_TICK,
      systemNano: (acctKv.system ?? 0) * NS_PER_TICK,
      perCpuNano,
      hostNano,
      onlineCpus,
      throttling: {
        periods: cpuKv.nr_periods ?? 0,
        throttledPeriods: cpuKv.nr_throttled ?? 0,
        throttledTimeNano: cpuKv.throttled_time ?? 0,
      },
    },
    memory: {
      usage,
      limit: limit === undefined ? totalmem() : Math.min(limit, totalmem()),
      maxUsage,
      failcnt,
      stats: parseFlatKeyed(memStat ?? ""),
    },
    pids: pidsLimit === undefined ? { current: pidsCur } : { current: pidsCur, limit: pidsLimit },
    blkio: { entries: parseBlkioV1(blk ?? "").filter((e) => e.op !== "Total") },
  };
}

async function sampleV2(m: CgroupMembership, hostNano: number, onlineCpus: number): Promise<CgroupSample> {
  const dir = `${CGROUP_ROOT}${m.get("") ?? "/"}`;
  const [cpuStat, usage, maxText, memStat, memEvents, pidsCur, pidsMax, io] = await Promise.all([
    readText(`${dir}/cpu.stat`),
    readNum(`${dir}/memory.current`),
    readText(`${dir}/memory.max`),
    readText(`${dir}/memory.stat`),
    readText(`${dir}/memory.events`),
    readNum(`${dir}/pids.current`),
    readText(`${dir}/pids.max`),
    readText(`${dir}/io.stat`),
  ]);
  const cpu = parseFlatKeyed(cpuStat ?? "");
  const limit = parseLimit(maxText ?? "");
  const pidsLimit = parseLimit(pidsMax ?? "");
  return {
    cgroupVersion: 2,
    cpu: {
      totalNano: (cpu.usage_usec ?? 0) * 1000,
      userNano: (cpu.user_usec ?? 0) * 1000,
      systemNano: (cpu.system_usec ?? 0) * 1000,
      perCpuNano: [],
      hostNano,
      onlineCpus,
      throttling: {
        periods: cpu.nr_periods ?? 0,
        throttledPeriods: cpu.nr_throttled ?? 0,
        throttledTimeNano: (cpu.throttled_usec ?? 0) * 1000,
      },
    },
    memory: {
      usage,
      limit: limit === undefined ? totalmem() : Math.min(limit, totalmem()),
      maxUsage: 0,
      failcnt: parseFlatKeyed(memEvents ?? "").max ?? 0,
      stats: parseFlatKeyed(memStat ?? ""),
    },
    pids: pidsLimit === undefined ? { current: pidsCur } : { current: pidsCur, limit: pidsLimit },
    blkio: { entries: parseIoStatV2(io ?? "") },
  };
}
