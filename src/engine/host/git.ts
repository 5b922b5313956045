/**
 * Running `git` for a build context from a git URL. Unlike runCommand, the caller needs git's
 * combined output whatever the exit status (Docker puts it in its error texts), a clean
 * environment (no user or system config, no prompts, no askpass, no proxies from the daemon's
 * environment), and a kill on the build's AbortSignal. git starts helpers (git-remote-http,
 * ssh), so it runs in its own process group and the whole group is killed.
 */
import { spawn } from "node:child_process";

export interface GitResult {
  ok: boolean;
  /** stdout and stderr as they came, like Go's CombinedOutput. */
  output: string;
  /** Go's words for how it ended ("exit status 128", "signal: killed"); "" when ok. */
  status: string;
  /** Killed because `timeoutMs` passed. */
  timedOut: boolean;
}

export interface GitOptions {
  cwd: string;
  /** Milliseconds before the process group is killed. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Config for every call: no file:// remotes (sneaky submodules), no redirects off the host. */
const configArgs = ["-c", "protocol.file.allow=never", "-c", "http.followRedirects=false"];

/** Nothing from the daemon's environment reaches git: only PATH, and settings that keep it quiet. */
function cleanEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: "/dev/null",
    LC_ALL: "C",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_PROTOCOL_FROM_USER: "0",
    // No tty (setsid) and batch mode: ssh fails instead of asking anything.
    GIT_SSH_COMMAND: "ssh -o BatchMode=yes",
  };
}

/** Runs `git <args>` in `cwd`; resolves with its output also when it fails. */
export function runGit(args: readonly string[], opts: GitOptions): Promise<GitResult> {
  if (opts.signal?.aborted === true)
    return Promise.resolve({ ok: false, output: "", status: "signal: killed", timedOut: false });
  return new Promise((resolve) => {
    const child = spawn("git", [...configArgs, ...args], {
      cwd: opts.cwd,
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = (b: Buffer) => {
      // Bounded: only the start matters in an error text, and a runaway git must not eat memory.
      if (size < 1024 * 1024) chunks.push(b);
      size += b.length;
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let killed: "abort" | "timeout" | undefined;
    const killGroup = (why: "abort" | "timeout") => {
      killed ??= why;
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          child.kill("SIGKILL");
        }
      }
    };
    const timer = setTimeout(() => killGroup("timeout"), opts.timeoutMs);
    const onAbort = () => killGroup("abort");
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const done = (r: GitResult) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      resolve(r);
    };
    child.once("error", (err: Error & { code?: string }) => {
      const status =
        err.code === "ENOENT"
          ? 'exec: "git": executable file not found in $PATH'
          : `exec: "git": ${err.message}`;
      done({ ok: false, output: "", status, timedOut: false });
    });
    child.once("close", (code, signal) => {
      const output = Buffer.concat(chunks).toString("utf8");
      const timedOut = killed === "timeout";
      if (killed !== undefined) done({ ok: false, output, status: "signal: killed", timedOut });
      else if (code === 0) done({ ok: true, output, status: "", timedOut });
      else
        done({
          ok: false,
          output,
          status: signal ? `signal: ${goSignal(signal)}` : `exit status ${code}`,
          timedOut,
        });
    });
  });
}

/** Go's names for the signals git dies of. */
function goSignal(s: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: "killed",
    SIGTERM: "terminated",
    SIGSEGV: "segmentation fault",
    SIGPIPE: "broken pipe",
    SIGABRT: "aborted",
    SIGINT: "interrupt",
  };
  return names[s] ?? s;
}
