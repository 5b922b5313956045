/**
 * Exec sessions: a process started inside a running container, with its own
 * user, env, working dir and tty. Kept in memory (as dockerd does) until the
 * container is removed.
 */
import { conflict, notFound } from "../errors.js";
import { newExecId, type ContainerId, type ExecId } from "../ids.js";
import { containerMessages, messages } from "../messages.js";
import type { ContainerEvents } from "./deps.js";
import type { Container } from "./model.js";
import { readFileInRoot } from "./rootfsFiles.js";
import type { ConsoleSize, ExecSession, OciProcess, Runtime } from "./runtime/types.js";
import { applyCapabilities } from "./spec/caps.js";
import { processEnv, replaceOrAppendEnv } from "./spec/env.js";
import { resolveUser } from "./spec/user.js";

export interface ExecConfig {
  cmd: string[];
  tty: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  env: string[];
  user: string;
  workingDir: string;
  privileged: boolean;
}

export interface ExecRecord {
  id: ExecId;
  containerId: ContainerId;
  config: ExecConfig;
  running: boolean;
  /** Set once the process ended. */
  exitCode: number | undefined;
  pid: number;
  /** Started once: a second start is refused. */
  started: boolean;
}

export interface ExecStartOptions {
  detach: boolean;
  stdin?: import("node:stream").Readable;
  consoleSize?: ConsoleSize;
}

export interface ExecHost {
  runtime: Runtime;
  events: ContainerEvents;
  /** The running container the exec belongs to (throws not-found/conflict). */
  container(ref: string): Container;
  mergedPath(id: ContainerId): string;
}

export class ExecManager {
  private readonly execs = new Map<ExecId, ExecRecord>();

  constructor(private readonly host: ExecHost) {}

  create(ref: string, config: ExecConfig): ExecRecord {
    const c = this.host.container(ref);
    if (c.state.status === "paused") throw conflict(containerMessages.execPaused(c.id));
    if (c.state.status !== "running") throw conflict(containerMessages.notRunning(c.id));
    if (config.cmd.length === 0) throw conflict("No exec command specified");
    const rec: ExecRecord = {
      id: newExecId(),
      containerId: c.id,
      config,
      running: false,
      exitCode: undefined,
      pid: 0,
      started: false,
    };
    this.execs.set(rec.id, rec);
    this.publish(c, `exec_create: ${config.cmd.join(" ")}`, rec.id);
    return rec;
  }

  get(id: string): ExecRecord {
    const rec = this.execs.get(id as ExecId);
    if (rec === undefined) throw notFound(messages.noSuchExec(id));
    return rec;
  }

  /**
   * IDs of a container's exec sessions not yet ended (inspect's ExecIDs: dockerd drops an exec
   * from the container's list when it exits; `exec inspect` still finds it).
   */
  idsOf(containerId: ContainerId): ExecId[] {
    return [...this.execs.values()]
      .filter((e) => e.containerId === containerId && e.exitCode === undefined)
      .map((e) => e.id);
  }

  forget(containerId: ContainerId): void {
    for (const [id, e] of this.execs) if (e.containerId === containerId) this.execs.delete(id);
  }

  async start(id: string, opts: ExecStartOptions): Promise<ExecSession> {
    const rec = this.get(id);
    if (rec.started) throw conflict(`Error: Exec command ${rec.id} has already run`);
    const c = this.host.container(rec.containerId);
    if (c.state.status !== "running") throw conflict(containerMessages.notRunning(c.id));
    rec.started = true;
    const process = await this.processFor(c, rec.config, opts.consoleSize);
    const session = await this.host.runtime.exec(c.id, {
      execId: rec.id,
      process,
      tty: rec.config.tty,
      attach: !opts.detach,
      ...(opts.stdin !== undefined && rec.config.attachStdin ? { stdin: opts.stdin } : {}),
      stdout: rec.config.attachStdout,
      stderr: rec.config.attachStderr,
    });
    rec.running = true;
    rec.pid = session.pid;
    this.publish(c, `exec_start: ${rec.config.cmd.join(" ")}`, rec.id);
    void session.exitCode.then(
      (code) => this.finish(c, rec, code),
      () => this.finish(c, rec, 126),
    );
    return session;
  }

  async resize(id: string, size: ConsoleSize): Promise<void> {
    const rec = this.get(id);
    if (!rec.running) throw conflict(containerMessages.notRunning(rec.id));
    await this.host.runtime.resizeExec(rec.containerId, rec.id, size);
  }

  private finish(c: Container, rec: ExecRecord, code: number): void {
    rec.running = false;
    rec.exitCode = code;
    rec.pid = 0;
    this.publish(c, "exec_die", rec.id, { exitCode: String(code) });
  }

  private async processFor(c: Container, e: ExecConfig, size: ConsoleSize | undefined): Promise<OciProcess> {
    const root = this.host.mergedPath(c.id);
    const user = resolveUser(
      e.user !== "" ? e.user : c.config.user,
      e.user !== "" ? [] : c.spec.host.groupAdd,
      await readFileInRoot(root, "/etc/passwd"),
      await readFileInRoot(root, "/etc/group"),
    );
    const privileged = e.privileged || c.spec.host.privileged;
    const caps = applyCapabilities({ privileged, add: c.spec.host.capAdd, drop: c.spec.host.capDrop });
    const env = processEnv(replaceOrAppendEnv(c.config.env, e.env), c.config.hostname, e.tty);
    return {
      terminal: e.tty,
      ...(size !== undefined ? { consoleSize: size } : {}),
      user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
      args: e.cmd,
      env,
      cwd: e.workingDir || c.config.workingDir || "/",
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: c.spec.host.noNewPrivileges,
    };
  }

  private publish(c: Container, action: string, execId: string, extra: Record<string, string> = {}): void {
    this.host.events.publish({
      type: "container",
      action,
      actorId: c.id,
      attributes: { ...c.config.labels, image: c.imageRef, name: c.name, execID: execId, ...extra },
    });
  }
}
