/**
 * Docker's query-string and body quirks, in one place: booleans as 1/true/yes,
 * both shapes of `filters`, JSON bodies with a size cap.
 */
import type { IncomingMessage } from "node:http";
import { invalid } from "../engine/errors.js";

/** Docker's BoolValue: "", "0", "no", "false", "none" are false; anything else true. */
export function boolValue(q: URLSearchParams, key: string): boolean {
  const v = q.get(key);
  if (v === null) return false;
  return !["", "0", "no", "false", "none"].includes(v.trim().toLowerCase());
}

/** Like boolValue, but absent means `dflt`. */
export function boolOr(q: URLSearchParams, key: string, dflt: boolean): boolean {
  return q.has(key) ? boolValue(q, key) : dflt;
}

export function intValue(q: URLSearchParams, key: string, dflt: number): number {
  const v = q.get(key);
  if (v === null || v === "") return dflt;
  const n = Number(v);
  if (!Number.isInteger(n)) throw invalid(`invalid value for ${key}: ${v}`);
  return n;
}

/** Filters: key -> values. Accepts {"k":["v"]} and the older {"k":{"v":true}}. */
export type Filters = Map<string, string[]>;

export function parseFilters(raw: string | null): Filters {
  const out: Filters = new Map();
  if (raw === null || raw === "") return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid("invalid filter: invalid character in filters JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalid("invalid filter");
  for (const [k, v] of Object.entries(parsed)) {
    if (Array.isArray(v)) out.set(k, v.map(String));
    else if (typeof v === "object" && v !== null) out.set(k, Object.keys(v));
    else throw invalid(`invalid filter '${k}'`);
  }
  return out;
}

/** Rejects filter keys the endpoint does not know, with Docker's message. */
export function checkFilterKeys(filters: Filters, allowed: readonly string[]): void {
  for (const k of filters.keys()) {
    if (!allowed.includes(k)) throw invalid(`invalid filter '${k}'`);
  }
}

const maxJsonBody = 16 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = maxJsonBody): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw invalid(`request body too large (limit ${limit} bytes)`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body; an empty body is `undefined`. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await readBody(req);
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw invalid(`invalid JSON: ${(err as Error).message}`);
  }
}
