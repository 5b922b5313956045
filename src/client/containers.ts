/**
 * Container endpoints: create, list, inspect, the lifecycle verbs, wait,
 * prune, resize, and the streams (attach over a hijacked connection, logs).
 */
import type { Readable } from "node:stream";
import type {
  ContainerCreateBody,
  ContainerCreateResponse,
  ContainerInspectResponse,
  ContainerPruneResponse,
  ContainerSummary,
  ContainerWaitResponse,
} from "../api/types/containers.js";
import { readAll, type Transport, type Upgraded } from "./transport.js";

function filtersJson(filters: Record<string, string[]> | undefined): string | undefined {
  return filters && Object.keys(filters).length > 0 ? JSON.stringify(filters) : undefined;
}

const path = (ref: string, rest = ""): string => `/containers/${encodeURIComponent(ref)}${rest}`;

export interface StopOptions {
  signal?: string;
  /** Seconds; undefined leaves the container's own stop timeout. */
  timeout?: number;
}

export interface AttachOptions {
  stream?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  logs?: boolean;
  detachKeys?: string;
}

export interface LogsOptions {
  stdout?: boolean;
  stderr?: boolean;
  follow?: boolean;
  since?: string;
  until?: string;
  timestamps?: boolean;
  tail?: string;
  details?: boolean;
}

export type WaitCondition = "not-running" | "next-exit" | "removed";

/** A wait request whose headers have arrived: the daemon has registered it. */
export interface Waiter {
  result: Promise<ContainerWaitResponse>;
}

export class ContainersClient {
  constructor(private readonly t: Transport) {}

  create(
    body: ContainerCreateBody,
    opts: { name?: string; platform?: string } = {},
  ): Promise<ContainerCreateResponse> {
    return this.t.json("POST", "/containers/create", {
      query: { name: opts.name || undefined, platform: opts.platform || undefined },
      body,
    });
  }

  list(
    opts: { all?: boolean; limit?: number; size?: boolean; filters?: Record<string, string[]> } = {},
  ): Promise<ContainerSummary[]> {
    return this.t.json("GET", "/containers/json", {
      query: {
        all: opts.all ? "1" : undefined,
        limit: opts.limit !== undefined && opts.limit > 0 ? opts.limit : undefined,
        size: opts.size ? "1" : undefined,
        filters: filtersJson(opts.filters),
      },
    });
  }

  inspect(ref: string, opts: { size?: boolean } = {}): Promise<ContainerInspectResponse> {
    return this.t.json("GET", path(ref, "/json"), { query: { size: opts.size ? "1" : undefined } });
  }

  private async post(p: string, query: Record<string, string | number | undefined> = {}): Promise<void> {
    const res = await this.t.request("POST", p, { query });
    res.body.resume();
  }

  start(ref: string): Promise<void> {
    return this.post(path(ref, "/start"));
  }

  stop(ref: string, opts: StopOptions = {}): Promise<void> {
    return this.post(path(ref, "/stop"), { signal: opts.signal || undefined, t: opts.timeout });
  }

  restart(ref: string, opts: StopOptions = {}): Promise<void> {
    return this.post(path(ref, "/restart"), { signal: opts.signal || undefined, t: opts.timeout });
  }

  kill(ref: string, signal?: string): Promise<void> {
    return this.post(path(ref, "/kill"), { signal: signal || undefined });
  }

  pause(ref: string): Promise<void> {
    return this.post(path(ref, "/pause"));
  }

  unpause(ref: string): Promise<void> {
    return this.post(path(ref, "/unpause"));
  }

  rename(ref: string, name: string): Promise<void> {
    return this.post(path(ref, "/rename"), { name });
  }

  resize(ref: string, size: { height: number; width: number }): Promise<void> {
    return this.post(path(ref, "/resize"), { h: size.height, w: size.width });
  }

  async remove(
    ref: string,
    opts: { force?: boolean; volumes?: boolean; link?: boolean } = {},
  ): Promise<void> {
    const res = await this.t.request("DELETE", path(ref), {
      query: {
        force: opts.force ? "1" : undefined,
        v: opts.volumes ? "1" : undefined,
        link: opts.link ? "1" : undefined,
      },
    });
    res.body.resume();
  }

  prune(filters?: Record<string, string[]>): Promise<ContainerPruneResponse> {
    return this.t.json("POST", "/containers/prune", { query: { filters: filtersJson(filters) } });
  }

  /**
   * POST /wait. Resolves once the daemon answered with headers (the waiter is
   * registered, so a start sent afterwards cannot be missed); `result` then
   * settles with the exit status.
   */
  async waiter(ref: string, condition?: WaitCondition): Promise<Waiter> {
    const res = await this.t.request("POST", path(ref, "/wait"), { query: { condition } });
    const result = readAll(res.body).then((buf) => {
      const text = buf.toString("utf8").trim();
      if (text === "") throw new Error("the wait request ended without a status");
      return JSON.parse(text) as ContainerWaitResponse;
    });
    result.catch(() => undefined);
    return { result };
  }

  async wait(ref: string, condition?: WaitCondition): Promise<ContainerWaitResponse> {
    return (await this.waiter(ref, condition)).result;
  }

  /** POST /attach as a hijacked connection: raw bytes with a TTY, stdcopy frames without. */
  attach(ref: string, opts: AttachOptions): Promise<Upgraded> {
    const flag = (b: boolean | undefined) => (b ? "1" : undefined);
    return this.t.upgrade("POST", path(ref, "/attach"), {
      query: {
        stream: flag(opts.stream),
        stdin: flag(opts.stdin),
        stdout: flag(opts.stdout),
        stderr: flag(opts.stderr),
        logs: flag(opts.logs),
        detachKeys: opts.detachKeys || undefined,
      },
    });
  }

  async logs(ref: string, opts: LogsOptions): Promise<Readable> {
    const flag = (b: boolean | undefined) => (b ? "1" : undefined);
    const res = await this.t.request("GET", path(ref, "/logs"), {
      query: {
        stdout: flag(opts.stdout),
        stderr: flag(opts.stderr),
        follow: flag(opts.follow),
        since: opts.since || undefined,
        until: opts.until || undefined,
        timestamps: flag(opts.timestamps),
        tail: opts.tail || undefined,
        details: flag(opts.details),
      },
    });
    return res.body;
  }
}
