/**
 * `docker top`: the host's `ps` (default `-ef`), its lines kept only for the
 * container's processes, as dockerd does. The processes are those in the
 * cgroup of the container's init (cgroup.procs), so exec'd processes count.
 */
import { readFile } from "node:fs/promises";
import { conflict, internal, invalid } from "../errors.js";
import { CGROUP_ROOT, parseProcCgroup } from "../host/cgroups.js";
import { containerExtraMessages, containerMessages } from "../messages.js";
import type { ContainerAccess } from "./extrasDeps.js";
import type { RuntimeState } from "./runtime/types.js";

export interface TopResult {
  titles: string[];
  processes: string[][];
}

export interface TopDeps {
  containers: Pick<ContainerAccess, "get" | "publish">;
  runtime: { state(id: string): Promise<RuntimeState | undefined> };
  /** Runs ps with these arguments; resolves with stdout, rejects with the first line of stderr. */
  ps(args: string[]): Promise<string>;
  /** The pids in the cgroup of `pid` (default: read from /proc and /sys/fs/cgroup). */
  cgroupPids?(pid: number): Promise<number[]>;
}

/** dockerd refuses `-o x=PID…` renames of the PID column, which would hide what it filters on. */
export function validatePsArgs(psArgs: string): void {
  for (const m of psArgs.matchAll(/\s+([^\s]*)=\s*(PID[^\s]*)/g)) {
    if (m[1] !== "pid") throw invalid(`specifying "${m[1]}=${m[2]}" is not allowed`);
  }
}

const fields = (line: string): string[] => line.split(/[\t\n\f\r ]+/).filter((f) => f !== "");

/** ps output to Titles and Processes: lines of the given pids (and the thread lines under them). */
export function parsePsOutput(output: string, pids: readonly number[]): TopResult {
  const lines = output.split("\n");
  const titles = fields(lines[0] ?? "");
  const pidIndex = titles.indexOf("PID");
  if (pidIndex < 0) throw internal("Couldn't find PID field in ps output");
  const want = new Set(pids);
  const processes: string[][] = [];
  const add = (f: string[]) => {
    const head = f.slice(0, titles.length - 1);
    processes.push([...head, f.slice(titles.length - 1).join(" ")]);
  };
  let inside = false;
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const f = fields(line);
    const pidText = f[pidIndex] ?? "";
    if (pidText === "-") {
      if (inside) add(f); // a thread line (ps -m) of a process we keep
      continue;
    }
    const pid = Number(pidText);
    if (!Number.isInteger(pid)) throw internal(`Unexpected pid '${pidText}'`);
    inside = want.has(pid);
    if (inside) add(f);
  }
  return { titles, processes };
}

/** Pids of every process in the cgroup that `pid` is in (v1: the pids hierarchy; v2: unified). */
export async function cgroupPids(pid: number): Promise<number[]> {
  const m = parseProcCgroup(await readFile(`/proc/${pid}/cgroup`, "utf8"));
  const dirs: string[] = [];
  for (const ctrl of ["pids", "memory", "cpu", "devices"]) {
    const p = m.get(ctrl);
    if (p !== undefined) dirs.push(`${CGROUP_ROOT}/${ctrl}${p}`);
  }
  const unified = m.get("");
  if (unified !== undefined) dirs.push(`${CGROUP_ROOT}${unified}`, `${CGROUP_ROOT}/unified${unified}`);
  for (const dir of dirs) {
    try {
      const text = await readFile(`${dir}/cgroup.procs`, "utf8");
      return text
        .split("\n")
        .filter((l) => l !== "")
        .map(Number);
    } catch {
      // not this hierarchy
    }
  }
  return [pid];
}

export class ContainerTop {
  constructor(private readonly d: TopDeps) {}

  async top(ref: string, psArgs: string): Promise<TopResult> {
    const args = psArgs === "" ? "-ef" : psArgs;
    validatePsArgs(args);
    const c = this.d.containers.get(ref);
    if (c.state.status === "restarting") throw conflict(containerExtraMessages.restarting(c.id));
    if (c.state.status !== "running" && c.state.status !== "paused") {
      throw conflict(containerMessages.notRunning(c.id));
    }
    const st = await this.d.runtime.state(c.id);
    if (st === undefined || st.pid <= 0) throw conflict(containerMessages.notRunning(c.id));
    const pids = await (this.d.cgroupPids ?? cgroupPids)(st.pid);
    const argv = args.split(" ").filter((a) => a !== "");
    let out: string;
    try {
      out = await this.d.ps([...argv, `-q${pids.join(",")}`]);
    } catch {
      // Some options (f) do not mix with -q: ask again and filter here.
      out = await this.d.ps(argv).catch((err: unknown) => {
        throw internal(`ps: ${(err as Error).message}`, err);
      });
    }
    const result = parsePsOutput(out, pids);
    this.d.containers.publish(c, "top");
    return result;
  }
}
