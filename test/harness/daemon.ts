/**
 * A private berthd for one test file: its own data root, exec root and
 * socket, started from the same build as the tests, stopped and checked for
 * leaks afterwards. Also runs the real docker CLI and the berth CLI against it.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmdirSync, rmSync, existsSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Dockerode from "dockerode";
import { escapeArgv } from "../../src/cli/argv.js";

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

/** The host networking one test daemon owns: its own default bridge, subnet and iptables chains. */
export interface TestNetwork {
  bridge: string;
  chainPrefix: string;
  /** The default bridge's address and prefix, e.g. "10.231.7.1/24". */
  bip: string;
}

export interface TestDaemon {
  dataRoot: string;
  execRoot: string;
  network: TestNetwork;
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

/**
 * A default-bridge address "10.b.c.1/24" in 10.220-250.x whose /24 and the
 * `following` /24s after it overlap no host route (the root network test uses 10.211).
 */
export function freeTestSubnet(following = 0): string {
  const routes = readFileSync("/proc/net/route", "utf8")
    .split("\n")
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1] && f[7] && f[7] !== "00000000")
    .map((f) => [littleEndian(f[1]!), littleEndian(f[7]!)] as const);
  for (;;) {
    const b = 220 + Math.floor(Math.random() * 31);
    const c = Math.floor(Math.random() * (256 - following));
    const clash = [...Array(following + 1).keys()].some((i) => {
      const net = ((10 << 24) | (b << 16) | ((c + i) << 8)) >>> 0;
      return routes.some(([dest, mask]) => {
        const m = (mask & 0xffffff00) >>> 0;
        return (dest & m) >>> 0 === (net & m) >>> 0;
      });
    });
    if (!clash) return `10.${b}.${c}.1/24`;
  }
}

function littleEndian(hex: string): number {
  const n = parseInt(hex, 16);
  return (((n & 255) << 24) | (((n >>> 8) & 255) << 16) | (((n >>> 16) & 255) << 8) | (n >>> 24)) >>> 0;
}

/**
 * Flags that keep a test daemon's networking apart from the host's berthd and
 * other tests, and make it remove its bridges and rules at exit; a flag the
 * test gives itself wins.
 */
function networkArgs(extra: readonly string[]): { args: string[]; network: TestNetwork } {
  const given = (flag: string) => {
    const i = extra.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    if (i < 0) return undefined;
    const a = extra[i]!;
    return a.includes("=") ? a.slice(a.indexOf("=") + 1) : extra[i + 1];
  };
  const rand = randomBytes(3).toString("hex");
  const network = {
    bridge: given("--bridge-name") ?? `bt${rand}`,
    chainPrefix: given("--iptables-chain-prefix") ?? `BT${rand.toUpperCase()}`,
    bip: given("--bip") ?? freeTestSubnet(),
  };
  const args = ["--cleanup-network-on-exit"];
  if (given("--bridge-name") === undefined) args.push("--bridge-name", network.bridge);
  if (given("--iptables-chain-prefix") === undefined)
    args.push("--iptables-chain-prefix", network.chainPrefix);
  if (given("--bip") === undefined) args.push("--bip", network.bip);
  return { args, network };
}

export interface StartOptions {
  extraArgs?: string[];
  /** Another data root (kept at stop); a second daemon on a live one must fail. */
  dataRoot?: string;
  /**
   * Start again where a stopped or killed daemon ran: same data root, exec root,
   * socket, bridge, subnet and chains, as a host restart of berthd would.
   */
  restartOf?: TestDaemon;
  /** Import busybox:latest (the quick start's image) before returning. */
  busybox?: boolean;
}

