/**
 * Template functions: Go's builtins (text/template/funcs.go) and the ones the
 * docker CLI adds (cli/templates: json, split, join, title, lower, upper, pad,
 * truncate), plus docker's header variants that leave column names intact.
 */
import { randomBytes } from "node:crypto";
import { sprint, sprintf, sprintln } from "./goFmt.js";
import {
  GoFloat,
  formatValue,
  goTypeName,
  isPlainObject,
  isTrue,
  kindOf,
  structTagOf,
  toNumber,
} from "./values.js";

/** Parameter types the executor checks, as Go's reflection would. */
export type ParamType = "any" | "string" | "int" | "strings";

export interface FuncDef {
  params: ParamType[];
  variadic?: ParamType;
  /** Go declares the parameters reflect.Value: a literal nil arrives as the invalid value. */
  reflectArgs?: boolean;
  /** and/or evaluate their arguments lazily. */
  lazy?: "and" | "or";
  call(args: unknown[]): unknown;
}

/** An error a function returns; the executor reports "error calling NAME: …". */
export class FuncError extends Error {}

export type FuncMap = ReadonlyMap<string, FuncDef>;

const fn = (params: ParamType[], call: (args: unknown[]) => unknown, variadic?: ParamType): FuncDef => ({
  params,
  call,
  variadic,
});
const reflectFn = (
  params: ParamType[],
  call: (args: unknown[]) => unknown,
  variadic?: ParamType,
): FuncDef => ({
  ...fn(params, call, variadic),
  reflectArgs: true,
});

type BasicKind = "bool" | "int" | "float" | "string" | "invalid";
/** Go's basicKind: anything but bool, numbers and strings is "invalid" for comparison. */
function basicKind(v: unknown): BasicKind {
  const k = kindOf(v);
  if (k === "bool" || k === "int" || k === "float" || k === "string") return k;
  return "invalid";
}

const errBadComparison = "incompatible types for comparison";
const errBadComparisonType = "invalid type for comparison";

function isNil(v: unknown): boolean {
  return v === null || v === undefined;
}

function eq(args: unknown[]): boolean {
  const [a, ...rest] = args;
  if (rest.length === 0) throw new FuncError("missing argument for comparison");
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    let truth = false;
    if (k1 !== k2) {
      // Comparing with a missing value is false, not an error.
      if (a !== undefined && b !== undefined) throw new FuncError(errBadComparison);
    } else if (k1 === "invalid") {
      // nil compares equal to nil only; slices and maps are not comparable.
      if (isNil(a) || isNil(b)) truth = isNil(a) === isNil(b);
      else {
        const bad = [b, a].find((v) => ["slice", "map", "func"].includes(kindOf(v)));
        if (bad !== undefined)
          throw new FuncError(`non-comparable type ${formatValue(bad)}: ${goTypeName(bad)}`);
        truth = a === b;
      }
    } else if (k1 === "int" || k1 === "float") {
      truth = toNumber(a) === toNumber(b);
    } else {
      truth = a === b;
    }
    if (truth) return true;
  }
  return false;
}

function lt(args: unknown[]): boolean {
  const [a, b] = args;
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === "invalid" || k2 === "invalid") throw new FuncError(errBadComparisonType);
  if (k1 !== k2) throw new FuncError(errBadComparison);
  if (k1 === "bool") throw new FuncError(errBadComparisonType);
  if (k1 === "string") return (a as string) < (b as string);
  return toNumber(a) < toNumber(b);
}

