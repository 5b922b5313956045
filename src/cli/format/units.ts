/**
 * docker/go-units, as the docker CLI prints and parses sizes and durations:
 * HumanSize (decimal, "%.Ng"), BytesSize (binary, "%.4g"), HumanDuration,
 * RAMInBytes / FromHumanSize (v0.5 parser, with its error texts), plus the
 * CLI's Ellipsis and short-ID truncation.
 */
import { formatFloat } from "./goNumber.js";
import { isWide } from "./width.js";

const decimalAbbrs = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
const binaryAbbrs = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];

function sizeAndUnit(size: number, base: number, units: string[]): [number, string] {
  let i = 0;
  let s = size;
  while (s >= base && i < units.length - 1) {
    s /= base;
    i++;
  }
  return [s, units[i] ?? "B"];
}

/**
 * units.HumanSizeWithPrecision: "5.12MB", "1.2kB", "0B". docker images and
 * ps use precision 3; units.HumanSize (system df, volumes) is precision 4.
 */
export function humanSize(size: number, precision = 3): string {
  const [s, unit] = sizeAndUnit(size, 1000, decimalAbbrs);
  return formatFloat(s, "g", precision) + unit;
}

/** units.BytesSize: binary units, 4 significant digits ("1.5MiB", "23.46GiB"). */
export function bytesSize(size: number): string {
  const [s, unit] = sizeAndUnit(size, 1024, binaryAbbrs);
  return formatFloat(s, "g", 4) + unit;
}

/** units.HumanDuration of a duration in milliseconds ("About a minute", "3 days"). */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hoursF = ms / 3_600_000;
  const hours = Math.trunc(hoursF + 0.5);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(hoursF) / 24 / 365)} years`;
}

/** "About a minute ago", as docker ps/images print creation times. */
export function timeAgo(when: Date | string | number, now: number = Date.now()): string {
  const t = when instanceof Date ? when.getTime() : typeof when === "number" ? when : Date.parse(when);
  return `${humanDuration(now - t)} ago`;
}

/** An error with go-units' text ("invalid size: 'x'", "invalid suffix: 'x'"). */
export class SizeError extends Error {}

const binaryMap: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
const decimalMap: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

/** strconv.ParseFloat's accepted decimal syntax (plus Inf/NaN words). */
function parseGoFloat(s: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(s)) return NaN;
  throw new SizeError(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
}

function parseSize(sizeStr: string, map: Record<string, number>): number {
  let sep = -1;
  for (let i = sizeStr.length - 1; i >= 0; i--) {
    if ("0123456789. ".includes(sizeStr[i] ?? "")) {
      sep = i;
      break;
    }
  }
  if (sep === -1) throw new SizeError(`invalid size: '${sizeStr}'`);
  const num = sizeStr[sep] !== " " ? sizeStr.slice(0, sep + 1) : sizeStr.slice(0, sep);
  let sfx = sizeStr.slice(sep + 1);
  let size = parseGoFloat(num);
  if (size < 0) throw new SizeError(`invalid size: '${sizeStr}'`);
  if (sfx.length === 0) return Math.trunc(size);
  const badSuffix = (): SizeError => new SizeError(`invalid suffix: '${sfx}'`);
  if (sfx.length > 3) throw badSuffix();
  sfx = sfx.toLowerCase();
  if (sfx[0] === "b") {
    if (sfx.length > 1) throw badSuffix();
    return Math.trunc(size);
  }
  const mul = map[sfx[0] ?? ""];
  if (mul === undefined) throw badSuffix();
  size *= mul;
  if (sfx.length === 2 && sfx[1] !== "b") throw badSuffix();
  if (sfx.length === 3 && sfx.slice(1) !== "ib") throw badSuffix();
  return Math.trunc(size);
}

/** units.RAMInBytes: "512k", "5M", "1g" in binary units; throws SizeError. */
export function ramInBytes(s: string): number {
  return parseSize(s, binaryMap);
}

/** units.FromHumanSize: "44kB", "17MB" in decimal units; throws SizeError. */
export function fromHumanSize(s: string): number {
  return parseSize(s, decimalMap);
}

/**
 * docker's formatter.Ellipsis: cut to maxWidth display columns, the last one
 * being "…"; wide characters count two.
 */
export function ellipsis(s: string, maxWidth: number): string {
  if (maxWidth <= 0) return "";
  const rs = [...s];
  if (maxWidth === 1) return rs[0] ?? "";
  const widths: number[] = [];
  let total = 0;
  for (const r of rs) {
    total += isWide(r.codePointAt(0) ?? 0) ? 2 : 1;
    widths.push(total);
  }
  if (total <= maxWidth) return s;
  for (let i = 0; i < widths.length; i++) {
    if ((widths[i] ?? 0) <= maxWidth - 1 && (widths[i + 1] ?? Infinity) > maxWidth - 1) {
      return rs.slice(0, i + 1).join("") + "…";
    }
  }
  return s;
}

/** stringid.TruncateID: drops an "algo:" prefix and keeps 12 characters. */
export function shortId(id: string): string {
  const colon = id.indexOf(":");
  const bare = colon >= 0 ? id.slice(colon + 1) : id;
  return bare.length > 12 ? bare.slice(0, 12) : bare;
}
