/**
 * Build endpoints: `POST /build` (the classic builder's JSON stream: `Step n/m : …`,
 * ` ---> Running in …`, aux ID, `Successfully built/tagged`, errors with the RUN exit code)
 * and `POST /build/prune`; also the build cache rows of `GET /system/df`. Berth's own
 * `POST /berth/build/session` opens a build session (engine/build/session.ts): the manifest
 * of the client's context in, the files the daemon lacks out; `POST /build?berthsession=<id>`
 * then carries a tar of only those, plus the session's secrets and ssh sockets.
 */
import { StringDecoder } from "node:string_decoder";
import type { Readable } from "node:stream";
import { invalid, notImplemented } from "../engine/errors.js";
import type { ImageId } from "../engine/ids.js";
import {
  buildSecrets,
  defaultBuildOptions,
  RunFailedError,
  type BuildEvent,
  type BuildOptions,
  type BuildPruneResult,
  type CacheRecord,
  type SessionInput,
  type SessionOpened,
} from "../engine/build/index.js";
import { familiarString, parseTagTarget, withDefaultTag } from "../engine/images/index.js";
import type { RequestContext } from "./context.js";
import { registryConfigHeader, toMessages } from "./distribution.js";
import { boolOr, boolValue, readBody } from "./query.js";
import type { Route } from "./router.js";
import { rfc3339Nano } from "./timestamp.js";
import type {
  BuildCacheWire,
  BuildMessageWire,
  BuildPruneWire,
  BuildSessionRequestWire,
  BuildSessionWire,
} from "./types/build.js";

export interface BuildBackend {
  build(
    context: Readable | undefined,
    opts: BuildOptions,
    emit: (e: BuildEvent) => void,
    signal?: AbortSignal,
  ): Promise<ImageId>;
  openSession(input: SessionInput): Promise<SessionOpened>;
  prune(): Promise<BuildPruneResult>;
  records(): CacheRecord[];
}

export function buildRoutes(backend: BuildBackend): Route[] {
  return [
    { method: "POST", path: "/build", handler: (ctx) => postBuild(backend, ctx) },
    { method: "POST", path: "/build/prune", handler: (ctx) => postBuildPrune(backend, ctx) },
    { method: "POST", path: "/berth/build/session", handler: (ctx) => postBuildSession(backend, ctx) },
  ];
}

