/**
 * How JavaScript values stand in for Go values inside templates: their kind,
 * their Go type name (for error texts), truthiness, and fmt's default %v
 * printing. Go distinguishes structs from maps and ints from floats, JS does
 * not, so the rules below decide:
 * - `undefined` is Go's invalid value (a missing map key), printed `<no value>`;
 *   `null` is a nil pointer, printed `<nil>`.
 * - an integral number is an int; `GoFloat` (template literals like `1.0`) and
 *   non-integral numbers are float64.
 * - a JS `Map` is a Go map. A plain object is a struct when it carries a
 *   `markStruct` tag or when it is non-empty and every key starts with an
 *   upper-case letter (Docker's fields are PascalCase); otherwise it is a map
 *   (labels, options: arbitrary keys). Empty objects are maps, as in Go the
 *   empty ones are nearly always maps.
 */

/** A float64 that happens to be integral (Go prints `1e+06` for 1e6). */
export class GoFloat {
  constructor(readonly value: number) {}
}

export interface StructTag {
  /** Go type name used in error texts, e.g. "*formatter.ContainerContext". */
  typeName: string;
  /** `json` sorts keys (Docker's row contexts marshal as maps). */
  sortedJson?: boolean;
  /** What `json` encodes instead (Go's json tags rename fields: APIVersion → "ApiVersion"). */
  jsonValue?: unknown;
}

const structTag = Symbol("berth.goStruct");

/** Marks an object as a Go struct (non-enumerable, so JSON.stringify ignores it). */
export function markStruct<T extends object>(obj: T, tag: StructTag): T {
  Object.defineProperty(obj, structTag, { value: tag, enumerable: false, configurable: true });
  return obj;
}

export function structTagOf(v: object): StructTag | undefined {
  return (v as { [structTag]?: StructTag })[structTag];
}

export type Kind =
  "invalid" | "nil" | "bool" | "int" | "float" | "string" | "slice" | "map" | "struct" | "func" | "time";

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

export function kindOf(v: unknown): Kind {
  if (v === undefined) return "invalid";
  if (v === null) return "nil";
  if (v instanceof GoFloat) return "float";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(v) ? "int" : "float";
    case "bigint":
      return "int";
    case "string":
      return "string";
    case "function":
      return "func";
    case "symbol":
      return "invalid";
    case "undefined":
      return "invalid";
    case "object":
      break;
  }
  if (Array.isArray(v)) return "slice";
  if (v instanceof Map) return "map";
  if (v instanceof Date) return "time";
  if (structTagOf(v)) return "struct";
  if (!isPlainObject(v)) return "struct";
  const keys = Object.keys(v);
  if (keys.length > 0 && keys.every((k) => /^[A-Z]/.test(k))) return "struct";
  return "map";
}

export function toNumber(v: unknown): number {
  if (v instanceof GoFloat) return v.value;
  if (typeof v === "bigint") return Number(v);
  return v as number;
}

/** Entries of a Go map, keys sorted as Go's fmtsort does (numbers, then strings). */
export function mapEntries(v: unknown): [unknown, unknown][] {
  const entries: [unknown, unknown][] =
    v instanceof Map ? [...(v as Map<unknown, unknown>).entries()] : Object.entries(v as object);
  return entries.sort(([a], [b]) => compareKeys(a, b));
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const sa = String(a);
  const sb = String(b);
  // Go compares strings bytewise; UTF-16 order only differs for astral planes.
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Own fields of a struct in declaration (insertion) order. */
export function structFields(v: object): [string, unknown][] {
  return Object.entries(v);
}

export function goTypeName(v: unknown): string {
  const k = kindOf(v);
  switch (k) {
    case "invalid":
      return "<invalid reflect.Value>";
    case "nil":
      return "<nil>";
    case "bool":
      return "bool";
    case "int":
      return "int";
    case "float":
      return "float64";
    case "string":
      return "string";
    case "func":
      return "func";
    case "time":
      return "time.Time";
    case "slice": {
      const arr = v as unknown[];
      if (arr.length > 0 && arr.every((e) => typeof e === "string")) return "[]string";
      return "[]interface {}";
    }
    case "map": {
      const vals = v instanceof Map ? [...(v as Map<unknown, unknown>).values()] : Object.values(v as object);
      if (vals.length > 0 && vals.every((e) => typeof e === "string")) return "map[string]string";
      return "map[string]interface {}";
    }
    case "struct":
      return structTagOf(v as object)?.typeName ?? "struct";
  }
}

/** Go's template truth: false, 0, nil, empty string/slice/map are false. */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case "invalid":
    case "nil":
      return false;
    case "bool":
      return v as boolean;
    case "int":
    case "float":
      return toNumber(v) !== 0;
    case "string":
      return (v as string).length > 0;
    case "slice":
      return (v as unknown[]).length > 0;
    case "map":
      return v instanceof Map ? v.size > 0 : Object.keys(v as object).length > 0;
    case "struct":
    case "func":
    case "time":
      return true;
  }
}

