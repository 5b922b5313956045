/**
 * The distribution spec's error codes and the one code → status table. The
 * registry speaks its own wire protocol (not the Engine API), so its errors
 * carry the spec's codes rather than the engine's kinds.
 */

export type RegistryErrorCode =
  | "BLOB_UNKNOWN"
  | "BLOB_UPLOAD_INVALID"
  | "BLOB_UPLOAD_UNKNOWN"
  | "DIGEST_INVALID"
  | "MANIFEST_BLOB_UNKNOWN"
  | "MANIFEST_INVALID"
  | "MANIFEST_UNKNOWN"
  | "NAME_INVALID"
  | "NAME_UNKNOWN"
  | "SIZE_INVALID"
  | "TAG_INVALID"
  | "UNAUTHORIZED"
  | "DENIED"
  | "UNSUPPORTED"
  | "TOOMANYREQUESTS"
  | "RANGE_INVALID"
  | "MANIFEST_TOO_LARGE"
  | "NOT_FOUND"
  | "PAGINATION_NUMBER_INVALID";

/** The spec's messages, word for word (clients print them). */
const messages: Record<RegistryErrorCode, string> = {
  BLOB_UNKNOWN: "blob unknown to registry",
  BLOB_UPLOAD_INVALID: "blob upload invalid",
  BLOB_UPLOAD_UNKNOWN: "blob upload unknown to registry",
  DIGEST_INVALID: "provided digest did not match uploaded content",
  MANIFEST_BLOB_UNKNOWN: "blob unknown to registry",
  MANIFEST_INVALID: "manifest invalid",
  MANIFEST_UNKNOWN: "manifest unknown",
  NAME_INVALID: "invalid repository name",
  NAME_UNKNOWN: "repository name not known to registry",
  SIZE_INVALID: "provided length did not match content length",
  TAG_INVALID: "manifest tag did not match URI",
  UNAUTHORIZED: "authentication required",
  DENIED: "requested access to the resource is denied",
  UNSUPPORTED: "The operation is unsupported.",
  TOOMANYREQUESTS: "too many requests",
  RANGE_INVALID: "invalid content range",
  MANIFEST_TOO_LARGE: "manifest too large",
  NOT_FOUND: "not found",
  PAGINATION_NUMBER_INVALID: "invalid number of results requested",
};

export function statusOf(code: RegistryErrorCode): number {
  switch (code) {
    case "BLOB_UNKNOWN":
    case "BLOB_UPLOAD_UNKNOWN":
    case "MANIFEST_UNKNOWN":
    case "NAME_UNKNOWN":
    case "NOT_FOUND":
      return 404;
    case "BLOB_UPLOAD_INVALID":
    case "DIGEST_INVALID":
    case "MANIFEST_BLOB_UNKNOWN":
    case "MANIFEST_INVALID":
    case "NAME_INVALID":
    case "SIZE_INVALID":
    case "TAG_INVALID":
    case "PAGINATION_NUMBER_INVALID":
      return 400;
    case "UNAUTHORIZED":
      return 401;
    case "DENIED":
      return 403;
    case "UNSUPPORTED":
      return 405;
    case "MANIFEST_TOO_LARGE":
      return 413;
    case "RANGE_INVALID":
      return 416;
    case "TOOMANYREQUESTS":
      return 429;
  }
}

/** Codes that are ours, not the spec's, are sent as the nearest spec code. */
function wireCode(code: RegistryErrorCode): string {
  if (code === "RANGE_INVALID") return "BLOB_UPLOAD_INVALID";
  if (code === "MANIFEST_TOO_LARGE") return "MANIFEST_INVALID";
  if (code === "NOT_FOUND") return "UNSUPPORTED";
  return code;
}

export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    readonly detail?: unknown,
    /** Extra response headers (WWW-Authenticate, Range). */
    readonly headers: Record<string, string> = {},
  ) {
    super(messages[code]);
    this.name = "RegistryError";
  }

  get status(): number {
    return statusOf(this.code);
  }

  toJSON(): { errors: { code: string; message: string; detail?: unknown }[] } {
    const e: { code: string; message: string; detail?: unknown } = {
      code: wireCode(this.code),
      message: this.message,
    };
    if (this.detail !== undefined) e.detail = this.detail;
    return { errors: [e] };
  }
}

export const regError = (code: RegistryErrorCode, detail?: unknown, headers?: Record<string, string>) =>
  new RegistryError(code, detail, headers);
