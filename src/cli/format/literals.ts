/** Go literal syntax in templates: strconv.Unquote, character constants, numbers. */

const simpleEscapes: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
};

/** Decodes one escape after a backslash; returns [text, length consumed] or undefined. */
function escape(s: string, i: number, quote: string): [string, number] | undefined {
  const c = s[i];
  if (c === undefined) return undefined;
  const simple = simpleEscapes[c];
  if (simple !== undefined) return [simple, 1];
  if (c === quote) return [c, 1];
  const hexLen = c === "x" ? 2 : c === "u" ? 4 : c === "U" ? 8 : 0;
  if (hexLen > 0) {
    const h = s.slice(i + 1, i + 1 + hexLen);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(h)) return undefined;
    const v = parseInt(h, 16);
    if (c === "x") return [String.fromCharCode(v), 1 + hexLen];
    if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return undefined;
    return [String.fromCodePoint(v), 1 + hexLen];
  }
  if (c >= "0" && c <= "7") {
    const o = s.slice(i, i + 3);
    if (!/^[0-7]{3}$/.test(o)) return undefined;
    const v = parseInt(o, 8);
    if (v > 255) return undefined;
    return [String.fromCharCode(v), 3];
  }
  return undefined;
}

/** strconv.Unquote of a double-quoted Go string; undefined on bad syntax. */
export function unquoteString(q: string): string | undefined {
  if (q.length < 2 || q[0] !== '"' || q[q.length - 1] !== '"') return undefined;
  const body = q.slice(1, -1);
  let out = "";
  for (let i = 0; i < body.length;) {
    const c = body[i] ?? "";
    if (c === "\\") {
      const e = escape(body, i + 1, '"');
      if (!e) return undefined;
      out += e[0];
      i += 1 + e[1];
    } else if (c === '"' || c === "\n") {
      return undefined;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * The code point of a Go character constant like 'a' or '\n'; "invalid" for
 * a bad escape or empty constant, "malformed" when more than one character.
 */
export function unquoteChar(q: string): number | "invalid" | "malformed" {
  const body = q.slice(1, -1);
  if (body === "" || body === "'") return "invalid";
  let first: string;
  let rest: string;
  if (body[0] === "\\") {
    const e = escape(body, 1, "'");
    if (!e) return "invalid";
    first = e[0];
    rest = body.slice(1 + e[1]);
  } else {
    first = String.fromCodePoint(body.codePointAt(0) ?? 0);
    rest = body.slice(first.length);
  }
  if (rest !== "") return "malformed";
  return first.codePointAt(0) ?? 0;
}

export interface GoNumber {
  isInt: boolean;
  isUint?: boolean;
  isFloat: boolean;
  value: number;
  big?: bigint;
}

function parseGoInt(text: string): GoNumber | undefined {
  let t = text;
  let sign = 1;
  if (t.startsWith("+") || t.startsWith("-")) {
    if (t[0] === "-") sign = -1;
    t = t.slice(1);
  }
  let base = 10;
  let digits = t;
  if (/^0[xX]/.test(t)) [base, digits] = [16, t.slice(2)];
  else if (/^0[oO]/.test(t)) [base, digits] = [8, t.slice(2)];
  else if (/^0[bB]/.test(t)) [base, digits] = [2, t.slice(2)];
  else if (/^0[0-7_]+$/.test(t)) [base, digits] = [8, t.slice(1)];
  if (digits.startsWith("_")) digits = digits.slice(1);
  if (digits === "" || /__|_$/.test(digits)) return undefined;
  digits = digits.replace(/_/g, "");
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base];
  if (!valid?.test(digits)) return undefined;
  const big = BigInt(base === 10 ? digits : `0${base === 16 ? "x" : base === 8 ? "o" : "b"}${digits}`);
  const value = sign < 0 ? -big : big;
  const big64 = value < -(2n ** 53n) || value > 2n ** 53n ? value : undefined;
  if (value >= -(2n ** 63n) && value < 2n ** 63n)
    return { isInt: true, isFloat: true, value: Number(value), big: big64 };
  if (value > 0n && value < 2n ** 64n)
    return { isInt: false, isUint: true, isFloat: true, value: Number(value) };
  return undefined;
}

/** strconv's underscoreOK: "_" only between digits (or after a base prefix). */
function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  let t = s;
  if (t.startsWith("+") || t.startsWith("-")) t = t.slice(1);
  let hex = false;
  if (/^0[xXbBoO]/.test(t)) {
    hex = /^0[xX]/.test(t);
    saw = "0";
    i = 2;
  }
  for (; i < t.length; i++) {
    const c = t[i] ?? "";
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

/** Go's NumberNode rules: ints (0x, 0o, 0b, _), floats; a message on failure. */
export function parseGoNumber(text: string): GoNumber | string {
  if (text.endsWith("i")) return `illegal number syntax: ${JSON.stringify(text)}`;
  const i = parseGoInt(text);
  if (i !== undefined) return i;
  if (/^[+-]?([0-9][0-9_]*\.?[0-9_]*|\.[0-9][0-9_]*)([eE][+-]?[0-9_]+)?$/.test(text) && underscoreOK(text)) {
    const f = Number(text.replace(/_/g, ""));
    if (Number.isNaN(f)) return `illegal number syntax: ${JSON.stringify(text)}`;
    if (!/[.eEpP]/.test(text)) return `integer overflow: ${JSON.stringify(text)}`;
    return { isInt: Number.isInteger(f) && Math.abs(f) < 2 ** 63, isFloat: true, value: f };
  }
  return `illegal number syntax: ${JSON.stringify(text)}`;
}
