/**
 * Docker's API timestamps: unix seconds with an optional fraction
 * ("1700000000.5"), or RFC 3339. Returned as nanoseconds.
 */
import { invalid } from "../engine/errors.js";

export function parseTimestampNano(value: string): bigint {
  const unix = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (unix !== null) {
    const frac = (unix[2] ?? "").padEnd(9, "0");
    return BigInt(unix[1]!) * 1_000_000_000n + BigInt(frac || "0");
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(`failed to parse value as time or duration: "${value}"`);
  return BigInt(ms) * 1_000_000n;
}

/** Go's RFC3339Nano rendering of a time in ns, as Docker writes Created and friends. */
export function rfc3339Nano(nano: bigint): string {
  const ms = Number(nano / 1_000_000n);
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = (nano % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return `${base}${frac ? "." + frac : ""}Z`;
}
