/** Character classes as Go's unicode package defines them (the parser's rules depend on them). */

/** Go's unicode.IsSpace: Latin-1 spaces plus the Unicode White_Space property. */
export function isSpace(ch: string | undefined): boolean {
  if (ch === undefined) return false;
  switch (ch) {
    case " ":
    case "\t":
    case "\n":
    case "\v":
    case "\f":
    case "\r":
    case "\u0085":
    case "\u00a0":
    case "\u1680":
    case "\u2028":
    case "\u2029":
    case "\u202f":
    case "\u205f":
    case "\u3000":
      return true;
  }
  return ch >= "\u2000" && ch <= "\u200a";
}

/** strings.TrimSpace / bytes.TrimLeftFunc(…, unicode.IsSpace). */
export function trimLeftSpace(s: string): string {
  let i = 0;
  while (i < s.length && isSpace(s[i])) i++;
  return s.slice(i);
}

export function trimSpace(s: string): string {
  let end = s.length;
  while (end > 0 && isSpace(s[end - 1])) end--;
  return trimLeftSpace(s.slice(0, end));
}

/** BuildKit's reWhitespace: `[\t\v\f\r ]+` (no newline, no Unicode spaces). */
export const reWhitespace = /[\t\v\f\r ]+/;

/** Go's strings.Split-like helper on reWhitespace with an optional limit (regexp.Split(s, n)). */
export function splitWhitespace(s: string, limit = -1): string[] {
  const out: string[] = [];
  let rest = s;
  const re = /[\t\v\f\r ]+/;
  while (limit < 0 || out.length < limit - 1) {
    const m = re.exec(rest);
    if (m === null) break;
    out.push(rest.slice(0, m.index));
    rest = rest.slice(m.index + m[0].length);
  }
  out.push(rest);
  return out;
}

const letter = /^\p{L}$/u;
const digit = /^\p{Nd}$/u;
export const isLetter = (ch: string) => letter.test(ch);
export const isDigit = (ch: string) => digit.test(ch);
