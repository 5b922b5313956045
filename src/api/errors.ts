/**
 * The only table from error kind to HTTP status, and the writer of Docker's
 * error body `{"message": …}`. Anything that is not an EngineError is a 500.
 */
import type { ServerResponse } from "node:http";
import { EngineError, type ErrorKind } from "../engine/errors.js";
import { log } from "../engine/log.js";

export function statusOf(kind: ErrorKind): number {
  switch (kind) {
    case "not-found":
      return 404;
    case "invalid":
      return 400;
    case "conflict":
      return 409;
    case "not-modified":
      return 304;
    case "forbidden":
      return 403;
    case "unauthorized":
      return 401;
    case "unavailable":
      return 503;
    case "not-implemented":
      return 501;
    case "internal":
      return 500;
  }
}

export function writeError(res: ServerResponse, err: unknown): void {
  let status = 500;
  let message: string;
  if (err instanceof EngineError) {
    status = statusOf(err.kind);
    message = err.message;
    if (err.kind === "internal") log.error(message, { cause: err.cause ?? err });
  } else {
    message = err instanceof Error ? err.message : String(err);
    log.error("internal error", { err });
  }
  if (res.headersSent) {
    // A stream already started: the client reads the error in-band or sees the end.
    res.end();
    return;
  }
  if (status === 304) {
    res.writeHead(304).end();
    return;
  }
  const body = JSON.stringify({ message }) + "\n";
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}
