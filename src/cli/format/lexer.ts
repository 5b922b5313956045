/**
 * The lexer of Go's text/template: text, `{{` `}}` with trim markers `{{- `
 * and ` -}}`, comments, and the tokens inside actions. Token positions are
 * byte offsets into the UTF-8 template, as Go reports them in errors.
 */

import { goQuote } from "./goFmt.js";

export type TokenType =
  | "error"
  | "eof"
  | "text"
  | "comment"
  | "leftDelim"
  | "rightDelim"
  | "space"
  | "bool"
  | "char"
  | "charConstant"
  | "assign"
  | "declare"
  | "field"
  | "identifier"
  | "leftParen"
  | "rightParen"
  | "number"
  | "pipe"
  | "rawString"
  | "string"
  | "variable"
  | "dot"
  | "nil"
  | "keyword";

export interface Token {
  type: TokenType;
  val: string;
  /** Byte offset in the template. */
  pos: number;
  line: number;
}

export const keywords = new Set([
  "block",
  "break",
  "continue",
  "define",
  "else",
  "end",
  "if",
  "range",
  "template",
  "with",
]);

const leftDelim = "{{";
const rightDelim = "}}";
const leftComment = "/*";
const rightComment = "*/";

function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n";
}

function isAlphaNumeric(c: string | undefined): boolean {
  return c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c);
}

/** Splits a template into tokens; stops at the first error token. */
export function lex(input: string): Token[] {
  return new Lexer(input).run();
}

class Lexer {
  private pos = 0;
  private start = 0;
  private line = 1;
  private startLine = 1;
  private parenDepth = 0;
  private readonly tokens: Token[] = [];
  /** Byte offset of each UTF-16 index, computed lazily. */
  private readonly byteOffsets: number[];

  constructor(private readonly input: string) {
    this.byteOffsets = new Array<number>(input.length + 1);
    let b = 0;
    for (let i = 0; i < input.length; i++) {
      this.byteOffsets[i] = b;
      const c = input.charCodeAt(i);
      if (c < 0x80) b += 1;
      else if (c < 0x800) b += 2;
      else if (c >= 0xd800 && c <= 0xdbff) b += 2;
      else if (c >= 0xdc00 && c <= 0xdfff) b += 2;
      else b += 3;
    }
    this.byteOffsets[input.length] = b;
  }

  run(): Token[] {
    let state: (() => boolean) | undefined;
    let done = false;
    while (!done) {
      state = this.lexText();
      if (!state) break;
      done = !state();
    }
    return this.tokens;
  }

  private emit(type: TokenType): void {
    this.tokens.push({
      type,
      val: this.input.slice(this.start, this.pos),
      pos: this.byteOffsets[this.start] ?? 0,
      line: this.startLine,
    });
    this.ignore();
  }

  private ignore(): void {
    for (let i = this.start; i < this.pos; i++) if (this.input[i] === "\n") this.line++;
    this.start = this.pos;
    this.startLine = this.line;
  }

  private error(msg: string): false {
    this.tokens.push({
      type: "error",
      val: msg,
      pos: this.byteOffsets[this.start] ?? 0,
      line: this.startLine,
    });
    return false;
  }

  private peek(): string | undefined {
    return this.input[this.pos];
  }

  private next(): string | undefined {
    const c = this.input[this.pos];
    if (c !== undefined) this.pos++;
    return c;
  }

  /** Returns the action lexer, or undefined at end of input. */
  private lexText(): (() => boolean) | undefined {
    const x = this.input.indexOf(leftDelim, this.pos);
    if (x < 0) {
      this.pos = this.input.length;
      if (this.pos > this.start) this.emit("text");
      this.emitEof();
      return undefined;
    }
    let end = x;
    const trimLeft = this.hasLeftTrimMarker(x + leftDelim.length);
    if (trimLeft) {
      while (end > this.start && isSpace(this.input[end - 1])) end--;
    }
    this.pos = end;
    if (this.pos > this.start) this.emit("text");
    this.pos = x;
    this.ignore();
    return () => this.lexLeftDelim(trimLeft);
  }

