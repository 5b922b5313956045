/**
 * What a handler sees of one request: its params, query, negotiated API
 * version, and the ways to answer (JSON, a stream, or a hijacked connection).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { compareVersions } from "./version.js";

export interface Hijacked {
  /** Bytes from the client (stdin). Ends when the client half-closes. */
  input: Duplex;
  /** Bytes to the client. */
  output: Duplex;
}

export class RequestContext {
  readonly query: URLSearchParams;
  private upgradeSocket: Duplex | undefined;
  private upgradeHead: Buffer | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly params: Record<string, string>,
    url: URL,
    readonly apiVersion: string,
    upgrade?: { socket: Duplex; head: Buffer },
  ) {
    this.query = url.searchParams;
    this.upgradeSocket = upgrade?.socket;
    this.upgradeHead = upgrade?.head;
  }

  param(name: string): string {
    const v = this.params[name];
    if (v === undefined) throw new Error(`route has no param ${name}`);
    return v;
  }

  versionAtLeast(v: string): boolean {
    return compareVersions(this.apiVersion, v) >= 0;
  }

  json(status: number, body: unknown): void {
    const text = JSON.stringify(body) + "\n";
    this.res.writeHead(status, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(text),
    });
    this.res.end(text);
  }

  noContent(status = 204): void {
    this.res.writeHead(status).end();
  }

  text(status: number, body: string, contentType = "text/plain; charset=utf-8"): void {
    this.res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
    this.res.end(body);
  }

  /** Starts a chunked response whose body the handler writes as it goes. */
  stream(contentType: string, status = 200): ServerResponse {
    this.res.writeHead(status, { "Content-Type": contentType });
    this.res.flushHeaders();
    return this.res;
  }

  /**
   * Takes over the connection, as dockerd does for attach and exec start:
   * 101 UPGRADED when the client asked to upgrade, else 200 with a raw stream.
   */
  hijack(contentType: string): Hijacked {
    const socket = this.upgradeSocket;
    if (socket !== undefined) {
      this.res.detachSocket(socket as Socket);
      socket.write(
        `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`,
      );
      if (this.upgradeHead && this.upgradeHead.length > 0) socket.unshift(this.upgradeHead);
      return { input: socket, output: socket };
    }
    const raw = this.res.socket;
    if (raw === null) throw new Error("connection already closed");
    this.res.detachSocket(raw);
    raw.write(`HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\nConnection: close\r\n\r\n`);
    return { input: raw, output: raw };
  }

  get isUpgrade(): boolean {
    return this.upgradeSocket !== undefined;
  }
}
