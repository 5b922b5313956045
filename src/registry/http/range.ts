/**
 * The two range headers of the protocol: `Range: bytes=a-b` on blob reads
 * (one range; suffix and open-ended forms) and `Content-Range: a-b` on
 * upload chunks (the spec's form, which omits the "bytes " unit).
 */
import { regError } from "../errors.js";

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * The range to serve for a `Range` header on a blob of `size` bytes:
 * undefined for the whole blob, or a 416 error when it cannot be satisfied.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges (a multipart answer) or another unit: serve the whole blob, as RFC 9110 allows.
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  const unsatisfiable = () =>
    regError("RANGE_INVALID", { range: header, size }, { "Content-Range": `bytes */${size}` });
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) throw unsatisfiable();
  return { start, end };
}

/** An upload chunk's `Content-Range`, checked against its Content-Length when both are given. */
export function parseContentRange(
  header: string | undefined,
  contentLength: number | undefined,
): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!m) throw regError("RANGE_INVALID", { contentRange: header });
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start) throw regError("RANGE_INVALID", { contentRange: header });
  if (contentLength !== undefined && contentLength !== end - start + 1) {
    throw regError("SIZE_INVALID", { contentRange: header, contentLength });
  }
  return { start, end };
}
