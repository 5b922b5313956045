import { trimLeftSpace } from "./chars.js";
import { SyntaxProblem } from "./errors.js";

/**
 * Parser directives (`# syntax=…`, `# escape=…`, `# check=…`). They count only in the run of
 * directive lines at the very top: the first line that is not one (a blank line, another
 * comment, an instruction, an unknown key) ends the run for good.
 */
export interface Directive {
  name: "syntax" | "escape" | "check";
  value: string;
  line: number;
}

// BuildKit: `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`. The value is trimmed by hand: the lazy
// group followed by `\s*$` backtracks quadratically in JavaScript on long blank runs.
const directiveKey = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=/;
const goSpace = (ch: string | undefined) =>
  ch === " " || ch === "\t" || ch === "\n" || ch === "\f" || ch === "\r";

function matchDirective(line: string): [string, string] | undefined {
  const m = directiveKey.exec(line);
  if (m === null) return undefined;
  const rest = line.slice(m[0].length);
  let start = 0;
  let end = rest.length;
  while (end > 0 && goSpace(rest[end - 1])) end--;
  while (start < end && goSpace(rest[start])) start++;
  // An all-blank value still matches `(.+?)` with its last blank.
  if (start === end) return rest.length === 0 ? undefined : [m[1] ?? "", rest.slice(-1)];
  return [m[1] ?? "", rest.slice(start, end)];
}
const known = new Set(["syntax", "escape", "check"]);

export class DirectiveParser {
  private line = 0;
  private done = false;
  private readonly seen = new Set<string>();

  /** Offers one physical line (newline removed); returns the directive it holds, if any. */
  parseLine(text: string): Directive | undefined {
    this.line++;
    if (this.done) return undefined;
    if (!text.startsWith("#")) {
      this.done = true;
      return undefined;
    }
    const m = matchDirective(trimLeftSpace(text.slice(1)));
    const key = m?.[0].toLowerCase();
    if (m === undefined || key === undefined || !known.has(key)) {
      this.done = true;
      return undefined;
    }
    if (this.seen.has(key)) throw new SyntaxProblem(`only one ${key} parser directive can be used`);
    this.seen.add(key);
    return { name: key as Directive["name"], value: m[1], line: this.line };
  }
}

/** Checks an `escape` directive's value; only backslash and backtick are allowed. */
export function escapeToken(value: string): string {
  if (value !== "`" && value !== "\\")
    throw new SyntaxProblem(`invalid escape token '${value}' does not match \` or \\`);
  return value;
}