/** %v of a float64: strconv's shortest 'g' (1e+06, 1.5, 1e-05). */
export function formatFloatV(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  // Shortest round-trip digits, as Go's 'g' with precision -1.
  const [mant = "", expStr = "0"] = n.toExponential().split("e");
  const exp = Number(expStr);
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  let out: string;
  // strconv's shortest 'g' switches to %e when exp < -4 || exp >= 6.
  if (exp < -4 || exp >= 6) {
    out = expForm(digits, exp);
  } else {
    out = fixedForm(digits, exp);
  }
  return (neg ? "-" : "") + out;
}

function expForm(digits: string, exp: number): string {
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const sign = exp < 0 ? "-" : "+";
  const e = String(Math.abs(exp)).padStart(2, "0");
  return `${m}e${sign}${e}`;
}

function fixedForm(digits: string, exp: number): string {
  const dp = exp + 1;
  if (dp <= 0) return "0." + "0".repeat(-dp) + digits;
  if (dp >= digits.length) return digits + "0".repeat(dp - digits.length);
  return digits.slice(0, dp) + "." + digits.slice(dp);
}

/** time.Time's String(): "2006-01-02 15:04:05.999999999 +0000 UTC". */
export function formatGoTime(d: Date): string {
  const iso = d.toISOString(); // 2006-01-02T15:04:05.123Z
  let frac = iso.slice(20, 23).replace(/0+$/, "");
  if (frac) frac = "." + frac;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac} +0000 UTC`;
}

/** fmt's %v: maps as map[k:v], slices as [a b], structs as {a b}, nil as <nil>. */
export function formatValue(v: unknown, plusV = false, depth = 0): string {
  if (depth > 50) return "...";
  switch (kindOf(v)) {
    case "invalid":
      return "<no value>";
    case "nil":
      return "<nil>";
    case "bool":
      return String(v);
    case "int":
      return typeof v === "bigint" ? v.toString() : intString(v as number);
    case "float":
      return formatFloatV(toNumber(v));
    case "string":
      return v as string;
    case "func":
      return "0x" + "func";
    case "time":
      return formatGoTime(v as Date);
    case "slice":
      return "[" + (v as unknown[]).map((e) => formatValue(e, plusV, depth + 1)).join(" ") + "]";
    case "map":
      return (
        "map[" +
        mapEntries(v)
          .map(([k, e]) => `${formatValue(k, plusV, depth + 1)}:${formatValue(e, plusV, depth + 1)}`)
          .join(" ") +
        "]"
      );
    case "struct": {
      const custom = stringerOf(v);
      if (custom !== undefined) return custom;
      const parts = structFields(v as object).map(([k, e]) =>
        plusV ? `${k}:${formatValue(e, plusV, depth + 1)}` : formatValue(e, plusV, depth + 1),
      );
      return "{" + parts.join(" ") + "}";
    }
  }
}

/** Integral numbers print without exponent, as Go's int64 would. */
function intString(n: number): string {
  if (Math.abs(n) < 1e21) return n.toFixed(0);
  return BigInt(n).toString();
}

/** A class instance with its own toString() plays Go's fmt.Stringer. */
function stringerOf(v: unknown): string | undefined {
  if (isPlainObject(v)) return undefined;
  const ts = (v as { toString?: unknown }).toString;
  if (typeof ts === "function" && ts !== Object.prototype.toString) {
    return String((ts as () => unknown).call(v));
  }
  return undefined;
}
