import { isSpace, splitWhitespace, trimLeftSpace, trimSpace } from "./chars.js";
import { goQuote, SyntaxProblem } from "./errors.js";

/**
 * One logical Dockerfile line cut into keyword, flags and arguments, the way BuildKit's
 * line parsers do it per instruction (JSON arrays, key=value lists, plain words…). No
 * expansion and no quote removal happen here, except in flags.
 */
export interface Node {
  /** The keyword as written (`run`, `Copy`…). */
  keyword: string;
  /** `--name=value` words in front of the arguments, quotes removed. */
  flags: string[];
  /** Arguments; ENV/LABEL hold (key, value, "=" or "") triples. */
  args: string[];
  /** The arguments came from a JSON array (exec form). */
  json: boolean;
  /** ONBUILD's wrapped instruction. */
  sub?: Node;
  /** The logical line (continuations joined). */
  original: string;
}

type LineParser = (
  rest: string,
  escape: string,
  depth: number,
) => { args: string[]; json: boolean; sub?: Node };

const notStringArray = "when using JSON array syntax, arrays must be comprised of strings only";

const parsers: Record<string, LineParser> = {
  add: maybeJSONToList,
  arg: (rest, escape) => ({ args: parseWords(rest, escape), json: false }),
  cmd: maybeJSON,
  copy: maybeJSONToList,
  entrypoint: maybeJSON,
  env: (rest, escape) => ({ args: nameVal(rest, "ENV", escape), json: false }),
  expose: (rest) => ({ args: whitespaceDelimited(rest), json: false }),
  from: (rest) => ({ args: whitespaceDelimited(rest), json: false }),
  healthcheck: healthConfig,
  label: (rest, escape) => ({ args: nameVal(rest, "LABEL", escape), json: false }),
  maintainer: plainString,
  // Past one level the trigger is rejected anyway (ONBUILD ONBUILD), so recursion stops there.
  onbuild: (rest, escape, depth) =>
    rest === "" || depth > 1
      ? { args: [], json: false }
      : { args: [], json: false, sub: parseLine(rest, escape, depth + 1) },
  run: maybeJSON,
  shell: maybeJSON,
  stopsignal: plainString,
  user: plainString,
  volume: maybeJSONToList,
  workdir: plainString,
};

/** Splits a logical line and applies the instruction's line parser. Unknown keywords keep no args. */
export function parseLine(line: string, escape: string, depth = 0): Node {
  const { keyword, flags, rest } = splitCommand(line, escape);
  const parser = Object.hasOwn(parsers, keyword.toLowerCase()) ? parsers[keyword.toLowerCase()] : undefined;
  const parsed = parser === undefined ? { args: [], json: false } : parser(rest, escape, depth);
  return { keyword, flags, original: line, ...parsed };
}

export function splitCommand(
  line: string,
  escape: string,
): { keyword: string; flags: string[]; rest: string } {
  const parts = splitWhitespace(trimSpace(line), 2);
  const keyword = parts[0] ?? "";
  if (parts.length < 2) return { keyword, flags: [], rest: "" };
  const { rest, flags } = extractBuilderFlags(parts[1] ?? "", escape);
  return { keyword, flags, rest: trimSpace(rest) };
}

/** Takes the leading `--flag[=value]` words off the arguments; a bare `--` ends them. */
export function extractBuilderFlags(line: string, escape: string): { rest: string; flags: string[] } {
  const flags: string[] = [];
  let phase: "spaces" | "word" | "quote" = "spaces";
  let word = "";
  let quote = "";
  let blankOK = false;
  for (let pos = 0; pos <= line.length; pos++) {
    const atEnd = pos === line.length;
    let ch = line[pos] ?? "";
    if (phase === "spaces") {
      if (atEnd) break;
      if (isSpace(ch)) continue;
      if (ch !== "-" || line[pos + 1] !== "-") return { rest: line.slice(pos), flags };
      phase = "word";
    }
    if (atEnd) {
      if (word !== "--" && (blankOK || word.length > 0)) flags.push(word);
      break;
    }
    if (phase === "word") {
      if (isSpace(ch)) {
        if (word === "--") return { rest: line.slice(pos), flags };
        if (blankOK || word.length > 0) flags.push(word);
        phase = "spaces";
        word = "";
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = "quote";
        continue;
      }
      if (ch === escape) {
        if (pos + 1 === line.length) continue;
        ch = line[++pos] ?? "";
      }
      word += ch;
      continue;
    }
    if (ch === quote) {
      phase = "word";
      continue;
    }
    if (ch === escape) {
      if (pos + 1 === line.length) {
        phase = "word";
        continue;
      }
      ch = line[++pos] ?? "";
    }
    word += ch;
  }
  return { rest: "", flags };
}