  private emitEof(): void {
    this.start = this.pos;
    this.emit("eof");
  }

  private hasLeftTrimMarker(at: number): boolean {
    return this.input[at] === "-" && isSpace(this.input[at + 1]);
  }

  /** " -}}" at pos: a right delimiter with a trim marker. */
  private atRightDelim(): { delim: boolean; trim: boolean } {
    if (this.input.startsWith(rightDelim, this.pos)) return { delim: true, trim: false };
    if (
      isSpace(this.input[this.pos]) &&
      this.input[this.pos + 1] === "-" &&
      this.input.startsWith(rightDelim, this.pos + 2)
    ) {
      return { delim: true, trim: true };
    }
    return { delim: false, trim: false };
  }

  private lexLeftDelim(trim: boolean): boolean {
    this.pos += leftDelim.length;
    const after = trim ? 2 : 0;
    if (this.input.startsWith(leftComment, this.pos + after)) {
      this.pos += after;
      this.ignore();
      return this.lexComment();
    }
    this.emit("leftDelim");
    this.pos += after;
    this.ignore();
    this.parenDepth = 0;
    return this.lexInsideAction();
  }

  private lexComment(): boolean {
    this.pos += leftComment.length;
    const x = this.input.indexOf(rightComment, this.pos);
    if (x < 0) return this.error("unclosed comment");
    this.pos = x + rightComment.length;
    const { delim, trim } = this.atRightDelim();
    if (!delim) return this.error("comment ends before closing delimiter");
    this.ignore();
    if (trim) this.pos += 2;
    this.pos += rightDelim.length;
    if (trim) while (isSpace(this.input[this.pos])) this.pos++;
    this.ignore();
    return true;
  }

  private lexRightDelim(trim: boolean): boolean {
    if (trim) {
      this.pos += 2;
      this.ignore();
    }
    this.pos += rightDelim.length;
    this.emit("rightDelim");
    if (trim) {
      while (isSpace(this.input[this.pos])) this.pos++;
      this.ignore();
    }
    return true;
  }

  private lexInsideAction(): boolean {
    for (;;) {
      const { delim, trim } = this.atRightDelim();
      if (delim) {
        if (this.parenDepth === 0) return this.lexRightDelim(trim);
        return this.error("unclosed left paren");
      }
      const r = this.next();
      if (r === undefined) return this.error("unclosed action");
      if (isSpace(r)) {
        this.pos--;
        this.lexSpace();
        continue;
      }
      let ok = true;
      switch (r) {
        case "=":
          this.emit("assign");
          break;
        case ":":
          if (this.next() !== "=") return this.error("expected :=");
          this.emit("declare");
          break;
        case "|":
          this.emit("pipe");
          break;
        case '"':
          ok = this.lexQuote();
          break;
        case "`":
          ok = this.lexRawQuote();
          break;
        case "$":
          ok = this.lexVariable();
          break;
        case "'":
          ok = this.lexChar();
          break;
        case "(":
          this.emit("leftParen");
          this.parenDepth++;
          break;
        case ")":
          this.parenDepth--;
          if (this.parenDepth < 0) return this.error("unexpected right paren");
          this.emit("rightParen");
          break;
        default:
          if (r === ".") {
            const c = this.peek();
            if (c === undefined || c < "0" || c > "9") {
              ok = this.lexFieldOrVariable("field");
              break;
            }
          }
          if (r === "." || r === "+" || r === "-" || (r >= "0" && r <= "9")) {
            this.pos--;
            ok = this.lexNumber();
          } else if (isAlphaNumeric(r)) {
            this.pos--;
            ok = this.lexIdentifier();
          } else if (r.charCodeAt(0) < 0x7f && r.charCodeAt(0) >= 0x20) {
            this.emit("char");
          } else {
            const cp = this.input.codePointAt(this.pos - 1) ?? 0;
            const hex = cp.toString(16).toUpperCase().padStart(4, "0");
            return this.error(
              `unrecognized character in action: U+${hex}${cp >= 0x20 ? ` '${String.fromCodePoint(cp)}'` : ""}`,
            );
          }
      }
      if (!ok) return false;
    }
  }