function le(args: unknown[]): boolean {
  return lt(args) || eq(args);
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

function length(args: unknown[]): number {
  const [v] = args;
  if (v === null) throw new FuncError("len of nil pointer");
  if (v === undefined) throw new FuncError("reflect: call of reflect.Value.Type on zero Value");
  switch (kindOf(v)) {
    case "string":
      return byteLength(v as string);
    case "slice":
      return (v as unknown[]).length;
    case "map":
      return v instanceof Map ? v.size : Object.keys(v).length;
    default:
      throw new FuncError(`len of type ${goTypeName(v)}`);
  }
}

function indexArg(i: unknown, len: number): number {
  if (kindOf(i) !== "int") throw new FuncError(`cannot index slice/array with type ${goTypeName(i)}`);
  const x = toNumber(i);
  if (x < 0 || x > len) throw new FuncError(`index out of range: ${x}`);
  return x;
}

function index(args: unknown[]): unknown {
  let [item] = args;
  if (item === undefined) throw new FuncError("index of untyped nil");
  for (const ix of args.slice(1)) {
    if (item === null) throw new FuncError("index of nil pointer");
    const k = kindOf(item);
    if (k === "slice" || k === "string") {
      const s = k === "string" ? Buffer.from(item as string, "utf8") : (item as unknown[]);
      const x = indexArg(ix, s.length);
      if (x === s.length) {
        throw new FuncError(
          k === "string" ? `index out of range: ${x}` : "reflect: slice index out of range",
        );
      }
      item = s[x];
    } else if (item instanceof Map) {
      item = item.has(ix) ? item.get(ix) : zeroOfMap(item.values());
    } else if (isPlainObject(item) && !structTagOf(item)) {
      // Plain objects index like map[string]T, even PascalCase ones (labels).
      if (typeof ix !== "string") throw new FuncError(`value has type ${goTypeName(ix)}; should be string`);
      item = Object.hasOwn(item, ix) ? item[ix] : zeroOfMap(Object.values(item));
    } else {
      throw new FuncError(`can't index item of type ${goTypeName(item)}`);
    }
  }
  return item;
}

/** The zero value of a map's element type, guessed from its values. */
function zeroOfMap(values: Iterable<unknown>): unknown {
  const vals = [...values];
  if (vals.length > 0 && vals.every((v) => typeof v === "string")) return "";
  if (vals.length > 0 && vals.every((v) => typeof v === "boolean")) return false;
  if (vals.length > 0 && vals.every((v) => typeof v === "number")) return 0;
  return vals.length === 0 ? "" : undefined;
}

function slice(args: unknown[]): unknown {
  const [item, ...idx] = args;
  if (item === undefined || item === null) throw new FuncError("slice of untyped nil");
  if (idx.length > 3) throw new FuncError(`too many slice indexes: ${idx.length}`);
  const k = kindOf(item);
  let len: number;
  if (k === "string") {
    if (idx.length === 3) throw new FuncError("cannot 3-index slice a string");
    len = byteLength(item as string);
  } else if (k === "slice") {
    len = (item as unknown[]).length;
  } else {
    throw new FuncError(`can't slice item of type ${goTypeName(item)}`);
  }
  const ix = [0, len, len];
  idx.forEach((v, i) => (ix[i] = indexArg(v, len)));
  const [lo = 0, hi = len] = ix;
  if (lo > hi) throw new FuncError(`invalid slice index: ${lo} > ${hi}`);
  if (k === "string")
    return Buffer.from(item as string, "utf8")
      .subarray(lo, hi)
      .toString("utf8");
  return (item as unknown[]).slice(lo, hi);
}

/** Go's encoding/json with SetEscapeHTML(false), trailing newline trimmed. */
export function goJson(v: unknown): string {
  // A bigint (an exact int64 such as an event's timeNano) is written as its digits: JSON.stringify
  // refuses bigints, so each goes out as a string marked with a fresh nonce, then loses its quotes.
  const mark = `bigint${randomBytes(8).toString("hex")}:`;
  const s = JSON.stringify(toJsonValue(v, 0), (_k, e: unknown) =>
    typeof e === "bigint" ? `${mark}${e.toString()}` : e,
  );
  return (s ?? "null")
    .replace(new RegExp(`"${mark}(-?\\d+)"`, "g"), "$1")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function toJsonValue(v: unknown, depth: number): unknown {
  if (depth > 100) throw new FuncError("json: unsupported value: encountered a cycle");
  if (v === undefined) return null;
  if (v instanceof GoFloat) return v.value;
  if (typeof v === "function") return null;
  if (typeof v === "number" && !Number.isFinite(v)) {
    throw new FuncError(
      `json: unsupported value: ${v === Infinity ? "+Inf" : v === -Infinity ? "-Inf" : "NaN"}`,
    );
  }
  if (typeof v !== "object" || v === null) return v;
  if (v instanceof Date) return v.toISOString().replace(/\.000Z$/, "Z");
  const tag = structTagOf(v);
  if (tag && "jsonValue" in tag) {
    // The wire form of a struct: its own keys keep their order, nested maps still sort.
    const jv = tag.jsonValue;
    if (!isPlainObject(jv)) return toJsonValue(jv, depth + 1);
    return objectToJson(jv, Object.entries(jv), depth);
  }
  if (Array.isArray(v)) return v.map((e) => toJsonValue(e, depth + 1));
  const entries: [string, unknown][] =
    v instanceof Map ? [...(v as Map<unknown, unknown>)].map(([k, e]) => [String(k), e]) : Object.entries(v);
  const sorted = kindOf(v) === "map" || tag?.sortedJson === true;
  if (sorted) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return objectToJson(v, entries, depth);
}

function objectToJson(v: object, entries: [string, unknown][], depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, e] of entries) {
    // Row contexts expose zero-argument getters, as docker's contexts marshal their methods.
    if (typeof e === "function") {
      if (e.length === 0) out[key] = toJsonValue((e as () => unknown).call(v), depth + 1);
      continue;
    }
    out[key] = toJsonValue(e, depth + 1);
  }
  return out;
}

