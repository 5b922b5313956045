/**
 * Errors a registry answered with: the distribution spec's
 * `{"errors":[{"code","message","detail"}]}` body, rendered as Docker's
 * errcode does ("manifest unknown: manifest unknown"), and mapped to an
 * error kind.
 */
import { EngineError, type ErrorKind } from "../errors.js";
import { readBody, type HttpResponse } from "./http.js";

export class RegistryError extends EngineError {
  constructor(
    kind: ErrorKind,
    message: string,
    /** The first error code ("MANIFEST_UNKNOWN"), or "" when the body had none. */
    readonly code: string,
    readonly status: number,
    /** That error's own message, without the code. */
    readonly detail: string,
  ) {
    super(kind, message);
  }
}

function kindOf(status: number): ErrorKind {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not-found";
  if (status === 400 || status === 405 || status === 416) return "invalid";
  if (status === 429 || status >= 502) return "unavailable";
  return "internal";
}

/** Reads the body of a failed response into a RegistryError. */
export async function registryError(res: HttpResponse, method: string): Promise<RegistryError> {
  let text = "";
  if (method !== "HEAD") {
    try {
      text = (await readBody(res, 64 * 1024)).toString("utf8");
    } catch {
      text = "";
    }
  } else res.body.resume();
  const parsed = parseErrors(text);
  const first = parsed[0];
  if (first !== undefined) {
    const render = (e: { code: string; message: string }) =>
      `${e.code.toLowerCase().replace(/_/g, " ")}: ${e.message}`;
    const message =
      parsed.length === 1 ? render(first) : `errors:\n${parsed.map((e) => render(e) + "\n").join("")}`;
    return new RegistryError(kindOf(res.status), message, first.code, res.status, first.message);
  }
  // Docker's UnexpectedHTTPResponseError / HandleErrorResponse for bodies without errors.
  const statusText = `${res.status} ${httpStatusText(res.status)}`;
  const message =
    res.status === 401
      ? "unauthorized: authentication required"
      : res.status === 404 && method === "HEAD"
        ? "not found"
        : `unexpected status code ${statusText}${text.trim() ? `: ${text.trim().slice(0, 200)}` : ""}`;
  const code = res.status === 401 ? "UNAUTHORIZED" : "";
  return new RegistryError(kindOf(res.status), message, code, res.status, message);
}

function parseErrors(text: string): { code: string; message: string }[] {
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body !== "object" || body === null) return [];
    const errs = (body as { errors?: unknown }).errors;
    if (!Array.isArray(errs)) return [];
    return errs
      .filter((e): e is { code: unknown; message?: unknown } => typeof e === "object" && e !== null)
      .map((e) => ({
        code: typeof e.code === "string" ? e.code : "UNKNOWN",
        message: typeof e.message === "string" ? e.message : "",
      }));
  } catch {
    return [];
  }
}

export function httpStatusText(status: number): string {
  const texts: Record<number, string> = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    206: "Partial Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    416: "Requested Range Not Satisfiable",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
  };
  return texts[status] ?? "";
}

export function isRegistryError(err: unknown, code?: string): err is RegistryError {
  return err instanceof RegistryError && (code === undefined || err.code === code);
}
