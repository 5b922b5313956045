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

const directiveLine = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;
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
    const m = directiveLine.exec(trimLeftSpace(text.slice(1)));
    const key = m?.[1]?.toLowerCase();
    if (m === null || key === undefined || !known.has(key)) {
      this.done = true;
      return undefined;
    }
    if (this.seen.has(key)) throw new SyntaxProblem(`only one ${key} parser directive can be used`);
    this.seen.add(key);
    return { name: key as Directive["name"], value: m[2] ?? "", line: this.line };
  }
}

/** Checks an `escape` directive's value; only backslash and backtick are allowed. */
export function escapeToken(value: string): string {
  if (value !== "`" && value !== "\\")
    throw new SyntaxProblem(`invalid escape token '${value}' does not match \` or \\`);
  return value;
}
