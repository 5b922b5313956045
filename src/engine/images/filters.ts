/**
 * The filters of image list and prune, as pure predicates over an image's
 * created time, labels and references. api/ parses the query; the service
 * resolves `before`/`since` images to their created times.
 */
import { invalid } from "../errors.js";

/** `label=k`, `label=k=v` (and prune's `label!=…`): Docker's MatchKVList. */
export function matchLabelFilters(
  labels: Record<string, string> | undefined,
  want: readonly string[],
  notWant: readonly string[] = [],
): boolean {
  const has = (f: string) => {
    const eq = f.indexOf("=");
    if (eq < 0) return labels !== undefined && f in labels;
    return labels !== undefined && labels[f.slice(0, eq)] === f.slice(eq + 1);
  };
  return want.every(has) && !notWant.some(has);
}

/** The dangling filter: Go's ParseBool values ("true", "1", "t", "FALSE"…). */
export function parseDanglingFilter(values: readonly string[]): boolean | undefined {
  if (values.length === 0) return undefined;
  let result: boolean | undefined;
  for (const v of values) {
    const b = ["1", "t", "T", "TRUE", "true", "True"].includes(v)
      ? true
      : ["0", "f", "F", "FALSE", "false", "False"].includes(v)
        ? false
        : undefined;
    if (b === undefined) throw invalid(`invalid filter 'dangling=${v}'`);
    if (result !== undefined && result !== b) throw invalid(`invalid filter 'dangling=${values.join(",")}'`);
    result = b;
  }
  return result;
}

/**
 * Go's duration syntax ("24h", "1h30m", "10s", "500ms") in nanoseconds, or
 * undefined when `s` is not a duration.
 */
export function parseGoDuration(s: string): bigint | undefined {
  const m = /^([+-])?((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(s);
  if (m === null) return undefined;
  const unit: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(part[1]) * unit[part[2]!]!;
  }
  const n = BigInt(Math.round(total));
  return m[1] === "-" ? -n : n;
}

/**
 * Docker's `until` / `since` values: a Go duration before now, unix seconds
 * (with fraction), or an RFC 3339 date. Returns ns since the epoch.
 */
export function parseTimeFilter(value: string, nowNano: bigint): bigint {
  const d = parseGoDuration(value);
  if (d !== undefined) return nowNano - d;
  const unix = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (unix !== null) {
    return BigInt(unix[1]!) * 1_000_000_000n + BigInt((unix[2] ?? "").padEnd(9, "0") || "0");
  }
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) throw invalid(`failed to parse value as time or duration: "${value}"`);
  return BigInt(ms) * 1_000_000n;
}

/** A Go time string from an image config, in ns (0 when absent or unreadable). */
export function configCreatedNano(created: string | undefined): bigint {
  if (created === undefined) return 0n;
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(created);
  if (m === null) return 0n;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return 0n;
  const frac = BigInt((m[2] ?? "").slice(0, 9).padEnd(9, "0") || "0");
  return BigInt(ms) * 1_000_000n + frac;
}
