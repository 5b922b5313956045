/**
 * HTTP to the daemon over a unix socket or TCP, with Docker's conventions:
 * the `/v1.xx` prefix, JSON bodies, `{"message"}` errors, and hijacked
 * connections (101 UPGRADED) for attach and exec.
 */
import {
  request as httpRequest,
  type IncomingMessage,
  type RequestOptions as HttpRequestOptions,
} from "node:http";
import type { Socket } from "node:net";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { ApiError, ConnectionError, kindOfStatus } from "./errors.js";

export interface Endpoint {
  socketPath?: string;
  host?: string;
  port?: number;
  /** What the user named it (for messages). */
  display: string;
}

export function parseEndpoint(host: string): Endpoint {
  if (host.startsWith("unix://")) return { socketPath: host.slice(7), display: host };
  if (host.startsWith("tcp://") || host.startsWith("http://")) {
    const u = new URL(host.replace(/^tcp:/, "http:"));
    return { host: u.hostname, port: Number(u.port || 2375), display: host };
  }
  if (host.startsWith("/")) return { socketPath: host, display: `unix://${host}` };
  throw new Error(`unsupported host: ${host}`);
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Raw body (e.g. a tar stream); sent as-is with the given content type. */
  rawBody?: Readable | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** Ask for a hijacked connection (attach, exec start). */
  upgrade?: boolean;
}

export interface Response {
  status: number;
  headers: IncomingMessage["headers"];
  body: IncomingMessage;
}

export interface Upgraded {
  socket: Socket;
  headers: IncomingMessage["headers"];
  /** Bytes that arrived with the 101 response. */
  head: Buffer;
}

export class Transport {
  /** Negotiated once per process: min(client, server). */
  private version: string | undefined;

  constructor(
    readonly endpoint: Endpoint,
    private readonly clientVersion = "1.47",
  ) {}

  private pathFor(path: string, query?: RequestOptions["query"]): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const q = qs.toString();
    const prefix = this.version ? `/v${this.version}` : "";
    return `${prefix}${path}${q ? "?" + q : ""}`;
  }

  private send(method: string, path: string, opts: RequestOptions): Promise<Response | Upgraded> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    let payload: Buffer | Readable | undefined;
    if (opts.body !== undefined) {
      payload = Buffer.from(JSON.stringify(opts.body));
      headers["Content-Type"] = "application/json";
    } else if (opts.rawBody !== undefined) {
      payload = opts.rawBody;
      headers["Content-Type"] = opts.contentType ?? "application/octet-stream";
    }
    if (opts.upgrade) {
      headers.Connection = "Upgrade";
      headers.Upgrade = "tcp";
    }
    return new Promise((resolve, reject) => {
      // No TLS here: an empty server name (an agent option Node's http typings omit) spares the
      // agent's isIP() on the host, whose IPv6 pattern costs ~5 ms to compile in a short command.
      const options: HttpRequestOptions & { servername: string } = {
        socketPath: this.endpoint.socketPath,
        host: this.endpoint.host,
        port: this.endpoint.port,
        method,
        path: this.pathFor(path, opts.query),
        headers,
        servername: "",
      };
      const req = httpRequest(options);
      req.on("error", (err) => reject(new ConnectionError(this.endpoint.display, err)));
      req.on("response", (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }));
      req.on("upgrade", (res, socket, head) => resolve({ socket, headers: res.headers, head }));
      if (payload === undefined) req.end();
      else if (Buffer.isBuffer(payload)) req.end(payload);
      else payload.pipe(req);
    });
  }

  async negotiate(): Promise<void> {
    if (this.version !== undefined) return;
    const res = await this.send("GET", "/_ping", {});
    if (!("status" in res)) throw new Error("unexpected upgrade on /_ping");
    res.body.resume();
    const server = res.headers["api-version"];
    const sv = typeof server === "string" ? server : this.clientVersion;
    this.version = compare(sv, this.clientVersion) < 0 ? sv : this.clientVersion;
  }

  /** A request whose non-2xx answers become ApiError. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    await this.negotiate();
    const res = await this.send(method, path, { ...opts, upgrade: false });
    if (!("status" in res)) throw new Error("unexpected upgrade");
    if (res.status >= 400) throw await toApiError(res);
    return res;
  }

  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.request(method, path, opts);
    const text = await readAll(res.body);
    if (text.length === 0) return undefined as T;
    return JSON.parse(text.toString("utf8")) as T;
  }

  async upgrade(method: string, path: string, opts: RequestOptions = {}): Promise<Upgraded> {
    await this.negotiate();
    const res = await this.send(method, path, { ...opts, upgrade: true });
    if ("status" in res) {
      if (res.status >= 400) throw await toApiError(res);
      // An old-style raw stream without upgrade: use the response socket.
      return { socket: res.body.socket, headers: res.headers, head: Buffer.alloc(0) };
    }
    return res;
  }
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

async function toApiError(res: Response): Promise<ApiError> {
  const text = (await readAll(res.body)).toString("utf8");
  let message = text.trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === "string") message = parsed.message;
  } catch {
    // Not JSON: keep the text.
  }
  return new ApiError(res.status, kindOfStatus(res.status), message);
}

function compare(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 2; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * Reads a stream of JSON objects, one per line (events, progress, stats);
 * `parse` replaces JSON.parse for lines that need exact numbers.
 */
export async function* jsonLines<T>(
  stream: Readable,
  parse: (line: string) => T = (line) => JSON.parse(line) as T,
): AsyncGenerator<T> {
  // A character split across chunks must not turn into two replacement characters.
  const decoder = new StringDecoder("utf8");
  let buf = "";
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    buf += decoder.write(chunk);
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield parse(line);
    }
  }
  buf += decoder.end();
  if (buf.trim()) yield parse(buf.trim());
}
