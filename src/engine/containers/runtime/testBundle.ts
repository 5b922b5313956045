/**
 * Test helper: a tiny OCI bundle (busybox rootfs, minimal config.json) under a
 * temp dir, and the cgroup clean-up the tests need. Not used by the daemon.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, rmdir, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { OciProcess } from "./types.js";

export const BUSYBOX = "/bin/busybox";
const APPLETS = ["sh", "echo", "cat", "sleep", "true", "false", "ls", "kill", "head", "dd", "stty", "yes"];

const CAPS = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
  "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
  "CAP_AUDIT_WRITE",
]; // prettier-ignore

export interface TestEnv {
  /** Temp root holding the rootfs, bundles, logs and the runtime's state dir. */
  root: string;
  rootfs: string;
  stateDir: string;
  /** Prefix of every cgroup these tests create (one level under each hierarchy). */
  cgroupPrefix: string;
  cleanup(): Promise<void>;
}

export async function makeTestEnv(): Promise<TestEnv> {
  const root = await mkdtemp(join(tmpdir(), "berth-rt-"));
  const rootfs = join(root, "rootfs");
  await mkdir(join(rootfs, "bin"), { recursive: true });
  for (const d of ["proc", "dev", "sys", "tmp", "etc"]) await mkdir(join(rootfs, d), { recursive: true });
  await copyFile(BUSYBOX, join(rootfs, "bin", "busybox"));
  for (const a of APPLETS) await symlink("busybox", join(rootfs, "bin", a));
  const stateDir = join(root, "state");
  const cgroupPrefix = `berthtest-${randomBytes(4).toString("hex")}`;
  return {
    root,
    rootfs,
    stateDir,
    cgroupPrefix,
    cleanup: async () => {
      await removeCgroups(cgroupPrefix);
      await rm(root, { recursive: true, force: true });
    },
  };
}

export function testProcess(args: string[], tty = false): OciProcess {
  return {
    terminal: tty,
    user: { uid: 0, gid: 0 },
    args,
    env: ["PATH=/bin", "TERM=xterm"],
    cwd: "/",
    capabilities: { bounding: CAPS, effective: CAPS, permitted: CAPS },
    noNewPrivileges: true,
  };
}

/** Write bundle <root>/bundles/<id>/config.json pointing at the shared rootfs; returns the bundle dir. */
export async function makeBundle(
  env: TestEnv,
  id: string,
  args: string[],
  o: { tty?: boolean; memoryLimit?: number } = {},
): Promise<string> {
  const bundle = join(env.root, "bundles", id);
  await mkdir(bundle, { recursive: true });
  const resources: Record<string, unknown> = { devices: [{ allow: false, access: "rwm" }] };
  if (o.memoryLimit !== undefined) resources.memory = { limit: o.memoryLimit, swap: o.memoryLimit };
  const config = {
    ociVersion: "1.0.2",
    process: testProcess(args, o.tty ?? false),
    root: { path: env.rootfs, readonly: true },
    hostname: "rt-test",
    mounts: [
      { destination: "/proc", type: "proc", source: "proc" },
      { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
      { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"] },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
      { destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev"] },
    ],
    linux: {
      namespaces: [{ type: "pid" }, { type: "mount" }, { type: "ipc" }, { type: "uts" }, { type: "network" }],
      cgroupsPath: `/${env.cgroupPrefix}-${id}`,
      resources,
      maskedPaths: ["/proc/kcore", "/proc/keys", "/proc/timer_list"],
      readonlyPaths: ["/proc/sys", "/proc/sysrq-trigger"],
    },
  }; // prettier-ignore
  await writeFile(join(bundle, "config.json"), JSON.stringify(config, null, 2));
  return bundle;
}

/** Remove every cgroup dir named <prefix>-* in each hierarchy (runc delete normally did already). */
export async function removeCgroups(prefix: string): Promise<void> {
  const roots = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"];
  let ctrls: string[] = [];
  try {
    ctrls = await readdir("/sys/fs/cgroup");
  } catch {
    return;
  }
  const dirs = [...roots, ...ctrls.map((c) => join("/sys/fs/cgroup", c))];
  for (const d of dirs) {
    let entries: string[];
    try {
      entries = await readdir(d);
    } catch {
      continue;
    }
    for (const e of entries) if (e.startsWith(`${prefix}-`)) await rmdir(join(d, e)).catch(() => undefined);
  }
}

/** cgroup dirs still present with this prefix (leak check). */
export async function listCgroups(prefix: string): Promise<string[]> {
  const out: string[] = [];
  let ctrls: string[] = [];
  try {
    ctrls = await readdir("/sys/fs/cgroup");
  } catch {
    return out;
  }
  for (const c of ctrls) {
    const d = join("/sys/fs/cgroup", c);
    const entries = await readdir(d).catch(() => [] as string[]);
    for (const e of entries) if (e.startsWith(`${prefix}-`)) out.push(join(d, e));
  }
  return out;
}

/** pids of conmon processes whose command line mentions `needle`. */
export async function conmonsWith(needle: string): Promise<number[]> {
  const { readFile } = await import("node:fs/promises");
  const out: number[] = [];
  for (const p of await readdir("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const comm = (await readFile(`/proc/${p}/comm`, "utf8")).trim();
      if (comm !== "conmon") continue;
      const cmd = await readFile(`/proc/${p}/cmdline`, "utf8");
      if (cmd.includes(needle)) out.push(Number(p));
    } catch {
      // gone
    }
  }
  return out;
}
