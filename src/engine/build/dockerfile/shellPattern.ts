import { SyntaxProblem } from "./errors.js";

/**
 * Shell patterns of `${a#p}`, `${a%p}` and `${a/p/r}`, as BuildKit's lexer reads them: `*` and
 * `?` are wildcards (never matching a newline, like Go's `.`), `\` escapes `*`, `?` or `\`, and
 * brackets are literal. BuildKit compiles them to RE2 regexps, which run in linear time; a
 * JavaScript RegExp would backtrack exponentially on `*a*a*a…`, so this is a small NFA
 * simulation instead (time O(value × pattern)).
 */
type Token = { kind: "star" } | { kind: "any" } | { kind: "lit"; ch: string };

function tokens(pattern: string): Token[] {
  const chars = Array.from(pattern);
  const out: Token[] = [];
  try {
    for (let i = 0; i < chars.length; i++) {
      const tok = chars[i] as string;
      if (tok === "*") {
        if (out[out.length - 1]?.kind !== "star") out.push({ kind: "star" }); // `**` ≡ `*`
      } else if (tok === "?") out.push({ kind: "any" });
      else if (tok === "\\") {
        const next = chars[i + 1];
        // `}` and `/` are escaped inside ${}, but the escape is not part of the pattern.
        if (next === "}" || next === "/") continue;
        i++;
        const esc = chars[i] ?? "\ufffd";
        if (esc !== "*" && esc !== "?" && esc !== "\\") throw new SyntaxProblem(`invalid escape '\\${esc}'`);
        out.push({ kind: "lit", ch: esc });
      } else out.push({ kind: "lit", ch: tok });
    }
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new SyntaxProblem(`invalid pattern (${pattern}) in substitution: ${why}`);
  }
  return out;
}

/**
 * The leftmost match of `toks` in `chars` at or after `from` (only at `from` when anchored),
 * shortest or longest for that start. Returns [start, end] in code points.
 */
function search(toks: Token[], chars: string[], from: number, anchored: boolean, greedy: boolean) {
  const m = toks.length;
  // Earliest start reaching each NFA state; stars also let the next state be reached for free.
  let states = new Map<number, number>();
  const add = (set: Map<number, number>, j: number, start: number) => {
    for (;;) {
      const prev = set.get(j);
      if (prev !== undefined && prev <= start) return;
      set.set(j, start);
      if (toks[j]?.kind !== "star") return;
      j++;
    }
  };
  let best: [number, number] | undefined;
  for (let i = from; ; i++) {
    if (best === undefined && (!anchored || i === from)) add(states, 0, i);
    const accept = states.get(m);
    if (accept !== undefined && (best === undefined || accept < best[0] || (accept === best[0] && greedy))) {
      best = [accept, i];
      if (!greedy) return best;
    }
    const ch = chars[i];
    if (ch === undefined) return best;
    const next = new Map<number, number>();
    for (const [j, start] of states) {
      if (best !== undefined && start > best[0]) continue;
      const tok = toks[j];
      if (tok === undefined || ch === "\n") continue;
      if (tok.kind === "star") add(next, j, start);
      else if (tok.kind === "any" || tok.ch === ch) add(next, j + 1, start);
    }
    states = next;
    if (states.size === 0 && (anchored || best !== undefined)) return best;
  }
}

/** `${value#pattern}` / `${value##pattern}`. */
export function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const chars = Array.from(value);
  const hit = search(tokens(pattern), chars, 0, true, greedy);
  return hit === undefined ? value : chars.slice(hit[1]).join("");
}

/** `${value%pattern}` / `${value%%pattern}`: a leftmost search on the reversed strings. */
export function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  const toks = tokens(pattern).reverse();
  const chars = Array.from(value).reverse();
  const hit = search(toks, chars, 0, true, greedy);
  return hit === undefined ? value : chars.slice(hit[1]).reverse().join("");
}

/** `${value/pattern/replacement}` and `${value//pattern/replacement}` (longest leftmost matches). */
export function replacePattern(value: string, pattern: string, replacement: string, all: boolean): string {
  const toks = tokens(pattern);
  const chars = Array.from(value);
  let out = "";
  let pos = 0;
  while (pos <= chars.length) {
    const hit = search(toks, chars, pos, false, true);
    if (hit === undefined) break;
    out += chars.slice(pos, hit[0]).join("") + replacement;
    if (hit[1] === hit[0]) {
      // An empty match: keep one character and search again after it.
      out += chars[hit[0]] ?? "";
      pos = hit[0] + 1;
    } else pos = hit[1];
    if (!all) break;
  }
  return out + chars.slice(pos).join("");
}
