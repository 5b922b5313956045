/**
 * HTTP(S) requests to registries over node:http, with keep-alive agents, a
 * "skip verify" agent for insecure registries, and redirects followed for
 * GET/HEAD (the Authorization header is dropped when the host changes, as
 * Go's client does).
 */
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Readable } from "node:stream";

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  /** The URL that answered (after redirects). */
  url: string;
}

export interface HttpOptions {
  method: string;
  headers?: Record<string, string>;
  body?: Buffer | Readable;
  skipVerify?: boolean;
  signal?: AbortSignal;
}

const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 16 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 16 }),
  httpsInsecure: new HttpsAgent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false }),
};

export const userAgent = "berth/0.1 (registry client)";

export async function send(url: string, opts: HttpOptions, redirects = 5): Promise<HttpResponse> {
  const res = await once(url, opts);
  const location = res.headers.location;
  if (
    [301, 302, 303, 307, 308].includes(res.status) &&
    location !== undefined &&
    (opts.method === "GET" || opts.method === "HEAD") &&
    redirects > 0
  ) {
    res.body.resume();
    const next = new URL(location, url);
    const headers = { ...opts.headers };
    if (next.host !== new URL(url).host) delete headers.Authorization;
    return send(next.toString(), { ...opts, headers }, redirects - 1);
  }
  return { ...res, url };
}

function once(url: string, opts: HttpOptions): Promise<Omit<HttpResponse, "url">> {
  const u = new URL(url);
  const secure = u.protocol === "https:";
  const fn = secure ? httpsRequest : httpRequest;
  const agent = secure ? (opts.skipVerify ? agents.httpsInsecure : agents.https) : agents.http;
  return new Promise((resolve, reject) => {
    const req = fn(u, {
      method: opts.method,
      agent,
      headers: { "User-Agent": userAgent, ...opts.headers },
      signal: opts.signal,
    });
    req.on("error", reject);
    req.on("response", (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }));
    const body = opts.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      body.on("error", (err) => req.destroy(err));
      body.pipe(req);
    }
  });
}

export async function readBody(res: { body: IncomingMessage }, limit = 16 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res.body as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) {
      res.body.destroy();
      throw new Error(`response larger than ${limit} bytes`);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

export function header(res: { headers: IncomingHttpHeaders }, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function headerAll(res: { headers: IncomingHttpHeaders }, name: string): string[] {
  const v = res.headers[name.toLowerCase()];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
