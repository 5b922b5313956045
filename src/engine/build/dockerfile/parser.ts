import { trimLeftSpace } from "./chars.js";
import { DirectiveParser, escapeToken, type Directive } from "./directives.js";
import { SyntaxProblem } from "./errors.js";
import { heredocsFromLine, type HeredocWord } from "./heredoc.js";
import { parseLine, type Node } from "./lineParsers.js";

/**
 * Turns Dockerfile text into located nodes, as BuildKit's parser.Parse does: directives at the
 * top, comments, line continuations (comment and blank lines inside them are dropped), and
 * heredoc bodies read after their instruction line.
 */
export interface HeredocBody extends HeredocWord {
  /** The body as read: each line with its newline, terminator excluded, tabs not stripped. */
  content: string;
}

export interface LocatedNode extends Node {
  startLine: number;
  endLine: number;
  heredocs: HeredocBody[];
}

export interface ParseWarning {
  message: string;
  line: number;
}

export interface ParsedFile {
  nodes: LocatedNode[];
  directives: Directive[];
  escapeChar: string;
  warnings: ParseWarning[];
}

/** A parse failure with the lines it concerns (BuildKit's LocationError). */
export class LocatedProblem extends Error {
  constructor(
    message: string,
    readonly startLine: number,
    readonly endLine: number,
  ) {
    super(message);
  }
}

/** bufio.Scanner's limit: BuildKit rejects longer lines. */
const maxLineBytes = 64 * 1024 - 1;

const heredocKeywords = new Set(["add", "copy", "run"]);

function continuationRe(escape: string): RegExp {
  const e = escape === "`" ? "`" : "\\\\";
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

function trimNewline(s: string): string {
  let end = s.length;
  while (end > 0 && (s[end - 1] === "\n" || s[end - 1] === "\r")) end--;
  return s.slice(0, end);
}

const isComment = (line: string) => trimLeftSpace(line).startsWith("#");

/** Physical lines, each keeping its newline (the heredoc bodies need them). */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) break;
    lines.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

function canContainHeredoc(node: Node): boolean {
  const target = node.keyword.toLowerCase() === "onbuild" && node.sub !== undefined ? node.sub : node;
  return heredocKeywords.has(target.keyword.toLowerCase()) && !target.json;
}

export function parseText(input: string): ParsedFile {
  const text = input.startsWith("\ufeff") ? input.slice(1) : input;
  const lines = splitLines(text);
  const directiveParser = new DirectiveParser();
  const directives: Directive[] = [];
  const warnings: ParseWarning[] = [];
  const nodes: LocatedNode[] = [];
  let escape = "\\";
  let contRe = continuationRe(escape);
  let i = 0; // index of the next physical line; also the count of lines read

  // Strips the newline (and, for first lines, leading blanks), feeds the directive parser,
  // and blanks out comment lines.
  const processLine = (raw: string, stripLeft: boolean): string => {
    if (raw.length > maxLineBytes && Buffer.byteLength(raw) > maxLineBytes)
      throw new LocatedProblem(`dockerfile line greater than max allowed size of ${maxLineBytes}`, i, i);
    let token = trimNewline(raw);
    if (stripLeft) token = trimLeftSpace(token);
    let directive: Directive | undefined;
    try {
      directive = directiveParser.parseLine(token);
      if (directive?.name === "escape") {
        escape = escapeToken(directive.value);
        contRe = continuationRe(escape);
      }
    } catch (err) {
      throw new LocatedProblem((err as Error).message, i + 1, i + 1);
    }
    if (directive !== undefined) directives.push(directive);
    return isComment(token) ? "" : token;
  };
  const trimContinuation = (line: string): [string, boolean] => {
    if (!contRe.test(line)) return [line, true];
    return [line.replace(contRe, "$1"), false];
  };

  while (i < lines.length) {
    let bytes = processLine(lines[i] as string, true);
    i++;
    const startLine = i;
    let endOfLine: boolean;
    [bytes, endOfLine] = trimContinuation(bytes);
    if (endOfLine && bytes.length === 0) continue;
    let buf = bytes;
    let emptyContinuation = false;
    while (!endOfLine && i < lines.length) {
      const raw = lines[i] as string;
      const cont = processLine(raw, false);
      i++;
      if (isComment(raw)) continue;
      if (trimLeftSpace(cont).length === 0) {
        emptyContinuation = true;
        continue;
      }
      [bytes, endOfLine] = trimContinuation(cont);
      buf += bytes;
    }
    if (emptyContinuation)
      warnings.push({ message: `Empty continuation line found in:\n    ${buf}`, line: i });

    let node: Node;
    try {
      node = parseLine(buf, escape);
    } catch (err) {
      if (err instanceof SyntaxProblem) throw new LocatedProblem(err.message, startLine, i);
      throw err;
    }
    const heredocs: HeredocBody[] = [];
    if (canContainHeredoc(node) && buf.includes("<<")) {
      let words: HeredocWord[];
      try {
        words = heredocsFromLine(buf);
      } catch (err) {
        if (err instanceof SyntaxProblem) throw new LocatedProblem(err.message, startLine, i);
        throw err;
      }
      for (const word of words) {
        let content = "";
        let terminated = false;
        while (i < lines.length) {
          const raw = lines[i] as string;
          i++;
          let candidate = trimNewline(raw);
          if (word.chomp) candidate = candidate.replace(/^\t+/, "");
          if (candidate === word.name) {
            terminated = true;
            break;
          }
          content += raw;
        }
        if (!terminated) throw new LocatedProblem("unterminated heredoc", startLine, i);
        heredocs.push({ ...word, content });
      }
    }
    nodes.push({ ...node, startLine, endLine: i, heredocs });
  }
  if (nodes.length === 0) throw new LocatedProblem("file with no instructions", i, i);
  return { nodes, directives, escapeChar: escape, warnings };
}
