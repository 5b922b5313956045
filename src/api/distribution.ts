/**
 * Registry endpoints: pull (`POST /images/create?fromImage=`, reached from
 * the images router), push, `POST /auth`, `GET /images/search` and
 * `GET /distribution/{name}/json`. Progress goes out as Docker's JSON
 * messages; an error before the first message is an HTTP error, after it
 * an in-band `errorDetail`, as dockerd does.
 */
import type { IncomingHttpHeaders } from "node:http";
import { invalid } from "../engine/errors.js";
import type {
  AuthConfig,
  DistributionEvent,
  DistributionInspect,
  Emit,
  PullOptions,
  SearchResult,
} from "../engine/distribution/index.js";
import type { RequestContext } from "./context.js";
import { JsonMessages, progressBar } from "./images/progress.js";
import { checkFilterKeys, parseFilters, readJson } from "./query.js";
import type { Route } from "./router.js";
import type {
  AuthConfigWire,
  AuthResponseWire,
  DistributionInspectWire,
  SearchResultWire,
} from "./types/distribution.js";
import type { JsonMessageWire } from "./types/images.js";

export interface DistributionBackend {
  pull(opts: PullOptions, emit: Emit): Promise<void>;
  push(name: string, tag: string, auth: AuthConfig | undefined, emit: Emit): Promise<void>;
  login(auth: AuthConfig): Promise<{ status: string; identityToken: string }>;
  search(term: string, limit: number, auth: AuthConfig | undefined): Promise<SearchResult[]>;
  inspect(name: string, auth: AuthConfig | undefined): Promise<DistributionInspect>;
}

export function distributionRoutes(backend: DistributionBackend): Route[] {
  return [
    { method: "POST", path: "/images/{name*}/push", handler: (ctx) => push(backend, ctx) },
    { method: "POST", path: "/auth", handler: (ctx) => auth(backend, ctx) },
    { method: "GET", path: "/images/search", handler: (ctx) => search(backend, ctx) },
    {
      method: "GET",
      path: "/distribution/{name*}/json",
      handler: async (ctx) => {
        const out = await backend.inspect(ctx.param("name"), authHeader(ctx.req.headers));
        const body: DistributionInspectWire = { Descriptor: out.descriptor, Platforms: out.platforms };
        ctx.json(200, body);
      },
    },
  ];
}

/** `POST /images/create?fromImage=…&tag=…&platform=…`, handed over by the images router. */
export function pullImageHandler(backend: DistributionBackend): (ctx: RequestContext) => Promise<void> {
  return async (ctx) => {
    const platform = ctx.query.get("platform") ?? "";
    const opts: PullOptions = {
      image: ctx.query.get("fromImage") ?? "",
      tag: ctx.query.get("tag") ?? "",
      ...(platform !== "" ? { platform } : {}),
    };
    const a = authHeader(ctx.req.headers);
    if (a !== undefined) opts.auth = a;
    await streamed(ctx, (emit) => backend.pull(opts, emit));
  };
}

async function push(backend: DistributionBackend, ctx: RequestContext): Promise<void> {
  const name = ctx.param("name");
  const tag = ctx.query.get("tag") ?? "";
  await streamed(ctx, (emit) => backend.push(name, tag, authHeader(ctx.req.headers), emit));
}

async function auth(backend: DistributionBackend, ctx: RequestContext): Promise<void> {
  const body = await readJson(ctx.req);
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalid("bad parameter: the body must be an AuthConfig");
  const cfg = toAuthConfig(body);
  const out = await backend.login(cfg);
  const res: AuthResponseWire = { Status: out.status, IdentityToken: out.identityToken };
  ctx.json(200, res);
}

async function search(backend: DistributionBackend, ctx: RequestContext): Promise<void> {
  const term = ctx.query.get("term") ?? "";
  if (term === "") throw invalid("term is required");
  const limitText = ctx.query.get("limit") ?? "";
  const limit = limitText === "" ? 25 : Number(limitText);
  if (!Number.isInteger(limit)) throw invalid(`invalid limit: ${limitText}`);
  const f = parseFilters(ctx.query.get("filters"));
  checkFilterKeys(f, ["is-automated", "is-official", "stars"]);
  const bool = (k: string) => {
    const v = f.get(k)?.[0];
    if (v === undefined) return undefined;
    if (v !== "true" && v !== "false") throw invalid(`Invalid filter '${k}=${v}'`);
    return v === "true";
  };
  const official = bool("is-official");
  const automated = bool("is-automated");
  const stars = f.get("stars")?.map(Number) ?? [];
  if (stars.some((s) => !Number.isInteger(s)))
    throw invalid(`Invalid filter 'stars=${f.get("stars")?.join(",")}'`);
  const minStars = stars.length > 0 ? Math.max(...stars) : 0;
  const results = await backend.search(term, limit, authHeader(ctx.req.headers));
  const body: SearchResultWire[] = results
    .filter((r) => official === undefined || r.isOfficial === official)
    .filter((r) => automated === undefined || r.isAutomated === automated)
    .filter((r) => r.starCount >= minStars)
    .map((r) => ({
      star_count: r.starCount,
      is_official: r.isOfficial,
      name: r.name,
      is_automated: r.isAutomated,
      description: r.description,
    }));
  ctx.json(200, body);
}

