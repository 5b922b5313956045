import { SyntaxProblem } from "./errors.js";

/**
 * Shell patterns of `${a#p}`, `${a%p}` and `${a/p/r}` as regular expressions, the way BuildKit's
 * lexer does it: `*` and `?` are wildcards, `\` escapes `*`, `?` or `\`, and bracket expressions
 * are not supported (their brackets are literal).
 */
function patternToRegex(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  const chars = Array.from(pattern);
  let out = anchored ? "^" : "";
  const star = greedy ? "[^\\n]*" : "[^\\n]*?";
  for (let i = 0; i < chars.length; i++) {
    let tok = chars[i] as string;
    switch (tok) {
      case "*":
        out += star;
        continue;
      case "?":
        out += "[^\\n]"; // Go's `.` excludes only newline
        continue;
      case "\\": {
        const next = chars[i + 1];
        // `}` and `/` are escaped inside ${}, but the escape is not part of the pattern.
        if (next === "}" || next === "/") continue;
        out += "\\";
        i++;
        tok = chars[i] ?? "\ufffd";
        if (tok !== "*" && tok !== "?" && tok !== "\\") throw new SyntaxProblem(`invalid escape '\\${tok}'`);
        break;
      }
      case "[":
      case "]":
      case "{":
      case "}":
      case ".":
      case "+":
      case "(":
      case ")":
      case "|":
      case "^":
      case "$":
        out += "\\";
        break;
    }
    out += tok;
  }
  return new RegExp(out, "u");
}

function compile(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  try {
    return patternToRegex(pattern, greedy, anchored);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new SyntaxProblem(`invalid pattern (${pattern}) in substitution: ${why}`);
  }
}

/** `${value#pattern}` / `${value##pattern}`. */
export function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = compile(pattern, greedy, true).exec(value);
  return m === null ? value : value.slice(m.index + m[0].length);
}

/** `${value%pattern}` / `${value%%pattern}`: a leftmost search on the reversed strings. */
export function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
}

/** `${value/pattern/replacement}` and `${value//pattern/replacement}`. */
export function replacePattern(value: string, pattern: string, replacement: string, all: boolean): string {
  const re = compile(pattern, true, false);
  if (all) return value.replace(new RegExp(re.source, "gu"), () => replacement);
  const m = re.exec(value);
  return m === null ? value : value.slice(0, m.index) + replacement + value.slice(m.index + m[0].length);
}

function reverse(s: string): string {
  return Array.from(s).reverse().join("");
}

/** Reverses a pattern but keeps each `\x` escape pair in order (`a\*c` → `c\*a`). */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out: string[] = new Array<string>(chars.length);
  const last = chars.length - 1;
  for (let i = 0; i <= last;) {
    const tok = chars[i] as string;
    const outIdx = last - i;
    if (tok === "\\" && i !== last) {
      out[outIdx - 1] = tok;
      out[outIdx] = chars[i + 1] as string;
      i += 2;
    } else {
      out[outIdx] = tok;
      i++;
    }
  }
  return out.join("");
}
