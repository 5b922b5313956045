/** Build endpoints: POST /build (the classic builder's JSON stream) and POST /build/prune. */
import type { Readable } from "node:stream";
import type { BuildMessageWire, BuildPruneWire } from "../api/types/build.js";
import type { AuthConfigWire } from "../api/types/distribution.js";
import { urlBase64Json } from "./distribution.js";
import { jsonLines, type Transport } from "./transport.js";

export interface BuildRequest {
  tags?: string[];
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  cacheFrom?: string[];
  pull?: boolean;
  rm?: boolean;
  forceRm?: boolean;
  networkMode?: string;
  memory?: number;
  shmSize?: number;
  cpusetCpus?: string;
  extraHosts?: string[];
  quiet?: boolean;
  platform?: string;
  /** A URL the daemon fetches the context (or Dockerfile) from. */
  remote?: string;
  /** A berthd build session (`POST /berth/build/session`): the body holds what it asked for. */
  session?: string;
  /** Every login the client has, by registry, for pulling base images (X-Registry-Config). */
  registryConfig?: Record<string, AuthConfigWire>;
}

export class BuildClient {
  constructor(private readonly t: Transport) {}

  /** Sends the context tar (absent with `remote`) and yields the daemon's messages. */
  async *build(req: BuildRequest, context: Readable | Buffer | undefined): AsyncGenerator<BuildMessageWire> {
    const qs = new URLSearchParams();
    for (const t of req.tags ?? []) qs.append("t", t);
    const set = (k: string, v: string | undefined) => {
      if (v !== undefined && v !== "") qs.set(k, v);
    };
    set("dockerfile", req.dockerfile);
    if (req.buildArgs && Object.keys(req.buildArgs).length > 0)
      set("buildargs", JSON.stringify(req.buildArgs));
    if (req.labels && Object.keys(req.labels).length > 0) set("labels", JSON.stringify(req.labels));
    set("target", req.target);
    if (req.noCache) set("nocache", "1");
    if (req.cacheFrom && req.cacheFrom.length > 0) set("cachefrom", JSON.stringify(req.cacheFrom));
    if (req.pull) set("pull", "1");
    set("rm", req.rm === false ? "0" : "1");
    if (req.forceRm) set("forcerm", "1");
    set("networkmode", req.networkMode);
    if (req.memory) set("memory", String(req.memory));
    if (req.shmSize) set("shmsize", String(req.shmSize));
    set("cpusetcpus", req.cpusetCpus);
    for (const h of req.extraHosts ?? []) qs.append("extrahosts", h);
    if (req.quiet) set("q", "1");
    set("platform", req.platform);
    set("remote", req.remote);
    set("berthsession", req.session);
    const s = qs.toString();
    const logins = req.registryConfig ?? {};
    const res = await this.t.request("POST", `/build${s ? `?${s}` : ""}`, {
      ...(context !== undefined ? { rawBody: context } : {}),
      contentType: "application/x-tar",
      ...(Object.keys(logins).length > 0 ? { headers: { "X-Registry-Config": urlBase64Json(logins) } } : {}),
    });
    yield* jsonLines<BuildMessageWire>(res.body);
  }

  prune(all: boolean): Promise<BuildPruneWire> {
    return this.t.json("POST", `/build/prune${all ? "?all=1" : ""}`);
  }
}
