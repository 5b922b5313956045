/**
 * Go's strconv float formatting (%e, %f, %g with a precision), computed from
 * the exact binary value so ties round half-to-even exactly as Go does
 * (JS's toPrecision rounds ties up). go-units' "%.3g" sizes depend on it.
 */

interface Decimal {
  /** Significant digits, no leading zeros ("" for zero). */
  d: string;
  /** Decimal point position: value = 0.d × 10^dp. */
  dp: number;
}

/** The exact decimal expansion of a finite, non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { d: "", dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    dp = digits.length + exp;
  }
  digits = digits.replace(/0+$/, "");
  return { d: digits, dp };
}

/** Rounds to nd significant digits, ties to even (Go's decimal.Round). */
function round(dec: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= dec.d.length) return dec;
  const next = dec.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next !== 5 || nd + 1 < dec.d.length) up = next >= 5;
  else up = nd > 0 && (dec.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  if (!up) return { d: dec.d.slice(0, nd).replace(/0+$/, ""), dp: dec.dp };
  const chars = dec.d.slice(0, nd).split("");
  let i = nd - 1;
  while (i >= 0 && chars[i] === "9") i--;
  if (i < 0) return { d: "1", dp: dec.dp + 1 };
  chars[i] = String.fromCharCode((chars[i] ?? "0").charCodeAt(0) + 1);
  return { d: chars.slice(0, i + 1).join(""), dp: dec.dp };
}

function digitAt(dec: Decimal, i: number): string {
  return i >= 0 && i < dec.d.length ? (dec.d[i] ?? "0") : "0";
}

function fmtE(dec: Decimal, prec: number, upper: boolean): string {
  let s = dec.d.length === 0 ? "0" : (dec.d[0] ?? "0");
  if (prec > 0) {
    s += ".";
    for (let i = 1; i <= prec; i++) s += digitAt(dec, i);
  }
  const exp = dec.d.length === 0 ? 0 : dec.dp - 1;
  const e = String(Math.abs(exp)).padStart(2, "0");
  return `${s}${upper ? "E" : "e"}${exp < 0 ? "-" : "+"}${e}`;
}

function fmtF(dec: Decimal, prec: number): string {
  let s = "";
  if (dec.dp > 0) {
    for (let i = 0; i < dec.dp; i++) s += digitAt(dec, i);
  } else {
    s = "0";
  }
  if (prec > 0) {
    s += ".";
    for (let i = 0; i < prec; i++) s += digitAt(dec, dec.dp + i);
  }
  return s;
}

/** Shortest digits that round-trip (JS and Go agree on them). */
function shortest(x: number): Decimal {
  if (x === 0) return { d: "", dp: 0 };
  const [mant = "0", e = "0"] = x.toExponential().split("e");
  const d = mant.replace(".", "").replace(/0+$/, "");
  return { d, dp: Number(e) + 1 };
}

/**
 * strconv.FormatFloat(x, fmt, prec, 64) for fmt in e, E, f, F, g, G;
 * prec -1 means the shortest representation.
 */
export function formatFloat(x: number, fmt: "e" | "E" | "f" | "F" | "g" | "G", prec: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const isShortest = prec < 0;
  let dec: Decimal;
  let p = prec;
  if (isShortest) {
    dec = shortest(abs);
    if (fmt === "e" || fmt === "E") p = Math.max(dec.d.length - 1, 0);
    else if (fmt === "f" || fmt === "F") p = Math.max(dec.d.length - dec.dp, 0);
    else p = dec.d.length;
  } else {
    dec = exactDecimal(abs);
    if (fmt === "e" || fmt === "E") dec = round(dec, p + 1);
    else if (fmt === "f" || fmt === "F") dec = round(dec, dec.dp + p);
    else {
      if (p === 0) p = 1;
      dec = round(dec, p);
    }
  }
  let out: string;
  if (fmt === "e" || fmt === "E") out = fmtE(dec, p, fmt === "E");
  else if (fmt === "f" || fmt === "F") out = fmtF(dec, p);
  else {
    let eprec = p;
    if (eprec > dec.d.length && dec.d.length >= dec.dp) eprec = dec.d.length;
    if (isShortest) eprec = 6;
    const exp = dec.dp - 1;
    if (dec.d.length > 0 && (exp < -4 || exp >= eprec)) {
      if (p > dec.d.length) p = dec.d.length;
      out = fmtE(dec, Math.max(p - 1, 0), fmt === "G");
    } else {
      if (p > dec.dp) p = dec.d.length;
      out = fmtF(dec, Math.max(p - dec.dp, 0));
    }
  }
  return (neg ? "-" : "") + out;
}
