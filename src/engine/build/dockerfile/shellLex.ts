import { isDigit, isLetter, isSpace } from "./chars.js";
import { goQuote, SyntaxProblem } from "./errors.js";
import { replacePattern, trimPrefix, trimSuffix } from "./shellPattern.js";

/**
 * The word lexer of BuildKit's `shell/lex.go`: quotes, escapes and `$var` / `${var…}`
 * expansion, with word splitting after expansion. It never runs a shell: the builder uses it
 * for ENV, COPY, WORKDIR… and the parser uses it (in raw modes) to find heredoc words.
 */
export interface LexOptions {
  /** The escape character of the Dockerfile (`\` or `` ` ``). */
  escape: string;
  /** Keep quote characters in the output (still honouring their meaning). */
  rawQuotes?: boolean;
  /** Keep escape characters in the output. */
  rawEscapes?: boolean;
  /** Treat quotes as ordinary characters (heredoc bodies). */
  skipProcessQuotes?: boolean;
  /** Leave `$unset` and `${unset…}` as written instead of expanding them to "". */
  skipUnsetEnv?: boolean;
}

/** Looks a variable up; `undefined` means unset (different from set to ""). */
export type EnvLookup = (name: string) => string | undefined;

export interface LexResult {
  /** The whole word after quote removal and expansion. */
  result: string;
  /** The same text split into words on unquoted whitespace. */
  words: string[];
  /** Variables that were looked up and found / not found. */
  matched: Set<string>;
  unmatched: Set<string>;
}

/** Lexes `word`; throws SyntaxProblem with BuildKit's text (`failed to process "…": …`). */
export function lex(word: string, env: EnvLookup, opts: LexOptions): LexResult {
  const sw = new ShellWord(word, env, opts);
  try {
    const [result, words] = sw.processStopOn(undefined, opts.rawEscapes ?? false);
    return { result, words, matched: sw.matched, unmatched: sw.unmatched };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new SyntaxProblem(`failed to process ${goQuote(word)}: ${why}`);
  }
}

/** Collects words: unquoted whitespace splits, quoted or escaped characters never do. */
class Words {
  buf = "";
  words: string[] = [];
  inWord = false;

  addChar(ch: string) {
    if (isSpace(ch)) {
      if (this.inWord && this.buf.length > 0) {
        this.words.push(this.buf);
        this.buf = "";
        this.inWord = false;
      }
    } else this.addRawChar(ch);
  }
  addRawChar(ch: string) {
    this.buf += ch;
    this.inWord = true;
  }
  addString(s: string) {
    for (const ch of s) this.addChar(ch);
  }
  addRawString(s: string) {
    this.buf += s;
    this.inWord = true;
  }
  finish(): string[] {
    if (this.buf.length > 0) {
      this.words.push(this.buf);
      this.buf = "";
      this.inWord = false;
    }
    return this.words;
  }
}

const maxNesting = 200;

const specialParams = new Set(["@", "*", "#", "?", "-", "$", "!", "0"]);

class ShellWord {
  private readonly chars: string[];
  private pos = 0;
  private rawEscapes: boolean;
  /** Nesting of `${…}`: bounded so hostile input cannot exhaust the JavaScript stack. */
  private depth = 0;
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();

  constructor(
    word: string,
    private readonly env: EnvLookup,
    private readonly opts: LexOptions,
  ) {
    this.chars = Array.from(word);
    this.rawEscapes = opts.rawEscapes ?? false;
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }
  private next(): string | undefined {
    const ch = this.chars[this.pos];
    if (ch !== undefined) this.pos++;
    return ch;
  }

