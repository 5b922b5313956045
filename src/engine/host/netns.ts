/**
 * Named network namespaces, kept alive by a bind mount of the nsfs file on a
 * plain file (what `ip netns add` does under /run/netns), in any directory the
 * caller picks. The directory is made a shared mount point of itself first, as
 * iproute2 does, so that a later umount also reaches the copies held by mount
 * namespaces created meanwhile (a container's), and the netns really goes away.
 */
import { spawn as spawnChild } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { batchText, type IpCommand } from "./ip.js";
import { runCommand, type CommandOptions, type CommandResult } from "./command.js";
import { MNT_DETACH, MS_BIND, MS_REC, nativeSys } from "./native.js";

const MS_SHARED = 1 << 20;

export interface NetnsProcess {
  readonly pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

export interface NetnsHost {
  /** Creates dir if needed and makes it a shared mount point (idempotent). */
  prepareDir(dir: string): void;
  /** Undoes prepareDir (lazy unmount); for tests and uninstall. */
  releaseDir(dir: string): void;
  /**
   * Creates a netns bound at path, loopback up, then runs the ip commands inside it,
   * all in one process. Fails if path already holds a netns.
   */
  create(path: string, commands?: readonly IpCommand[]): Promise<void>;
  /** Unmounts and unlinks path; a missing one is not an error. */
  remove(path: string): void;
  /** Whether path is a bound netns. */
  exists(path: string): boolean;
  /** Runs argv inside the netns and waits for it. */
  exec(path: string, argv: readonly string[], opts?: CommandOptions): Promise<CommandResult>;
  /** Starts argv inside the netns (stdio ignored) without waiting. */
  spawn(path: string, argv: readonly string[]): NetnsProcess;
}

function nsenterArgv(path: string, argv: readonly string[]): string[] {
  return ["nsenter", `--net=${path}`, "--", ...argv];
}

function isMountPoint(dir: string): { mounted: boolean; shared: boolean } {
  const line = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((l) => l.split(" ")[4] === dir)
    .pop();
  if (line === undefined) return { mounted: false, shared: false };
  const optional = line.split(" - ")[0]?.split(" ").slice(6) ?? [];
  return { mounted: true, shared: optional.some((o) => o.startsWith("shared:")) };
}

export const realNetns: NetnsHost = {
  prepareDir(dir) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const state = isMountPoint(dir);
    if (state.shared) return;
    const sys = nativeSys();
    if (!state.mounted) sys.mount(dir, dir, null, MS_BIND | MS_REC, null);
    sys.mount(null, dir, null, MS_SHARED | MS_REC, null);
  },
  releaseDir(dir) {
    if (isMountPoint(dir).mounted) nativeSys().umount2(dir, MNT_DETACH);
  },
  async create(path, commands = []) {
    // unshare bind-mounts the new netns on an existing file, and refuses to create it.
    closeSync(openSync(path, "wx", 0o444));
    try {
      await runCommand(["unshare", `--net=${path}`, "--", "ip", "-batch", "-"], {
        input: batchText([["link", "set", "lo", "up"], ...commands]),
        timeoutMs: 15_000,
      });
    } catch (e) {
      this.remove(path);
      throw e;
    }
  },
  remove(path) {
    try {
      nativeSys().umount2(path, MNT_DETACH);
    } catch {
      // Not mounted (or already gone): unlinking is all that is left to do.
    }
    rmSync(path, { force: true });
  },
  exists(path) {
    try {
      return statSync(path).dev === statSync("/proc/self/ns/net").dev;
    } catch {
      return false;
    }
  },
  exec(path, argv, opts) {
    return runCommand(nsenterArgv(path, argv), opts);
  },
  spawn(path, argv) {
    const [cmd, ...args] = nsenterArgv(path, argv);
    const child = spawnChild(cmd ?? "nsenter", args, { stdio: "ignore" });
    const exited = new Promise<number | null>((resolve) => {
      child.on("close", (code) => resolve(code));
      child.on("error", () => resolve(null));
    });
    return {
      pid: child.pid ?? -1,
      exited,
      kill: (signal) => void child.kill(signal ?? "SIGTERM"),
    };
  },
};
