/**
 * Error kinds shared by the whole engine. A kind says what went wrong (and so
 * which HTTP status api/ picks); the message gives the detail in Docker's words.
 * Callers branch on `kind`, never on the message text.
 */
export type ErrorKind =
  | "not-found"
  | "invalid"
  | "conflict"
  | "not-modified"
  | "forbidden"
  | "unauthorized"
  | "unavailable"
  | "not-implemented"
  | "internal";

export class EngineError extends Error {
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = "EngineError";
  }
}

export const notFound = (message: string, cause?: unknown) =>
  new EngineError("not-found", message, { cause });
export const invalid = (message: string, cause?: unknown) => new EngineError("invalid", message, { cause });
export const conflict = (message: string, cause?: unknown) => new EngineError("conflict", message, { cause });
export const notModified = (message = "") => new EngineError("not-modified", message);
export const forbidden = (message: string) => new EngineError("forbidden", message);
export const unauthorized = (message: string) => new EngineError("unauthorized", message);
export const unavailable = (message: string, cause?: unknown) =>
  new EngineError("unavailable", message, { cause });
export const notImplemented = (message: string) => new EngineError("not-implemented", message);
export const internal = (message: string, cause?: unknown) => new EngineError("internal", message, { cause });

export function isEngineError(err: unknown, kind?: ErrorKind): err is EngineError {
  return err instanceof EngineError && (kind === undefined || err.kind === kind);
}

/** The error code node:fs put on an error, if any (ENOENT, EEXIST…). */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err && typeof err.code === "string")
    return err.code;
  return undefined;
}
