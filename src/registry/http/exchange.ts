/**
 * One request and its answer: what handlers get, and the few ways they
 * answer (empty, JSON, bytes, an error in the spec's JSON).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Grant } from "../auth/index.js";
import { regError, RegistryError } from "../errors.js";
import type { RepoName } from "../names.js";
import type { Registry } from "../registry.js";

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  grant: Grant;
  registry: Registry;
}

/** A request on one repository; `param` is the route's last segment ("" if none). */
export interface RepoExchange extends Exchange {
  name: RepoName;
  param: string;
}

export type Headers = Record<string, string>;

export function reply(
  res: ServerResponse,
  status: number,
  headers: Headers = {},
  body?: Buffer | string,
): void {
  const buf = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (status !== 204 && !res.hasHeader("Content-Length")) res.setHeader("Content-Length", buf?.length ?? 0);
  res.end(buf);
}

export function replyJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Headers = {},
  contentType = "application/json",
): void {
  reply(res, status, { "Content-Type": contentType, ...headers }, JSON.stringify(value));
}

export function replyError(res: ServerResponse, err: RegistryError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Headers of an answer started before the error (Docker-Content-Digest…) do not belong to it.
  for (const name of res.getHeaderNames()) {
    if (name !== "docker-distribution-api-version") res.removeHeader(name);
  }
  replyJson(res, err.status, err.toJSON(), err.headers);
}

/** A request body small enough to hold in memory (manifests), or a 413. */
export async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = contentLength(req);
  if (declared !== undefined && declared > max) {
    throw regError("MANIFEST_TOO_LARGE", { size: declared, limit: max }, { Connection: "close" });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    total += b.length;
    if (total > max) throw regError("MANIFEST_TOO_LARGE", { limit: max }, { Connection: "close" });
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export function contentLength(req: IncomingMessage): number | undefined {
  const v = req.headers["content-length"];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** A single-valued query parameter, or undefined. */
export function queryValue(url: URL, name: string): string | undefined {
  return url.searchParams.get(name) ?? undefined;
}
