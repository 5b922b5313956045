/**
 * Go's fmt for templates: Sprint, Sprintln, Sprintf (verbs v s d q t x X o
 * b c U e E f F g G T %, flags - + # space 0, width, precision, *) and
 * strconv.Quote. Mismatches print Go's %!verb(type=value) markers.
 */
import { formatFloat } from "./goNumber.js";
import { formatValue, goTypeName, kindOf, mapEntries, structFields, toNumber } from "./values.js";

/** Go's Sprint: a space between operands when neither is a string. */
export function sprint(args: unknown[]): string {
  let out = "";
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += formatValue(a);
  });
  return out;
}

export function sprintln(args: unknown[]): string {
  return args.map((a) => formatValue(a)).join(" ") + "\n";
}

/** strconv.Quote: Go escapes, printable Unicode kept. */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) {
    const r = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (isPrint(ch) && (!asciiOnly || r < 0x80)) out += ch;
    else out += escapeRune(r);
  }
  return out + '"';
}

function escapeRune(r: number): string {
  const named: Record<number, string> = {
    7: "\\a",
    8: "\\b",
    12: "\\f",
    10: "\\n",
    13: "\\r",
    9: "\\t",
    11: "\\v",
  };
  const n = named[r];
  if (n) return n;
  if (r < 0x20 || r === 0x7f) return "\\x" + r.toString(16).padStart(2, "0");
  if (r >= 0xd800 && r <= 0xdfff) return "\\ufffd";
  if (r < 0x10000) return "\\u" + r.toString(16).padStart(4, "0");
  return "\\U" + r.toString(16).padStart(8, "0");
}

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
function isPrint(ch: string): boolean {
  return printable.test(ch);
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  /** %+v: field names in structs; the plus flag itself no longer applies. */
  plusV?: boolean;
  width?: number;
  prec?: number;
  verb: string;
}

/** Go's fmt.Sprintf. */
export function sprintf(format: string, args: unknown[]): string {
  let out = "";
  let argi = 0;
  let i = 0;
  const n = format.length;
  while (i < n) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false, verb: "" };
    for (; i < n; i++) {
      const c = format[i];
      if (c === "-") spec.minus = true;
      else if (c === "+") spec.plus = true;
      else if (c === "#") spec.sharp = true;
      else if (c === " ") spec.space = true;
      else if (c === "0") spec.zero = true;
      else break;
    }
    let badWidth = false;
    if (format[i] === "*") {
      i++;
      const w = args[argi++];
      if (kindOf(w) === "int") {
        spec.width = toNumber(w);
        if (spec.width < 0) {
          spec.minus = true;
          spec.width = -spec.width;
        }
      } else badWidth = true;
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) {
        spec.width = Number(m[0]);
        i += m[0].length;
      }
    }
    if (badWidth) out += "%!(BADWIDTH)";
    if (format[i] === ".") {
      i++;
      if (format[i] === "*") {
        i++;
        const p = args[argi++];
        if (kindOf(p) === "int" && toNumber(p) >= 0) spec.prec = toNumber(p);
        else out += "%!(BADPREC)";
      } else {
        const m = /^\d+/.exec(format.slice(i));
        spec.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    if (i >= n) {
      out += "%!(NOVERB)";
      break;
    }
    const verbCh = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verbCh.length;
    spec.verb = verbCh;
    if (verbCh === "%") {
      out += "%";
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verbCh}(MISSING)`;
      continue;
    }
    out += formatArg(args[argi++], spec);
  }
  if (argi < args.length) {
    const extra = args.slice(argi).map((a) => (a === null ? "<nil>" : `${goTypeName(a)}=${formatValue(a)}`));
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}

function pad(s: string, spec: Spec, zeroOk = false): string {
  const w = spec.width ?? 0;
  const len = [...s].length;
  if (len >= w) return s;
  const fill = w - len;
  if (spec.minus) return s + " ".repeat(fill);
  if (spec.zero && zeroOk) {
    const sign = /^[+\- ]/.test(s) ? (s[0] ?? "") : "";
    return sign + "0".repeat(fill) + s.slice(sign.length);
  }
  return " ".repeat(fill) + s;
}

function bad(v: unknown, spec: Spec): string {
  if (v === null) return `%!${spec.verb}(<nil>)`;
  return `%!${spec.verb}(${goTypeName(v)}=${formatValue(v)})`;
}

function formatArg(v: unknown, specIn: Spec): string {
  let spec = specIn;
  if (spec.verb === "T") return pad(goTypeName(v), spec);
  if (spec.verb === "v" && spec.plus) spec = { ...spec, plus: false, plusV: true };
  const k = kindOf(v);
  switch (k) {
    case "invalid":
      return spec.verb === "v"
        ? pad("<invalid reflect.Value>", spec)
        : `%!${spec.verb}(<invalid reflect.Value>)`;
    case "nil":
      return spec.verb === "v" ? pad("<nil>", spec) : bad(v, spec);
    case "bool":
      return spec.verb === "v" || spec.verb === "t" ? pad(String(v), spec) : bad(v, spec);
    case "int":
      return fmtInt(toNumber(v), spec, v);
    case "float":
      return fmtFloatArg(toNumber(v), spec, v);
    case "string":
      return fmtString(v as string, spec);
    case "slice":
      return "[" + (v as unknown[]).map((e) => formatArg(e, spec)).join(" ") + "]";
    case "map":
      if (spec.verb !== "v" && spec.verb !== "s" && spec.verb !== "d" && spec.verb !== "q") {
        if (spec.verb === "x" || spec.verb === "X") break;
      }
      return (
        "map[" +
        mapEntries(v)
          .map(([key, e]) => `${formatArg(key, spec)}:${formatArg(e, spec)}`)
          .join(" ") +
        "]"
      );
    case "struct": {
      const fields = structFields(v as object).map(([name, e]) =>
        spec.plusV ? `${name}:${formatArg(e, spec)}` : formatArg(e, spec),
      );
      return "{" + fields.join(" ") + "}";
    }
    case "time":
    case "func":
      return spec.verb === "v" || spec.verb === "s" ? pad(formatValue(v), spec) : bad(v, spec);
  }
  return bad(v, spec);
}

function fmtString(s: string, spec: Spec): string {
  let t = s;
  switch (spec.verb) {
    case "v":
      if (spec.sharp) return pad(goQuote(t), spec);
      if (spec.prec !== undefined) t = [...t].slice(0, spec.prec).join("");
      return pad(t, spec);
    case "s":
      if (spec.prec !== undefined) t = [...t].slice(0, spec.prec).join("");
      return pad(t, spec);
    case "q":
      if (spec.prec !== undefined) t = [...t].slice(0, spec.prec).join("");
      if (spec.sharp && !/[`\p{Cc}]/u.test(t)) return pad("`" + t + "`", spec);
      return pad(goQuote(t, spec.plus), spec);
    case "x":
    case "X": {
      let bytes = Buffer.from(t, "utf8");
      if (spec.prec !== undefined) bytes = bytes.subarray(0, spec.prec);
      const parts = [...bytes].map((b) => b.toString(16).padStart(2, "0"));
      let hex = spec.space ? parts.map((p) => (spec.sharp ? "0x" : "") + p).join(" ") : parts.join("");
      if (spec.sharp && !spec.space) hex = "0x" + hex;
      if (spec.verb === "X") hex = hex.toUpperCase();
      return pad(hex, spec);
    }
    default:
      return bad(s, spec);
  }
}