/** Runs an operation whose events become JSON messages; errors before the first one are HTTP errors. */
async function streamed(ctx: RequestContext, run: (emit: Emit) => Promise<void>): Promise<void> {
  let out: JsonMessages | undefined;
  const writer = new ProgressWriter((m) =>
    (out ??= new JsonMessages(ctx.stream("application/json"))).write(m),
  );
  try {
    await run((e) => writer.event(e));
  } catch (err) {
    if (out === undefined) throw err;
    out.error(err);
  }
  out ??= new JsonMessages(ctx.stream("application/json"));
  out.end();
}

/** Distribution events → Docker's JSON messages; progress at most every 100 ms per layer. */
export class ProgressWriter {
  private readonly last = new Map<string, number>();

  constructor(private readonly write: (m: JsonMessageWire) => void) {}

  event(e: DistributionEvent): void {
    for (const m of toMessages(e, this.last)) this.write(m);
  }
}

export function toMessages(e: DistributionEvent, last = new Map<string, number>()): JsonMessageWire[] {
  switch (e.kind) {
    case "layer": {
      if (e.current !== undefined && e.total !== undefined) {
        const key = `${e.id} ${e.status}`;
        const now = Date.now();
        if (e.current < e.total && now - (last.get(key) ?? 0) < 100) return [];
        last.set(key, now);
        return [
          {
            status: e.status,
            progressDetail: { current: e.current, total: e.total },
            progress: progressBar(e.current, e.total),
            id: e.id,
          },
        ];
      }
      let status: string = e.status;
      if (e.status === "Mounted from") status = `Mounted from ${e.from ?? ""}`;
      if (e.status === "Retrying")
        status = `Retrying in ${e.retryIn ?? 1} second${e.retryIn === 1 ? "" : "s"}`;
      return [{ status, progressDetail: {}, id: e.id }];
    }
    case "pulling":
      return [{ status: `Pulling from ${e.repo}`, id: e.tagOrDigest }];
    case "digest":
      return [{ status: `Digest: ${e.digest}` }];
    case "pulled":
      return [
        {
          status: e.newer
            ? `Status: Downloaded newer image for ${e.ref}`
            : `Status: Image is up to date for ${e.ref}`,
        },
      ];
    case "push-start":
      return [{ status: `The push refers to repository [${e.repo}]` }];
    case "pushed":
      return [
        { status: `${e.tag}: digest: ${e.digest} size: ${e.size}` },
        { progressDetail: {}, aux: { Tag: e.tag, Digest: e.digest, Size: e.size } },
      ];
  }
}

/** X-Registry-Auth: base64url JSON; an undecodable header counts as none, as in dockerd. */
export function authHeader(headers: IncomingHttpHeaders): AuthConfig | undefined {
  const raw = headers["x-registry-auth"];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === "") return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, "base64").toString("utf8")) as unknown;
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const cfg = toAuthConfig(parsed);
    return Object.keys(cfg).length > 0 ? cfg : undefined;
  } catch {
    return undefined;
  }
}

/**
 * X-Registry-Config (`POST /build`): base64url JSON of every login the client has, keyed by
 * registry; undecodable counts as none, as in dockerd.
 */
export function registryConfigHeader(headers: IncomingHttpHeaders): Record<string, AuthConfig> {
  const raw = headers["x-registry-config"];
  const value = Array.isArray(raw) ? raw[0] : raw;
  const out: Record<string, AuthConfig> = {};
  if (value === undefined || value === "") return out;
  try {
    const parsed = JSON.parse(Buffer.from(value, "base64").toString("utf8")) as unknown;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return out;
    for (const [key, w] of Object.entries(parsed as Record<string, unknown>))
      if (typeof w === "object" && w !== null) out[key] = toAuthConfig(w);
  } catch {
    // as dockerd: a header it cannot read is no credentials
  }
  return out;
}

export function toAuthConfig(w: AuthConfigWire): AuthConfig {
  const cfg: AuthConfig = {};
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  let username = str(w.username);
  let password = str(w.password);
  const encoded = str(w.auth);
  if (encoded !== undefined && username === undefined) {
    const plain = Buffer.from(encoded, "base64").toString("utf8");
    const colon = plain.indexOf(":");
    if (colon > 0) {
      username = plain.slice(0, colon);
      password = plain.slice(colon + 1);
    }
  }
  if (username !== undefined) cfg.username = username;
  if (password !== undefined) cfg.password = password;
  const server = str(w.serveraddress);
  if (server !== undefined) cfg.serverAddress = server;
  const identity = str(w.identitytoken);
  if (identity !== undefined) cfg.identityToken = identity;
  const token = str(w.registrytoken);
  if (token !== undefined) cfg.registryToken = token;
  return cfg;
}