export async function startDaemon(opts: StartOptions = {}): Promise<TestDaemon> {
  const prev = opts.restartOf;
  const base = prev ? dirname(prev.execRoot) : mkdtempSync(join(tmpdir(), "berth-test-"));
  const dataRoot = prev?.dataRoot ?? opts.dataRoot ?? join(base, "data");
  const keepData = opts.dataRoot !== undefined || (prev !== undefined && !prev.dataRoot.startsWith(base));
  const execRoot = join(base, "run");
  const socket = join(execRoot, "berth.sock");
  const host = `unix://${socket}`;
  const logChunks: Buffer[] = [];
  const net = prev
    ? networkArgs([
        "--bridge-name",
        prev.network.bridge,
        "--iptables-chain-prefix",
        prev.network.chainPrefix,
        "--bip",
        prev.network.bip,
        ...(opts.extraArgs ?? []),
      ])
    : networkArgs(opts.extraArgs ?? []);
  if (prev)
    net.args.push(
      "--bridge-name",
      prev.network.bridge,
      "--iptables-chain-prefix",
      prev.network.chainPrefix,
      "--bip",
      prev.network.bip,
    );
  const child = spawn(
    process.execPath,
    [
      daemonEntry,
      "--data-root",
      dataRoot,
      "--exec-root",
      execRoot,
      "-H",
      host,
      ...net.args,
      ...(opts.extraArgs ?? []),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (b: Buffer) => logChunks.push(b));
  child.stderr?.on("data", (b: Buffer) => logChunks.push(b));
  const log = () => Buffer.concat(logChunks).toString("utf8");
  for (let i = 0; ; i++) {
    if (await answers(socket)) break;
    if (child.exitCode !== null || i > 300) {
      child.kill("SIGKILL");
      if (prev === undefined) rmSync(base, { recursive: true, force: true });
      throw new Error(`berthd did not start:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const env = { DOCKER_HOST: host, DOCKER_CONFIG: join(base, "docker-config"), BERTH_HOST: host };
  const d: TestDaemon = {
    dataRoot,
    execRoot,
    network: net.network,
    socket,
    host,
    process: child,
    dockerode: new Dockerode({ socketPath: socket }),
    log,
    docker: (args, o) => run("docker", args, { ...o, env: { ...env, ...o?.env } }),
    // Escaped like bin/berth does, so node itself never sees a --env-file meant for berth.
    berth: (args, o) =>
      run(process.execPath, [cliEntry, ...escapeArgv(args)], { ...o, env: { ...env, ...o?.env } }),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
        clearTimeout(timer);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      if (child.signalCode === "SIGKILL") return; // a crash: what it left is for the restart to find
      if (!keepData) rmSync(base, { recursive: true, force: true });
      else {
        // The data root lives elsewhere (kept for a restart): the rest of base goes, then base
        // itself (a restart makes it again for its exec root).
        rmSync(execRoot, { recursive: true, force: true });
        rmSync(join(base, "docker-config"), { recursive: true, force: true });
        try {
          rmdirSync(base);
        } catch {
          // not empty: something else of the test is in it
        }
      }
    },
  };
  if (opts.busybox === true) await importBusybox(d);
  return d;
}

/** Imports busybox:latest with the docker CLI; returns its image ID. */
export async function importBusybox(d: TestDaemon): Promise<string> {
  const r = await d.docker(["import", "-", "busybox:latest"], { input: busyboxTar() });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** Stops the daemon and fails if it left a mount, process, bridge or iptables rule behind. */
export async function stopClean(d: TestDaemon): Promise<void> {
  await d.stop();
  assert.deepEqual(leaks(d), []);
}

/** Polls `check` every 100 ms until it holds; fails after `timeoutMs` naming `what`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * What a stopped test left behind: mounts under its roots, conmon processes
 * naming them, and (given the daemon's network) its bridge and iptables chains.
 */
export function leaks(d: Pick<TestDaemon, "dataRoot" | "execRoot"> & { network?: TestNetwork }): string[] {
  const found: string[] = [];
  if (d.network) {
    if (existsSync(join("/sys/class/net", d.network.bridge))) found.push(`bridge ${d.network.bridge}`);
    const saved = spawnSync("iptables-save", [], { encoding: "utf8" }).stdout ?? "";
    for (const line of saved.split("\n")) {
      const own = line.startsWith(`:${d.network.chainPrefix}`) || line.includes(`"${d.network.chainPrefix}`);
      if (own || line.includes(`--comment ${d.network.chainPrefix}`)) found.push(`iptables ${line}`);
    }
  }
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
