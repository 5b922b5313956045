/** Container endpoints for cp, top, diff, export, commit, stats and update. */
import type { Readable } from "node:stream";
import type {
  CommitResponseWire,
  ContainerPathStatWire,
  ContainerTopResponse,
  ContainerUpdateBody,
  ContainerUpdateResponse,
  FilesystemChangeWire,
  StatsResponseWire,
} from "../api/types/containerExtras.js";
import { jsonLines, type Transport } from "./transport.js";

const PATH_STAT_HEADER = "x-docker-container-path-stat";

const cpath = (ref: string): string => `/containers/${encodeURIComponent(ref)}`;

function decodePathStat(header: string | string[] | undefined): ContainerPathStatWire {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || raw === "") throw new Error("the daemon sent no path stat header");
  return JSON.parse(Buffer.from(raw, "base64").toString("utf8")) as ContainerPathStatWire;
}

export interface CommitRequest {
  container: string;
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  pause?: boolean;
  changes?: string[];
}

export class ContainerExtrasClient {
  constructor(private readonly t: Transport) {}

  top(ref: string, psArgs?: string): Promise<ContainerTopResponse> {
    return this.t.json("GET", `${cpath(ref)}/top`, { query: { ps_args: psArgs } });
  }

  changes(ref: string): Promise<FilesystemChangeWire[] | null> {
    return this.t.json("GET", `${cpath(ref)}/changes`);
  }

  /** HEAD …/archive: what is at `path` in the container. */
  async statPath(ref: string, path: string): Promise<ContainerPathStatWire> {
    const res = await this.t.request("HEAD", `${cpath(ref)}/archive`, { query: { path } });
    res.body.resume();
    return decodePathStat(res.headers[PATH_STAT_HEADER]);
  }

  /** GET …/archive: a tar of `path` and its stat. */
  async getArchive(ref: string, path: string): Promise<{ stat: ContainerPathStatWire; tar: Readable }> {
    const res = await this.t.request("GET", `${cpath(ref)}/archive`, { query: { path } });
    return { stat: decodePathStat(res.headers[PATH_STAT_HEADER]), tar: res.body };
  }

  /** PUT …/archive: extract `tar` into the directory `path`. */
  async putArchive(
    ref: string,
    path: string,
    tar: Readable,
    opts: { noOverwriteDirNonDir?: boolean; copyUIDGID?: boolean } = {},
  ): Promise<void> {
    const res = await this.t.request("PUT", `${cpath(ref)}/archive`, {
      query: {
        path,
        noOverwriteDirNonDir: opts.noOverwriteDirNonDir ? "true" : undefined,
        copyUIDGID: opts.copyUIDGID ? "true" : undefined,
      },
      rawBody: tar,
      contentType: "application/x-tar",
    });
    res.body.resume();
  }

  async export(ref: string): Promise<Readable> {
    return (await this.t.request("GET", `${cpath(ref)}/export`)).body;
  }

  commit(req: CommitRequest, config?: Record<string, unknown>): Promise<CommitResponseWire> {
    const changes = req.changes ?? [];
    return this.t.json("POST", "/commit", {
      query: {
        container: req.container,
        repo: req.repo,
        tag: req.tag,
        comment: req.comment,
        author: req.author,
        pause: req.pause === false ? "0" : undefined,
        // One changes=… per line, as the Go client sends them.
        ...(changes.length > 0 ? { changes: changes.join("\n") } : {}),
      },
      body: config ?? null,
    });
  }

  /** GET …/stats: one object (stream false) or one per second until `signal` aborts. */
  async *stats(
    ref: string,
    opts: { stream: boolean; oneShot?: boolean; signal?: AbortSignal },
  ): AsyncGenerator<StatsResponseWire> {
    const res = await this.t.request("GET", `${cpath(ref)}/stats`, {
      query: { stream: opts.stream ? "1" : "0", "one-shot": opts.oneShot ? "1" : undefined },
    });
    const stop = () => res.body.destroy();
    opts.signal?.addEventListener("abort", stop, { once: true });
    try {
      for await (const s of jsonLines<StatsResponseWire>(res.body)) yield s;
    } catch (err) {
      if (!opts.signal?.aborted) throw err;
    } finally {
      opts.signal?.removeEventListener("abort", stop);
      res.body.destroy();
    }
  }

  update(ref: string, body: ContainerUpdateBody): Promise<ContainerUpdateResponse> {
    return this.t.json("POST", `${cpath(ref)}/update`, { body });
  }
}
