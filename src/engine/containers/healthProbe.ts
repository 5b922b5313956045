/**
 * One health probe: the check's command run as an exec session in the
 * container (as dockerd's cmdProbe), with the container's user, env and
 * working dir, no tty, stdout and stderr gathered into one bounded buffer.
 * A probe past its timeout is killed and counts as a failure with Docker's
 * "Health check exceeded timeout (…)" text. Emits the exec_create,
 * exec_start and exec_die events dockerd emits for probes.
 */
import { newExecId } from "../ids.js";
import { signalPid } from "../host/conmon.js";
import type { ContainerEvents } from "./deps.js";
import { goDuration, LimitedOutput, type HealthResult } from "./health.js";
import type { Container } from "./model.js";
import { readFileInRoot } from "./rootfsFiles.js";
import type { ExecSession, OciProcess, Runtime } from "./runtime/types.js";
import { applyCapabilities } from "./spec/caps.js";
import { processEnv } from "./spec/env.js";
import { resolveUser } from "./spec/user.js";

export interface ProbeHost {
  runtime: Runtime;
  events: ContainerEvents;
  mergedPath(id: Container["id"]): string;
}

export interface ProbeOptions {
  argv: string[];
  timeoutMs: number;
  /** Aborted when the container stops: the probe is killed and its result dropped. */
  signal: AbortSignal;
}

/** Runs one probe; never throws (a probe that cannot run is a failure with exit code -1). */
export async function runProbe(host: ProbeHost, c: Container, o: ProbeOptions): Promise<HealthResult> {
  const start = new Date().toISOString();
  const failed = (err: unknown): HealthResult => ({
    start,
    end: new Date().toISOString(),
    exitCode: -1,
    output: (err as Error).message,
  });
  const execId = newExecId();
  const cmdText = o.argv.join(" ");
  const publish = (action: string, extra: Record<string, string> = {}) =>
    host.events.publish({
      type: "container",
      action,
      actorId: c.id,
      attributes: { ...c.config.labels, image: c.imageRef, name: c.name, execID: execId, ...extra },
    });
  let session: ExecSession;
  try {
    const process = await probeProcess(host, c, o.argv);
    publish(`exec_create: ${cmdText}`);
    session = await host.runtime.exec(c.id, {
      execId,
      process,
      tty: false,
      attach: true,
      stdout: true,
      stderr: true,
    });
  } catch (err) {
    return failed(err);
  }
  publish(`exec_start: ${cmdText}`);
  const output = new LimitedOutput();
  const drained = (async () => {
    for await (const chunk of session.output) output.write(chunk.data);
  })().catch(() => undefined);

  let timer: NodeJS.Timeout | undefined;
  const kill = () => signalPid(session.pid, "SIGKILL");
  o.signal.addEventListener("abort", kill, { once: true });
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), o.timeoutMs);
  });
  try {
    const first = await Promise.race([session.exitCode, timedOut]);
    if (first === "timeout") {
      kill();
      // Wait for the killed probe, so dying probes do not pile up.
      const code = await session.exitCode.catch(() => -1);
      await settle(drained);
      publish("exec_die", { exitCode: String(code) });
      const text = output.toString();
      const limit = goDuration(o.timeoutMs * 1e6);
      return {
        start,
        end: new Date().toISOString(),
        exitCode: -1,
        output:
          text === ""
            ? `Health check exceeded timeout (${limit})`
            : `Health check exceeded timeout (${limit}): ${text}`,
      };
    }
    await settle(drained);
    publish("exec_die", { exitCode: String(first) });
    return { start, end: new Date().toISOString(), exitCode: first, output: output.toString() };
  } catch (err) {
    return failed(err);
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener("abort", kill);
    session.close();
  }
}

/** Output still buffered after the exit, but no waiting on a background process that holds the pipe. */
function settle(drained: Promise<void>): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([drained, new Promise<void>((r) => (t = setTimeout(r, 1000)))]).finally(() =>
    clearTimeout(t),
  );
}

/** The probe's process: the container's user, env and working dir; never privileged. */
async function probeProcess(host: ProbeHost, c: Container, argv: string[]): Promise<OciProcess> {
  const root = host.mergedPath(c.id);
  const user = resolveUser(
    c.config.user,
    c.spec.host.groupAdd,
    await readFileInRoot(root, "/etc/passwd"),
    await readFileInRoot(root, "/etc/group"),
  );
  const caps = applyCapabilities({
    privileged: c.spec.host.privileged,
    add: c.spec.host.capAdd,
    drop: c.spec.host.capDrop,
  });
  return {
    terminal: false,
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    args: argv,
    env: processEnv(c.config.env, c.config.hostname, false),
    cwd: c.config.workingDir || "/",
    capabilities: { bounding: caps, effective: caps, permitted: caps },
    noNewPrivileges: c.spec.host.noNewPrivileges,
  };
}
