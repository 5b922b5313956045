/**
 * The texts the classic builder writes into image history and container_config: the
 * `#(nop) ` comment of metadata steps, Go's `%q`/`%v` renderings it uses for CMD, VOLUME,
 * SHELL and HEALTHCHECK, and the `|N a=b` prefix of RUN steps with build args.
 */
import { goQuote } from "./dockerfile/errors.js";

/** Go's `%q` of a []string: `["a" "b"]`. */
export function goQuoteList(list: readonly string[]): string {
  return `[${list.map(goQuote).join(" ")}]`;
}

/** Go's `%v` of a []string: `[a b]`. */
export function goList(list: readonly string[]): string {
  return `[${list.join(" ")}]`;
}

/** Go's `%q` of an int (a rune literal), as HEALTHCHECK's Retries is printed. */
export function goQuoteRune(n: number): string {
  const named: Record<number, string> = {
    7: "\\a",
    8: "\\b",
    9: "\\t",
    10: "\\n",
    11: "\\v",
    12: "\\f",
    13: "\\r",
  };
  if (named[n] !== undefined) return `'${named[n]}'`;
  if (n === 39) return "'\\''";
  if (n === 92) return "'\\\\'";
  if (n >= 0x20 && n < 0x7f) return `'${String.fromCharCode(n)}'`;
  if (n < 0x80) return `'\\x${n.toString(16).padStart(2, "0")}'`;
  if (n < 0x10000) return `'${String.fromCodePoint(n)}'`;
  return `'${String.fromCodePoint(n)}'`;
}

/** Go's time.Duration String(): "5s", "1m30s", "1.5s", "0s". */
export function goDuration(ns: number): string {
  if (ns === 0) return "0s";
  const neg = ns < 0;
  let v = Math.abs(ns);
  let out: string;
  if (v < 1e3) out = `${v}ns`;
  else if (v < 1e6) out = `${trimFrac(v / 1e3)}µs`;
  else if (v < 1e9) out = `${trimFrac(v / 1e6)}ms`;
  else {
    const h = Math.floor(v / 3.6e12);
    v -= h * 3.6e12;
    const m = Math.floor(v / 6e10);
    v -= m * 6e10;
    const s = `${trimFrac(v / 1e9)}s`;
    out = h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

function trimFrac(x: number): string {
  return x.toFixed(9).replace(/0+$/, "").replace(/\.$/, "");
}

export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** `HEALTHCHECK &{["CMD-SHELL" "x"] "5s" "0s" "0s" '\x03'}` (Go's %q of the struct pointer). */
export function healthcheckText(h: HealthConfig): string {
  const d = (n: number | undefined) => goQuote(goDuration(n ?? 0));
  return `HEALTHCHECK &{${goQuoteList(h.Test ?? [])} ${d(h.Interval)} ${d(h.Timeout)} ${d(h.StartPeriod)} ${goQuoteRune(h.Retries ?? 0)}}`;
}

/** The Cmd a metadata step's container carries: `["/bin/sh", "-c", "#(nop) ", "ENV a=b"]`. */
export function nopCmd(comment: string): string[] {
  return ["/bin/sh", "-c", "#(nop) ", comment];
}

/** The Cmd of a file step (COPY/ADD/WORKDIR): the comment is part of the third word. */
export function nopFileCmd(comment: string): string[] {
  return ["/bin/sh", "-c", `#(nop) ${comment}`];
}

/** `created_by` is the container's Cmd joined by spaces. */
export function createdBy(cmd: readonly string[]): string {
  return cmd.join(" ");
}

/**
 * The Cmd recorded for a RUN step with build args in scope: `|2 A=1 B=2 /bin/sh -c …`, so that
 * a different value is a different step (cache) and history shows the values.
 */
export function runCmdWithArgs(args: readonly string[], cmd: readonly string[]): string[] {
  if (args.length === 0) return [...cmd];
  const sorted = [...args].sort();
  return [`|${sorted.length}`, ...sorted, ...cmd];
}

/** `COPY file:<hash> in /dest ` as the classic builder writes it (its missing space kept). */
export function transferComment(opts: {
  kind: "COPY" | "ADD";
  chown?: string;
  chmod?: string;
  from?: string;
  sourceHash: string;
  dest: string;
}): string {
  let s = opts.kind + " ";
  if (opts.chown) s += `--chown=${opts.chown}`;
  if (opts.chmod) s += `--chmod=${opts.chmod} `;
  if (opts.from !== undefined) s += `from ${opts.from} `;
  return `${s}${opts.sourceHash} in ${opts.dest} `;
}
