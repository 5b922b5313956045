import { EngineError } from "../../errors.js";

/**
 * A Dockerfile that cannot be parsed or expanded. It is an `invalid` EngineError (HTTP 400), so
 * api/ needs no special case; `detail` is BuildKit's short text and `message` the line Docker
 * prints (`dockerfile parse error on line 3: unknown instruction: FORM (did you mean FROM?)`).
 */
export class DockerfileError extends EngineError {
  readonly fileName: string;
  /** 1-based first line of the offending instruction, when known. */
  readonly line: number | undefined;
  readonly endLine: number | undefined;
  readonly detail: string;

  constructor(
    message: string,
    detail: string,
    where: { fileName?: string; line?: number; endLine?: number },
  ) {
    super("invalid", message);
    this.name = "DockerfileError";
    this.fileName = where.fileName ?? "Dockerfile";
    this.line = where.line;
    this.endLine = where.endLine ?? where.line;
    this.detail = detail;
  }
}

/**
 * An error raised deep inside the parser before the file name and lines are known. The parser
 * catches it and turns it into a DockerfileError with the location of the instruction.
 */
export class SyntaxProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SyntaxProblem";
  }
}

/** Go's `%q` for a string: the quoting BuildKit uses inside many of its messages. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\x07":
        out += "\\a";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
      case "\v":
        out += "\\v";
        continue;
    }
    if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else if (c >= 0xd800 && c <= 0xdfff) out += "\\ufffd";
    else out += ch;
  }
  return out + '"';
}