function fmtInt(n: number, spec: Spec, orig: unknown): string {
  const neg = n < 0;
  const abs = typeof orig === "bigint" ? (orig < 0n ? -orig : orig) : BigInt(Math.abs(n));
  let digits: string;
  let prefix = "";
  switch (spec.verb) {
    case "v":
    case "d":
      digits = abs.toString(10);
      break;
    case "x":
      digits = abs.toString(16);
      if (spec.sharp) prefix = "0x";
      break;
    case "X":
      digits = abs.toString(16).toUpperCase();
      if (spec.sharp) prefix = "0X";
      break;
    case "o":
      digits = abs.toString(8);
      if (spec.sharp) prefix = "0";
      break;
    case "O":
      digits = abs.toString(8);
      prefix = "0o";
      break;
    case "b":
      digits = abs.toString(2);
      break;
    case "c":
      return pad(String.fromCodePoint(validRune(n)), spec);
    case "q":
      return pad(quoteRune(validRune(n)), spec);
    case "U": {
      const u = "U+" + abs.toString(16).toUpperCase().padStart(4, "0");
      return pad(spec.sharp ? `${u} '${String.fromCodePoint(validRune(n))}'` : u, spec);
    }
    case "e":
    case "E":
    case "f":
    case "F":
    case "g":
    case "G":
      return bad(orig, { ...spec, verb: spec.verb });
    default:
      return bad(orig, spec);
  }
  if (spec.prec !== undefined) {
    if (spec.prec === 0 && abs === 0n) digits = "";
    digits = digits.padStart(spec.prec, "0");
  }
  const sign = neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  const zeroPad = spec.zero && spec.prec === undefined && !spec.minus;
  if (zeroPad && spec.width !== undefined) {
    const fill = spec.width - sign.length - prefix.length - digits.length;
    if (fill > 0) digits = "0".repeat(fill) + digits;
  }
  return pad(sign + prefix + digits, spec);
}

/** strconv.QuoteRune: 'x', '\\'', '\\n'. */
function quoteRune(r: number): string {
  const ch = String.fromCodePoint(r);
  if (ch === "'") return "'\\''";
  if (ch === '"') return "'\"'";
  return "'" + goQuote(ch).slice(1, -1) + "'";
}

function validRune(n: number): number {
  return Number.isInteger(n) && n >= 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? n : 0xfffd;
}

function fmtFloatArg(x: number, spec: Spec, orig: unknown): string {
  let verb = spec.verb;
  if (verb === "v") verb = "g";
  if (!"eEfFgG".includes(verb) || verb.length !== 1) return bad(orig, spec);
  const prec = spec.prec ?? (verb === "g" || verb === "G" ? -1 : 6);
  let s = formatFloat(x, verb as "e" | "E" | "f" | "F" | "g" | "G", prec);
  if (spec.plus && !s.startsWith("-") && !s.startsWith("+")) s = "+" + s;
  else if (spec.space && !s.startsWith("-")) s = " " + s;
  if (!spec.plus && s.startsWith("+Inf") && !spec.space) s = s.slice(1);
  const finite = Number.isFinite(x);
  return pad(s, spec, finite && !spec.minus);
}
