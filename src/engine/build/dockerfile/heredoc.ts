import { lex } from "./shellLex.js";
import type { Heredoc } from "./types.js";

/**
 * Heredocs (`RUN <<EOF`, `COPY <<-"EOF" /dst`): finding the heredoc words on an instruction
 * line. The parser then reads each body up to its terminator line.
 */
export interface HeredocWord {
  /** The terminator word, quotes removed. */
  name: string;
  /** The file descriptor before `<<` (`3<<EOF`), 0 when absent. */
  fd: number;
  /** `<<-`: leading tabs are stripped from the body and the terminator line. */
  chomp: boolean;
  /** False when any part of the word was quoted: the body is then not expanded. */
  expand: boolean;
}

// BuildKit: `^(\d*)<<(-?)\s*([^<]*)$`, split in two steps so a long blank run cannot make the
// JavaScript engine backtrack quadratically.
const heredocHead = /^(\d*)<<(-?)/;
const noEnv = () => undefined;

/** Parses one word as a heredoc opener, or returns undefined when it is not one. */
export function parseHeredocWord(word: string): HeredocWord | undefined {
  const m = heredocHead.exec(word);
  if (m === null) return undefined;
  const tail = word.slice(m[0].length);
  if (tail.includes("<")) return undefined;
  const rest = tail.replace(/^[\t\n\f\r ]+/, "");
  if (rest === "") return undefined;
  const cooked = lex(rest, noEnv, { escape: "\\", skipUnsetEnv: true }).words;
  if (cooked.length !== 1) return undefined;
  const raw = lex(rest, noEnv, { escape: "\\", skipUnsetEnv: true, rawQuotes: true }).words;
  const name = cooked[0] as string;
  // If quoting shows up only in the raw form, part of the word was quoted.
  const expand = countQuotes(name) === countQuotes(raw[0] ?? "");
  return { name, fd: Number.parseInt(m[1] || "0", 10), chomp: m[2] === "-", expand };
}

function countQuotes(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === "'" || ch === '"') n++;
  return n;
}

/**
 * The heredoc openers on an instruction line, in order. The line is split like a shell would
 * (always with `\` as escape); a line that does not lex (an open quote) has no heredocs.
 */
export function heredocsFromLine(line: string): HeredocWord[] {
  let words: string[];
  try {
    words = lex(line, noEnv, { escape: "\\", rawQuotes: true, rawEscapes: true, skipUnsetEnv: true }).words;
  } catch {
    return [];
  }
  const docs: HeredocWord[] = [];
  for (const word of words) {
    const doc = parseHeredocWord(word);
    if (doc !== undefined) docs.push(doc);
  }
  return docs;
}

/** `<<-` bodies: strips the leading tabs of every line. */
export function chompHeredoc(content: string): string {
  return content.replace(/(^|\n)\t+/g, "$1");
}

/** The typed heredoc of an instruction, from a body read by the parser. */
export function toHeredoc(h: HeredocWord & { content: string }): Heredoc {
  const content = h.chomp ? chompHeredoc(h.content) : h.content;
  return { name: h.name, fd: h.fd, chomp: h.chomp, expand: h.expand, content, raw: h.content };
}