  private lexSpace(): void {
    let n = 0;
    while (isSpace(this.peek())) {
      this.pos++;
      n++;
    }
    // A space before "-}}" belongs to the trim marker.
    if (this.input[this.pos] === "-" && this.input.startsWith(rightDelim, this.pos + 1)) {
      this.pos--;
      if (n === 1) {
        return;
      }
    }
    this.emit("space");
  }

  private atTerminator(): boolean {
    const r = this.peek();
    if (r === undefined || isSpace(r)) return true;
    if (".,|:)(".includes(r)) return true;
    return this.input.startsWith(rightDelim, this.pos);
  }

  private badChar(): false {
    const cp = this.input.codePointAt(this.pos) ?? 0;
    const hex = cp.toString(16).toUpperCase().padStart(4, "0");
    return this.error(`bad character U+${hex} '${String.fromCodePoint(cp)}'`);
  }

  private lexIdentifier(): boolean {
    while (isAlphaNumeric(this.peek())) this.pos++;
    if (!this.atTerminator()) return this.badChar();
    const word = this.input.slice(this.start, this.pos);
    if (keywords.has(word)) this.emit("keyword");
    else if (word === "true" || word === "false") this.emit("bool");
    else if (word === "nil") this.emit("nil");
    else this.emit("identifier");
    return true;
  }

  private lexFieldOrVariable(type: "field" | "variable"): boolean {
    if (this.atTerminator()) {
      this.emit(type === "field" ? "dot" : "variable");
      return true;
    }
    while (isAlphaNumeric(this.peek())) this.pos++;
    if (!this.atTerminator()) return this.badChar();
    this.emit(type);
    return true;
  }

  private lexVariable(): boolean {
    if (this.atTerminator()) {
      this.emit("variable");
      return true;
    }
    return this.lexFieldOrVariable("variable");
  }

  private lexChar(): boolean {
    for (;;) {
      const r = this.next();
      if (r === "\\") {
        const e = this.next();
        if (e !== undefined && e !== "\n") continue;
        return this.error("unterminated character constant");
      }
      if (r === undefined || r === "\n") return this.error("unterminated character constant");
      if (r === "'") break;
    }
    this.emit("charConstant");
    return true;
  }

  private lexQuote(): boolean {
    for (;;) {
      const r = this.next();
      if (r === "\\") {
        const e = this.next();
        if (e !== undefined && e !== "\n") continue;
        return this.error("unterminated quoted string");
      }
      if (r === undefined || r === "\n") return this.error("unterminated quoted string");
      if (r === '"') break;
    }
    this.emit("string");
    return true;
  }

  private lexRawQuote(): boolean {
    const x = this.input.indexOf("`", this.pos);
    if (x < 0) return this.error("unterminated raw quoted string");
    this.pos = x + 1;
    this.emit("rawString");
    return true;
  }

  /** Go's scanNumber: sign, base prefix, digits, fraction, exponent, "i". */
  private scanNumber(): boolean {
    const m =
      /^[+-]?(0[xX][0-9a-fA-F_]*(\.[0-9a-fA-F_]*)?([pP][+-]?[0-9_]*)?|0[oO][0-7_]*|0[bB][01_]*|[0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9_]*)?)i?/.exec(
        this.input.slice(this.pos),
      );
    this.pos += m ? m[0].length : 0;
    if (isAlphaNumeric(this.peek())) {
      this.pos++;
      return false;
    }
    return true;
  }

  private lexNumber(): boolean {
    const bad = (): false =>
      this.error(`bad number syntax: ${goQuote(this.input.slice(this.start, this.pos))}`);
    if (!this.scanNumber()) return bad();
    const sign = this.peek();
    if (sign === "+" || sign === "-") {
      // A complex constant like 1+2i; berth's templates have no complex values.
      if (!this.scanNumber() || this.input[this.pos - 1] !== "i") return bad();
      return this.error(
        `complex constants are not supported: ${goQuote(this.input.slice(this.start, this.pos))}`,
      );
    }
    this.emit("number");
    return true;
  }
}