  /** Reads until `stop` (consumed) or the end; returns the text and its words. */
  processStopOn(stop: string | undefined, rawEscapes: boolean): [string, string[]] {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      return this.stopOn(stop);
    } finally {
      this.rawEscapes = saved;
    }
  }

  private stopOn(stop: string | undefined): [string, string[]] {
    let result = "";
    const words = new Words();
    const quotes = !this.opts.skipProcessQuotes;
    for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
      if (stop !== undefined && ch === stop) {
        this.next();
        return [result, words.finish()];
      }
      if (ch === "$") {
        const tmp = this.processDollar();
        result += tmp;
        words.addString(tmp);
      } else if (ch === "<") {
        const tmp = this.processPossibleHeredoc();
        result += tmp;
        words.addRawString(tmp);
      } else if (quotes && (ch === "'" || ch === '"')) {
        const tmp = ch === "'" ? this.processSingleQuote() : this.processDoubleQuote();
        result += tmp;
        words.addRawString(tmp);
      } else {
        let c = this.next() as string;
        if (c === this.opts.escape) {
          if (this.rawEscapes) {
            words.addRawChar(c);
            result += c;
          }
          const escaped = this.next();
          if (escaped === undefined) break; // a lone escape at the end is dropped
          c = escaped;
          words.addRawChar(c);
        } else words.addChar(c);
        result += c;
      }
    }
    if (stop !== undefined)
      throw new SyntaxProblem(`unexpected end of statement while looking for matching ${stop}`);
    return [result, words.finish()];
  }

  private processSingleQuote(): string {
    // Everything up to the next ' is literal; a single quote cannot be escaped.
    const raw = this.opts.rawQuotes ?? false;
    let result = raw ? (this.next() as string) : (this.next(), "");
    for (;;) {
      const ch = this.next();
      if (ch === undefined)
        throw new SyntaxProblem("unexpected end of statement while looking for matching single-quote");
      if (ch === "'") return raw ? result + ch : result;
      result += ch;
    }
  }

  private processDoubleQuote(): string {
    // Literal except `$`, and the escape character before `"`, `$` or itself.
    const raw = this.opts.rawQuotes ?? false;
    let result = raw ? (this.next() as string) : (this.next(), "");
    for (;;) {
      const peek = this.peek();
      if (peek === undefined)
        throw new SyntaxProblem("unexpected end of statement while looking for matching double-quote");
      if (peek === '"') {
        this.next();
        return raw ? result + '"' : result;
      }
      if (peek === "$") {
        result += this.processDollar();
        continue;
      }
      let ch = this.next() as string;
      if (ch === this.opts.escape) {
        if (this.rawEscapes) result += ch;
        const after = this.peek();
        if (after === undefined) continue; // the loop then reports the missing quote
        if (after === '"' || after === "$" || after === this.opts.escape) ch = this.next() as string;
      }
      result += ch;
    }
  }

  private processPossibleHeredoc(): string {
    this.next();
    if (this.peek() !== "<") return "<";
    this.next();
    // `<< EOF` keeps the blanks so the heredoc word stays one word.
    let space = "";
    for (let ch = this.peek(); ch === " " || ch === "\t" || ch === "\r"; ch = this.peek()) {
      space += ch;
      this.next();
    }
    return "<<" + space;
  }

  private getEnv(name: string): string | undefined {
    const v = this.env(name);
    if (v === undefined) this.unmatched.add(name);
    else this.matched.add(name);
    return v;
  }

  private processName(): string {
    let name = "";
    for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
      if (name === "" && isDigit(ch)) {
        // Positional parameters: all the digits, never set in a Dockerfile.
        for (let d = this.peek(); d !== undefined && isDigit(d); d = this.peek()) name += this.next();
        return name;
      }
      if (name === "" && specialParams.has(ch)) return this.next() as string;
      if (!isLetter(ch) && !isDigit(ch) && ch !== "_") break;
      name += this.next();
    }
    return name;
  }

  private processDollar(): string {
    this.next();
    const skipUnset = this.opts.skipUnsetEnv ?? false;
    if (this.peek() !== "{") {
      const name = this.processName();
      if (name === "") return "$";
      const value = this.getEnv(name);
      if (value === undefined && skipUnset) return "$" + name;
      return value ?? "";
    }
    this.next();
    if (++this.depth > maxNesting) throw new SyntaxProblem("syntax error: substitutions nested too deeply");
    try {
      return this.processBraces(skipUnset);
    } finally {
      this.depth--;
    }
  }

  private processBraces(skipUnset: boolean): string {
    const first = this.peek();
    if (first === undefined) throw new SyntaxProblem("syntax error: missing '}'");
    if (first === "{" || first === "}" || first === ":")
      throw new SyntaxProblem("syntax error: bad substitution");
    const name = this.processName();
    let ch = this.next() ?? "\ufffd";
    let chs = ch;
    if (ch === "}") {
      const value = this.getEnv(name);
      if (value === undefined && skipUnset) return `\${${name}}`;
      return value ?? "";
    }
    if (ch === "/") return this.processReplace(name);
    let nullIsUnset = false;
    if (ch === ":") {
      nullIsUnset = true;
      ch = this.next() ?? "\ufffd";
      chs += ch;
    } else if (!"+-?#%".includes(ch)) {
      throw new SyntaxProblem(`unsupported modifier (${chs}) in substitution`);
    }
    const raw = ch === "#" || ch === "%";
    if (nullIsUnset && raw) throw new SyntaxProblem(`unsupported modifier (${chs}) in substitution`);
    let word = this.wordUntil("}", raw, "syntax error: missing '}'");
    const value = this.getEnv(name);
    if (skipUnset && value === undefined) return `\${${name}${chs}${word}}`;
    const empty = value === undefined || (nullIsUnset && value === "");
    switch (ch) {
      case "-":
        return empty ? word : (value ?? "");
      case "+":
        return empty ? "" : word;
      case "?":
        if (value === undefined) throw new SyntaxProblem(`${name}: ${word || "is not allowed to be unset"}`);
        if (nullIsUnset && value === "")
          throw new SyntaxProblem(`${name}: ${word || "is not allowed to be empty"}`);
        return value;
      case "%":
      case "#": {
        // One `%`/`#` matches the shortest text, two the longest.
        const greedy = word.startsWith(ch);
        if (greedy) word = word.slice(1);
        return ch === "%" ? trimSuffix(word, value ?? "", greedy) : trimPrefix(word, value ?? "", greedy);
      }
      default:
        throw new SyntaxProblem(`unsupported modifier (${chs}) in substitution`);
    }
  }

  private processReplace(name: string): string {
    const all = this.peek() === "/";
    if (all) this.next();
    const pattern = this.wordUntil("/", true, "syntax error: missing '/' in ${}");
    const replacement = this.wordUntil("}", true, "syntax error: missing '}'");
    const value = this.getEnv(name);
    if (value === undefined && this.opts.skipUnsetEnv) return `\${${name}/${pattern}/${replacement}}`;
    return replacePattern(value ?? "", pattern, replacement, all);
  }

  /** A nested word up to `stop`; an unexpected end of input gets BuildKit's shorter message. */
  private wordUntil(stop: string, rawEscapes: boolean, atEnd: string): string {
    try {
      return this.processStopOn(stop, rawEscapes)[0];
    } catch (err) {
      if (this.peek() === undefined) throw new SyntaxProblem(atEnd);
      throw err;
    }
  }
}
