/**
 * The request handler: access log, route, authorize, dispatch, and turn
 * any failure into the spec's error JSON. Every answer carries
 * `Docker-Distribution-API-Version: registry/2.0`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { Authorizer, Grant } from "../auth/index.js";
import { RegistryError } from "../errors.js";
import type { Registry } from "../registry.js";
import { deleteBlob, getBlob } from "./blobs.js";
import { replyError, replyJson, type Exchange, type RepoExchange } from "./exchange.js";
import { getCatalog, getReferrers, getTags } from "./lists.js";
import { deleteManifest, getManifest, putManifest } from "./manifests.js";
import { matchRoute, neededAccess, type Route } from "./routes.js";
import { deleteUpload, getUpload, patchUpload, postUpload, putUpload } from "./uploads.js";

export interface HandlerDeps {
  registry: Registry;
  auth: Authorizer;
  /** One line per request (access log) and unexpected errors. */
  log: (line: string) => void;
}

type RepoHandler = (x: RepoExchange) => Promise<void>;

const repoHandlers: Record<string, RepoHandler> = {
  "tags GET": getTags,
  "manifest GET": getManifest,
  "manifest HEAD": getManifest,
  "manifest PUT": putManifest,
  "manifest DELETE": deleteManifest,
  "blob GET": getBlob,
  "blob HEAD": getBlob,
  "blob DELETE": deleteBlob,
  "uploads POST": postUpload,
  "upload GET": getUpload,
  "upload PATCH": patchUpload,
  "upload PUT": putUpload,
  "upload DELETE": deleteUpload,
  "referrers GET": getReferrers,
};

export function createHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = process.hrtime.bigint();
    const counted = countBytes(res);
    let user: string | undefined;
    // Read now: once the socket is gone its address is too.
    const remote = req.socket.remoteAddress ?? "-";
    res.once("close", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const path = (req.url ?? "").split("?")[0];
      deps.log(
        `${remote} - ${user ?? "-"} [${new Date().toISOString()}] "${req.method} ${path} HTTP/${req.httpVersion}" ${res.statusCode} ${counted()} ${ms.toFixed(1)}ms`,
      );
    });
    res.setHeader("Docker-Distribution-API-Version", "registry/2.0");
    serve(deps, req, res, (u) => (user = u)).catch((err: unknown) => {
      if (err instanceof RegistryError) return replyError(res, err);
      if (isClientGone(err, req)) return res.destroy();
      deps.log(
        `registry: ${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      if (res.headersSent) return res.destroy();
      replyJson(res, 500, { errors: [{ code: "UNKNOWN", message: "unknown error" }] });
    });
  };
}

async function serve(
  deps: HandlerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  setUser: (u: string | undefined) => void,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://registry.invalid");
  const method = req.method ?? "GET";
  const route = matchRoute(method, url.pathname);
  const authReq = {
    authorization: req.headers.authorization,
    host: req.headers.host,
    secure: (req.socket as Partial<TLSSocket>).encrypted === true,
  };
  if (route.kind === "token") {
    const token = await deps.auth.issueToken(authReq, url.searchParams);
    return replyJson(res, 200, token);
  }
  const grant: Grant = await deps.auth.check(authReq, neededAccess(method, route) ?? []);
  setUser(grant.user);
  const x: Exchange = { req, res, url, grant, registry: deps.registry };
  if (route.kind === "base") return replyJson(res, 200, {});
  if (route.kind === "catalog") return getCatalog(x);
  return dispatchRepo(x, route, method);
}

async function dispatchRepo(x: Exchange, route: Route, method: string): Promise<void> {
  const handler = repoHandlers[`${route.kind} ${method}`];
  if (!handler || !route.name) throw new RegistryError("UNSUPPORTED", { method });
  return handler({ ...x, name: route.name, param: route.param ?? "" });
}

/** A request whose client hung up mid-body: nothing to answer. */
function isClientGone(err: unknown, req: IncomingMessage): boolean {
  const code = typeof err === "object" && err !== null && "code" in err ? err.code : undefined;
  return req.socket.destroyed || code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE";
}

/** Counts body bytes written to `res`, for the access log. */
function countBytes(res: ServerResponse): () => number {
  let n = 0;
  const add = (chunk: unknown) => {
    if (typeof chunk === "string") n += Buffer.byteLength(chunk);
    else if (chunk instanceof Uint8Array) n += chunk.length;
  };
  const write = res.write.bind(res) as (...a: unknown[]) => boolean;
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    add(chunk);
    return write(chunk, ...rest);
  }) as ServerResponse["write"];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== "function") add(chunk);
    return end(chunk, ...rest);
  }) as ServerResponse["end"];
  return () => (res.req.method === "HEAD" ? 0 : n);
}