/** Words separated by blanks; quotes and escapes are kept for the expansion step. */
export function parseWords(rest: string, escape: string): string[] {
  const words: string[] = [];
  const chars = Array.from(rest);
  let phase: "spaces" | "word" | "quote" = "spaces";
  let quote = "";
  let blankOK = false;
  let word = "";
  for (let pos = 0; pos <= chars.length; pos++) {
    const atEnd = pos === chars.length;
    let ch = chars[pos] ?? "";
    if (phase === "spaces") {
      if (atEnd) break;
      if (isSpace(ch)) continue;
      phase = "word";
    }
    if (atEnd) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === "word") {
      if (isSpace(ch)) {
        phase = "spaces";
        if (blankOK || word.length > 0) words.push(word);
        word = "";
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = "quote";
      }
      if (ch === escape) {
        if (pos + 1 === chars.length) continue; // an escape at the very end is dropped
        word += ch;
        ch = chars[++pos] ?? "";
      }
      word += ch;
      continue;
    }
    if (ch === quote) phase = "word";
    if (ch === escape && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = "word";
        continue;
      }
      word += ch;
      ch = chars[++pos] ?? "";
    }
    word += ch;
  }
  return words;
}

/** ENV and LABEL: `key value…` (legacy, one pair) or `k=v k2=v2…`. */
function nameVal(rest: string, key: string, escape: string): string[] {
  const words = parseWords(rest, escape);
  if (words.length === 0) return [];
  if (!(words[0] as string).includes("=")) {
    const parts = splitWhitespace(rest, 2);
    if (parts.length < 2) throw new SyntaxProblem(`${key} must have two arguments`);
    return [parts[0] ?? "", parts[1] ?? "", ""];
  }
  const out: string[] = [];
  for (const word of words) {
    const eq = word.indexOf("=");
    if (eq < 0)
      throw new SyntaxProblem(
        `Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`,
      );
    out.push(word.slice(0, eq), word.slice(eq + 1), "=");
  }
  return out;
}

function whitespaceDelimited(rest: string): string[] {
  return rest === "" ? [] : splitWhitespace(rest);
}

function plainString(rest: string): { args: string[]; json: boolean } {
  return { args: rest === "" ? [] : [rest], json: false };
}

class NotJSON extends Error {}

/** A JSON array of strings; anything else that is not valid JSON falls back to other forms. */
function parseJSON(rest: string): string[] {
  const text = trimLeftSpace(rest);
  if (!text.startsWith("[")) throw new NotJSON();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new NotJSON();
  }
  if (!Array.isArray(value)) throw new NotJSON();
  const out: string[] = [];
  for (const v of value as unknown[]) {
    if (typeof v !== "string") throw new SyntaxProblem(notStringArray);
    out.push(v);
  }
  return out;
}

/** RUN, CMD, ENTRYPOINT, SHELL: a JSON array (exec form) or the rest of the line as one string. */
function maybeJSON(rest: string): { args: string[]; json: boolean } {
  if (rest === "") return { args: [], json: false };
  try {
    return { args: parseJSON(rest), json: true };
  } catch (err) {
    if (!(err instanceof NotJSON)) throw err;
    return { args: [rest], json: false };
  }
}

/** ADD, COPY, VOLUME: a JSON array or blank-separated words. */
function maybeJSONToList(rest: string): { args: string[]; json: boolean } {
  try {
    return { args: parseJSON(rest), json: true };
  } catch (err) {
    if (!(err instanceof NotJSON)) throw err;
    return { args: whitespaceDelimited(rest), json: false };
  }
}

/** HEALTHCHECK: a type word (CMD, NONE…) then, for CMD, a command in either form. */
function healthConfig(rest: string): { args: string[]; json: boolean } {
  let sep = 0;
  while (sep < rest.length && !isSpace(rest[sep])) sep++;
  if (sep === 0) return { args: [], json: false };
  let next = sep;
  while (next < rest.length && isSpace(rest[next])) next++;
  const cmd = maybeJSON(rest.slice(next));
  return { args: [rest.slice(0, sep), ...cmd.args], json: cmd.json };
}
