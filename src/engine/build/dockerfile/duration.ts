import { goQuote, SyntaxProblem } from "./errors.js";

/**
 * Go's time.ParseDuration (HEALTHCHECK durations), in nanoseconds, with Go's error texts.
 * Values past 2^53 ns (about 104 days) lose precision; Docker's checks never get near that.
 */
const units: Record<string, number> = {
  ns: 1,
  us: 1e3,
  "\u00b5s": 1e3,
  "\u03bcs": 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

export function parseGoDuration(input: string): number {
  const invalid = () => new SyntaxProblem(`time: invalid duration ${goQuote(input)}`);
  let s = input;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") throw invalid();
  let total = 0;
  while (s !== "") {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s);
    const whole = m?.[1] ?? "";
    const frac = m?.[2];
    if (whole === "" && (frac === undefined || frac === "")) throw invalid();
    s = s.slice(m?.[0].length ?? 0);
    const u = /^[^0-9.]*/.exec(s)?.[0] ?? "";
    if (u === "") throw new SyntaxProblem(`time: missing unit in duration ${goQuote(input)}`);
    const scale = units[u];
    if (scale === undefined)
      throw new SyntaxProblem(`time: unknown unit ${goQuote(u)} in duration ${goQuote(input)}`);
    s = s.slice(u.length);
    total += Number(whole || "0") * scale + (frac ? Number(`0.${frac}`) * scale : 0);
    if (total > 9223372036854775807) throw invalid();
  }
  return sign * Math.round(total);
}
