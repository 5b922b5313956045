/**
 * A private berthd for one test file: its own data root, exec root and
 * socket, started from the same build as the tests, stopped and checked for
 * leaks afterwards. Also runs the real docker CLI and the berth CLI against it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Dockerode from "dockerode";

const buildRoot = fileURLToPath(new URL("../../", import.meta.url));
const daemonEntry = join(buildRoot, "src", "daemon", "entry.js");
const cliEntry = join(buildRoot, "src", "cli", "entry.js");
export const repoRoot = findRepoRoot();

function findRepoRoot(): string {
  let dir = buildRoot;
  while (!existsSync(join(dir, "package.json"))) dir = join(dir, "..");
  return dir;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestDaemon {
  dataRoot: string;
  execRoot: string;
  socket: string;
  host: string;
  process: ChildProcess;
  dockerode: Dockerode;
  /** The daemon's log so far. */
  log(): string;
  docker(args: string[], opts?: RunOptions): Promise<RunResult>;
  berth(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Stops the daemon (SIGTERM) and removes its directories. */
  stop(): Promise<void>;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...opts.env },
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export async function startDaemon(
  opts: { extraArgs?: string[]; dataRoot?: string } = {},
): Promise<TestDaemon> {
  const base = mkdtempSync(join(tmpdir(), "berth-test-"));
  const dataRoot = opts.dataRoot ?? join(base, "data");
  const execRoot = join(base, "run");
  const socket = join(execRoot, "berth.sock");
  const host = `unix://${socket}`;
  const logChunks: Buffer[] = [];
  const child = spawn(
    process.execPath,
    [daemonEntry, "--data-root", dataRoot, "--exec-root", execRoot, "-H", host, ...(opts.extraArgs ?? [])],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (b: Buffer) => logChunks.push(b));
  child.stderr?.on("data", (b: Buffer) => logChunks.push(b));
  const log = () => Buffer.concat(logChunks).toString("utf8");
  for (let i = 0; ; i++) {
    if (await answers(socket)) break;
    if (child.exitCode !== null || i > 300) {
      child.kill("SIGKILL");
      throw new Error(`berthd did not start:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const env = { DOCKER_HOST: host, DOCKER_CONFIG: join(base, "docker-config"), BERTH_HOST: host };
  return {
    dataRoot,
    execRoot,
    socket,
    host,
    process: child,
    dockerode: new Dockerode({ socketPath: socket }),
    log,
    docker: (args, o) => run("docker", args, { ...o, env: { ...env, ...o?.env } }),
    berth: (args, o) => run(process.execPath, [cliEntry, ...args], { ...o, env: { ...env, ...o?.env } }),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
        clearTimeout(timer);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      if (opts.dataRoot === undefined) rmSync(base, { recursive: true, force: true });
      else rmSync(execRoot, { recursive: true, force: true });
    },
  };
}

/** What a stopped test left behind: mounts under its roots, conmon processes naming them. */
export function leaks(d: Pick<TestDaemon, "dataRoot" | "execRoot">): string[] {
  const found: string[] = [];
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const mountPoint = line.split(" ")[4];
    if (mountPoint && (mountPoint.startsWith(d.dataRoot) || mountPoint.startsWith(d.execRoot))) {
      found.push(`mount ${mountPoint}`);
    }
  }
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {
      continue;
    }
    if (cmdline.includes(d.execRoot) || cmdline.includes(d.dataRoot))
      found.push(`process ${pid}: ${cmdline}`);
  }
  return found;
}

/** A busybox rootfs tar made from the host's busybox-static, as the quick start makes it. */
export function busyboxTar(): Buffer {
  const r = spawnSync(join(repoRoot, "scripts", "make-busybox-rootfs.sh"), { maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`make-busybox-rootfs failed: ${r.stderr.toString()}`);
  return r.stdout;
}
