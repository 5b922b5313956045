/**
 * Errors from the daemon, as the client sees them: the HTTP status turned back
 * into an error kind (the reverse of api/errors.ts), with the daemon's message.
 */
import type { ErrorKind } from "../engine/errors.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The daemon could not be reached at all. */
export class ConnectionError extends Error {
  constructor(
    readonly host: string,
    override readonly cause: unknown,
  ) {
    super(`Cannot connect to the Berth daemon at ${host}. Is the berth daemon running?`);
    this.name = "ConnectionError";
  }
}

export function kindOfStatus(status: number): ErrorKind {
  switch (status) {
    case 400:
      return "invalid";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not-found";
    case 409:
      return "conflict";
    case 304:
      return "not-modified";
    case 501:
      return "not-implemented";
    case 503:
      return "unavailable";
    default:
      return "internal";
  }
}