/** Go's encoding/json escapes <, > and & (the bytes dockerd sends). */
export function goJson(v: unknown): string {
  return JSON.stringify(v).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function jsonMap(ctx: RequestContext, key: string): Record<string, string> {
  const raw = ctx.query.get(key);
  if (raw === null || raw === "") return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    throw invalid(`failed to parse ${key}: ${(err as Error).message}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw invalid(`${key} must be a JSON object`);
  const out: Record<string, string> = {};
  // A null value means "take it from the client's environment": the CLI resolved it already.
  for (const [k, val] of Object.entries(v as Record<string, unknown>))
    if (typeof val === "string") out[k] = val;
  return out;
}

function int(ctx: RequestContext, key: string): number {
  const raw = ctx.query.get(key);
  if (raw === null || raw === "") return 0;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw invalid(`invalid ${key}: ${raw}`);
  return n;
}

export function parseBuildQuery(ctx: RequestContext): BuildOptions {
  const q = ctx.query;
  if (q.get("version") === "2") throw notImplemented("BuildKit is not supported: use the classic builder");
  const tags = q
    .getAll("t")
    .filter((t) => t !== "")
    .map((t) => familiarString(withDefaultTag(parseTagTarget(t))));
  let cacheFrom: string[] = [];
  const cf = q.get("cachefrom");
  if (cf) {
    try {
      const v: unknown = JSON.parse(cf);
      if (Array.isArray(v)) cacheFrom = v.filter((x): x is string => typeof x === "string");
    } catch (err) {
      throw invalid(`failed to parse cachefrom: ${(err as Error).message}`);
    }
  }
  return defaultBuildOptions({
    dockerfile: q.get("dockerfile") || "Dockerfile",
    tags,
    buildArgs: jsonMap(ctx, "buildargs"),
    labels: jsonMap(ctx, "labels"),
    ...(q.get("target") ? { target: q.get("target") as string } : {}),
    noCache: boolValue(q, "nocache"),
    cacheFrom,
    pull: boolValue(q, "pull"),
    registryAuth: registryConfigHeader(ctx.req.headers),
    rm: boolOr(q, "rm", true),
    forceRm: boolValue(q, "forcerm"),
    networkMode: q.get("networkmode") || "default",
    memory: int(ctx, "memory"),
    memorySwap: int(ctx, "memswap"),
    cpuShares: int(ctx, "cpushares"),
    cpusetCpus: q.get("cpusetcpus") ?? "",
    shmSize: int(ctx, "shmsize"),
    extraHosts: q
      .getAll("extrahosts")
      .flatMap((h) => h.split(","))
      .filter((h) => h !== ""),
    quiet: boolValue(q, "q"),
    platform: q.get("platform") ?? "",
    ...(q.get("remote") ? { remote: q.get("remote") as string } : {}),
    ...(q.get("berthsession") ? { session: q.get("berthsession") as string } : {}),
  });
}

const short = (id: string) => id.replace(/^sha256:/, "").slice(0, 12);

/** Classic builder lines for one event (several for `built`). */
export function toBuildMessages(
  e: BuildEvent,
  decode: (stream: "stdout" | "stderr", b: Buffer) => string,
  pullProgress = new Map<string, number>(),
): BuildMessageWire[] {
  switch (e.type) {
    case "pull":
      return toMessages(e.event, pullProgress) as BuildMessageWire[];
    case "step":
      return [{ stream: `Step ${e.n}/${e.total} : ${e.text}` }, { stream: "\n" }];
    case "image":
      // FROM scratch has no image yet: dockerd prints the marker with an empty ID.
      return [{ stream: ` ---> ${e.id === "" ? "" : short(e.id)}\n` }];
    case "cache-hit":
      return [{ stream: " ---> Using cache\n" }];
    case "container":
      return [{ stream: ` ---> Running in ${short(e.id)}\n` }];
    case "container-removed":
      return [{ stream: `Removing intermediate container ${short(e.id)}\n` }];
    case "output": {
      const text = decode(e.stream, e.data);
      if (text === "") return [];
      return [{ stream: e.stream === "stderr" ? `\u001b[91m${text}\u001b[0m` : text }];
    }
    case "notice":
      return [{ stream: `${e.text}\n` }];
    case "triggers":
      return [{ stream: `# Executing ${e.count} build trigger${e.count === 1 ? "" : "s"}\n` }];
    case "unused-args":
      return [{ stream: `[Warning] One or more build-args [${e.names.join(" ")}] were not consumed\n` }];
    case "built":
      return [{ aux: { ID: e.id } }, { stream: `Successfully built ${short(e.id)}\n` }];
    case "tagged":
      return [{ stream: `Successfully tagged ${e.ref}\n` }];
  }
}

async function postBuild(backend: BuildBackend, ctx: RequestContext): Promise<void> {
  const opts = parseBuildQuery(ctx);
  // The client going away cancels the build, as in dockerd (a docker build interrupted by ^C).
  const cancel = new AbortController();
  const onClose = () => cancel.abort();
  ctx.req.socket.once("close", onClose);
  const decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  const decode = (s: "stdout" | "stderr", b: Buffer) => decoders[s].write(b);
  let res: ReturnType<RequestContext["stream"]> | undefined;
  const write = (m: BuildMessageWire) => {
    res ??= ctx.stream("application/json");
    res.write(goJson(m) + "\n");
  };
  const held: BuildMessageWire[] = [];
  const pullProgress = new Map<string, number>();
  const emit = (e: BuildEvent) => {
    const msgs = toBuildMessages(e, decode, pullProgress);
    if (!opts.quiet) for (const m of msgs) write(m);
    else if (e.type === "built") write({ aux: { ID: e.id } });
    else if (e.type !== "tagged") held.push(...msgs);
  };
  try {
    const id = await backend.build(opts.remote ? undefined : ctx.req, opts, emit, cancel.signal);
    if (opts.quiet) write({ stream: `${id}\n` });
  } catch (err) {
    // Before the first byte the client gets an HTTP error; after it, an in-band one.
    if (res === undefined && !opts.quiet) throw err;
    for (const m of held) write(m);
    const message = err instanceof Error ? err.message : String(err);
    const code = err instanceof RunFailedError ? err.code : undefined;
    write({ errorDetail: code === undefined ? { message } : { code, message }, error: message });
    ctx.req.resume();
  } finally {
    ctx.req.socket.off("close", onClose); // a kept-alive connection outlives this build
  }
  res?.end();
}

/** A manifest of a million entries is ~150 MB of JSON: more than readJson's limit. */
const maxSessionBody = 512 * 1024 * 1024;

/** The session body's secrets and ssh sockets, shape-checked (the engine checks the values). */
function sessionInput(raw: unknown): SessionInput {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw invalid("build session: the body must be a JSON object");
  const b = raw as Partial<Record<keyof BuildSessionRequestWire, unknown>>;
  const list = (v: unknown, what: string): Record<string, unknown>[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "object" || x === null))
      throw invalid(`build session: ${what} must be an array of objects`);
    return v as Record<string, unknown>[];
  };
  const secrets = list(b.secrets, "secrets").map((s) => {
    if (typeof s.data !== "string") throw invalid("build session: a secret's data must be base64 text");
    return { id: s.id, data: Buffer.from(s.data, "base64") };
  });
  const ssh = list(b.ssh, "ssh").map((s) => ({ id: s.id, path: s.path }));
  return {
    key: typeof b.key === "string" ? b.key : "",
    ...(b.manifest !== undefined && b.manifest !== null ? { manifest: b.manifest } : {}),
    secrets: buildSecrets(secrets, ssh),
  };
}

async function postBuildSession(backend: BuildBackend, ctx: RequestContext): Promise<void> {
  const body = await readBody(ctx.req, maxSessionBody);
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw invalid(`build session: invalid JSON: ${(err as Error).message}`);
  }
  const s = await backend.openSession(sessionInput(raw));
  const answer: BuildSessionWire = { id: s.id, need: s.need, files: s.files };
  ctx.json(200, answer);
}

async function postBuildPrune(backend: BuildBackend, ctx: RequestContext): Promise<void> {
  // Classic cache entries are images: `all`, `keep-storage` and filters narrow nothing further.
  void boolValue(ctx.query, "all");
  const r = await backend.prune();
  const body: BuildPruneWire = {
    CachesDeleted: r.deleted.length > 0 ? r.deleted : null,
    SpaceReclaimed: r.spaceReclaimed,
  };
  ctx.json(200, body);
}

/** The build cache part of `GET /system/df`. */
export function toBuildCacheWire(r: CacheRecord): BuildCacheWire {
  const created = rfc3339Nano(r.createdNano);
  return {
    ID: r.id.replace(/^sha256:/, "").slice(0, 25),
    Parents: null,
    Type: "regular",
    Description: r.description,
    InUse: r.inUse,
    Shared: false,
    Size: r.size,
    CreatedAt: created,
    LastUsedAt: created,
    UsageCount: 1,
  };
}