/** strings.Title: upper-cases the first letter of each word. */
function title(s: string): string {
  let prev = " ";
  let out = "";
  for (const ch of s) {
    out += isSeparator(prev) ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  if (ch.charCodeAt(0) <= 0x7f) return !/[0-9A-Za-z_]/.test(ch);
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return /\s/u.test(ch);
}

function repeat(n: number): string {
  if (n < 0) throw new FuncError("strings: negative Repeat count");
  return " ".repeat(n);
}

function truncate(s: string, n: number): string {
  const b = Buffer.from(s, "utf8");
  if (b.length < n) return s;
  if (n < 0) throw new FuncError(`runtime error: slice bounds out of range [:${n}]`);
  return b.subarray(0, n).toString("utf8");
}

function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) =>
    c === "\0" ? "\uFFFD" : ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&#39;", '"': "&#34;" }[c] ?? c),
  );
}

function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === "<") out += "\\u003C";
    else if (ch === ">") out += "\\u003E";
    else if (ch === "&") out += "\\u0026";
    else if (ch === "=") out += "\\u003D";
    else if (c < 0x20) out += "\\u" + c.toString(16).toUpperCase().padStart(4, "0");
    else out += ch;
  }
  return out;
}

function evalArgsString(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args);
}

export const builtinFuncs: FuncMap = new Map<string, FuncDef>([
  ["and", { params: ["any"], variadic: "any", lazy: "and", call: () => undefined }],
  ["or", { params: ["any"], variadic: "any", lazy: "or", call: () => undefined }],
  ["not", reflectFn(["any"], ([v]) => !isTrue(v))],
  ["len", reflectFn(["any"], length)],
  ["index", reflectFn(["any"], index, "any")],
  ["slice", reflectFn(["any"], slice, "any")],
  ["print", fn([], sprint, "any")],
  ["printf", fn(["string"], ([f, ...rest]) => sprintf(f as string, rest), "any")],
  ["println", fn([], sprintln, "any")],
  ["eq", reflectFn(["any"], eq, "any")],
  ["ne", reflectFn(["any", "any"], (a) => !eq(a))],
  ["lt", reflectFn(["any", "any"], lt)],
  ["le", reflectFn(["any", "any"], le)],
  ["gt", reflectFn(["any", "any"], (a) => !le(a))],
  ["ge", reflectFn(["any", "any"], (a) => !lt(a))],
  [
    "call",
    reflectFn(
      ["any"],
      ([f, ...rest]) => {
        if (typeof f !== "function") throw new FuncError(`non-function of type ${goTypeName(f)}`);
        return (f as (...a: unknown[]) => unknown)(...rest);
      },
      "any",
    ),
  ],
  ["html", fn([], (a) => htmlEscape(evalArgsString(a)), "any")],
  ["js", fn([], (a) => jsEscape(evalArgsString(a)), "any")],
  ["urlquery", fn([], (a) => encodeURIComponent(evalArgsString(a)).replace(/%20/g, "+"), "any")],
]);

/** docker's basicFunctions (cli/templates/templates.go). */
export const dockerFuncs: FuncMap = new Map<string, FuncDef>([
  ["json", fn(["any"], ([v]) => goJson(v))],
  ["split", fn(["string", "string"], ([s, sep]) => goSplit(s as string, sep as string))],
  ["join", fn(["strings", "string"], ([a, sep]) => (a as string[]).join(sep as string))],
  ["title", fn(["string"], ([s]) => title(s as string))],
  ["lower", fn(["string"], ([s]) => (s as string).toLowerCase())],
  ["upper", fn(["string"], ([s]) => (s as string).toUpperCase())],
  [
    "pad",
    fn(["string", "int", "int"], ([s, p, q]) =>
      s === "" ? "" : repeat(p as number) + (s as string) + repeat(q as number),
    ),
  ],
  ["truncate", fn(["string", "int"], ([s, n]) => truncate(s as string, n as number))],
]);

/** docker's HeaderFunctions: the header row keeps column names as they are. */
export const headerFuncs: FuncMap = new Map<string, FuncDef>([
  ["json", fn(["string"], ([v]) => v)],
  ["split", fn(["string", "string"], ([v]) => v)],
  ["join", fn(["string", "string"], ([v]) => v)],
  ["title", fn(["string"], ([v]) => v)],
  ["lower", fn(["string"], ([v]) => v)],
  ["upper", fn(["string"], ([v]) => v)],
  ["truncate", fn(["string", "int"], ([v]) => v)],
]);

/** strings.Split: an empty separator splits into characters. */
function goSplit(s: string, sep: string): string[] {
  if (sep === "") return [...s];
  return s.split(sep);
}
