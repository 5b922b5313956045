/** `berth update`: new resource limits or restart policy for containers. */
import type { ContainerUpdateBody } from "../../api/types/containerExtras.js";
import { ApiError } from "../../client/index.js";
import { CliError } from "../context.js";
import { ramInBytes } from "../format/index.js";
import type { CommandSpec, FlagSpec, ParsedArgs } from "../spec.js";

const flag = (name: string, description: string, valueName: string, short?: string): FlagSpec => ({
  name,
  kind: "string",
  description,
  valueName,
  ...(short ? { short } : {}),
});

function bytes(value: string, flagName: string): number {
  try {
    return ramInBytes(value);
  } catch (err) {
    throw new CliError(`invalid argument "${value}" for "--${flagName}" flag: ${(err as Error).message}`);
  }
}

function int(value: string, flagName: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new CliError(
      `invalid argument "${value}" for "--${flagName}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`,
    );
  }
  return n;
}

/** --cpus as NanoCpus: a decimal with at most 9 fractional digits. */
export function nanoCpus(value: string): number {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!m || (m[1] === "" && (m[2] ?? "") === "")) {
    throw new CliError(
      `invalid argument "${value}" for "--cpus" flag: failed to parse ${value} as a rational number`,
    );
  }
  const frac = m[2] ?? "";
  if (frac.replace(/0+$/, "").length > 9) {
    throw new CliError(`invalid argument "${value}" for "--cpus" flag: value is too precise`);
  }
  return Number(m[1] || "0") * 1e9 + Number(frac.padEnd(9, "0").slice(0, 9) || "0");
}

/** --restart name[:max-retries]. */
export function restartPolicy(value: string): { Name: string; MaximumRetryCount: number } {
  const [name = "", count] = value.split(":", 2);
  if (count === undefined) return { Name: name, MaximumRetryCount: 0 };
  const n = Number(count);
  if (!/^-?\d+$/.test(count))
    throw new CliError(`invalid restart policy format: maximum retry count must be an integer`);
  return { Name: name, MaximumRetryCount: n };
}

export function updateBody(args: ParsedArgs): ContainerUpdateBody {
  const s = (n: string) => args.strings.get(n);
  const body: ContainerUpdateBody = {};
  const set = (n: string, fn: (v: string) => void) => {
    const v = s(n);
    if (v !== undefined && args.given.has(n)) fn(v);
  };
  set("memory", (v) => (body.Memory = bytes(v, "memory")));
  set("memory-swap", (v) => (body.MemorySwap = v === "-1" ? -1 : bytes(v, "memory-swap")));
  set("memory-reservation", (v) => (body.MemoryReservation = bytes(v, "memory-reservation")));
  set("kernel-memory", (v) => (body.KernelMemory = bytes(v, "kernel-memory")));
  set("cpu-shares", (v) => (body.CpuShares = int(v, "cpu-shares")));
  set("cpu-period", (v) => (body.CpuPeriod = int(v, "cpu-period")));
  set("cpu-quota", (v) => (body.CpuQuota = int(v, "cpu-quota")));
  set("cpu-rt-period", (v) => (body.CpuRealtimePeriod = int(v, "cpu-rt-period")));
  set("cpu-rt-runtime", (v) => (body.CpuRealtimeRuntime = int(v, "cpu-rt-runtime")));
  set("blkio-weight", (v) => (body.BlkioWeight = int(v, "blkio-weight")));
  set("cpus", (v) => (body.NanoCpus = nanoCpus(v)));
  set("cpuset-cpus", (v) => (body.CpusetCpus = v));
  set("cpuset-mems", (v) => (body.CpusetMems = v));
  set("pids-limit", (v) => (body.PidsLimit = int(v, "pids-limit")));
  set("restart", (v) => (body.RestartPolicy = restartPolicy(v)));
  return body;
}

export const update: CommandSpec = {
  path: ["container", "update"],
  aliases: [["update"]],
  usage: "container update [OPTIONS] CONTAINER [CONTAINER...]",
  description: "Update configuration of one or more containers",
  flags: [
    flag(
      "blkio-weight",
      "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)",
      "uint16",
    ),
    flag("cpu-period", "Limit CPU CFS (Completely Fair Scheduler) period", "int"),
    flag("cpu-quota", "Limit CPU CFS (Completely Fair Scheduler) quota", "int"),
    flag("cpu-rt-period", "Limit the CPU real-time period in microseconds", "int"),
    flag("cpu-rt-runtime", "Limit the CPU real-time runtime in microseconds", "int"),
    flag("cpu-shares", "CPU shares (relative weight)", "int", "c"),
    flag("cpus", "Number of CPUs", "decimal"),
    flag("cpuset-cpus", "CPUs in which to allow execution (0-3, 0,1)", "string"),
    flag("cpuset-mems", "MEMs in which to allow execution (0-3, 0,1)", "string"),
    flag("memory", "Memory limit", "bytes", "m"),
    flag("memory-reservation", "Memory soft limit", "bytes"),
    flag("memory-swap", "Swap limit equal to memory plus swap: -1 to enable unlimited swap", "bytes"),
    { ...flag("kernel-memory", "Kernel memory limit (deprecated)", "bytes"), hidden: true },
    flag("pids-limit", "Tune container pids limit (set -1 for unlimited)", "int"),
    flag("restart", "Restart policy to apply when a container exits", "string"),
  ],
  args: { min: 1, max: Number.MAX_SAFE_INTEGER },
  async run(ctx, args) {
    if (args.given.size === 0)
      throw new CliError("you must provide one or more flags when using this command");
    const body = updateBody(args);
    const errors: string[] = [];
    for (const name of args.positionals) {
      try {
        const r = await ctx.client.containerExtras.update(name, body);
        for (const w of r.Warnings ?? []) ctx.stderr.write(`${w}\n`);
        ctx.stdout.write(`${name}\n`);
      } catch (err) {
        errors.push(
          err instanceof ApiError ? `Error response from daemon: ${err.message}` : (err as Error).message,
        );
      }
    }
    if (errors.length > 0) throw new CliError(errors.join("\n"));
    return 0;
  },
};
