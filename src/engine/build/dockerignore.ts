/**
 * `.dockerignore` with the rules of moby's patternmatcher and ignorefile: one pattern a line,
 * `#` comments, `!` exceptions, the last matching pattern wins, a pattern that matches a parent
 * directory matches everything below it, `**` spans directories, paths are cleaned and a
 * leading `/` is dropped.
 */
import { posix } from "node:path";

export interface IgnorePattern {
  /** The cleaned pattern, without `!`. */
  text: string;
  exclusion: boolean;
  regex: RegExp;
}

/** Reads the lines of a .dockerignore file. */
export function parseDockerignore(text: string): IgnorePattern[] {
  const out: IgnorePattern[] = [];
  for (const raw of text.split("\n")) {
    if (raw.startsWith("#")) continue;
    let line = raw.trim();
    if (line === "") continue;
    let exclusion = false;
    if (line.startsWith("!")) {
      exclusion = true;
      line = line.slice(1).trim();
      if (line === "") continue;
    }
    line = posix.normalize(line);
    if (line.length > 1 && line.endsWith("/")) line = line.slice(0, -1);
    if (line.length > 1 && line.startsWith("/")) line = line.slice(1);
    out.push(compilePattern(line, exclusion));
  }
  return out;
}

export function compilePattern(text: string, exclusion = false): IgnorePattern {
  let re = "^";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === "*") {
      if (text[i + 1] === "*") {
        i++;
        // `**/` is `**`: any number of directories, even none.
        if (text[i + 1] === "/") i++;
        re += i + 1 >= text.length ? ".*" : "(.*/)?";
      } else re += "[^/]*";
    } else if (ch === "?") re += "[^/]";
    else if (ch === "\\") {
      const next = text[i + 1];
      if (next === undefined) re += "\\\\";
      else {
        re += escapeRegex(next);
        i++;
      }
    } else if (ch === "[") {
      const end = text.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        let cls = text.slice(i + 1, end);
        if (cls.startsWith("!")) cls = "^" + cls.slice(1);
        re += `[${cls.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else re += escapeRegex(ch);
  }
  re += "$";
  let regex: RegExp;
  try {
    regex = new RegExp(re, "s");
  } catch {
    regex = /$^/;
  }
  return { text, exclusion, regex };
}

function escapeRegex(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}

/**
 * Whether `file` (a clean relative path, `/` separated) is excluded: the last pattern that
 * matches it or one of its parent directories decides.
 */
export function isIgnored(file: string, patterns: readonly IgnorePattern[]): boolean {
  // Only exceptions (the Dockerfile's and .dockerignore's, always added): nothing is excluded.
  if (patterns.every((p) => p.exclusion)) return false;
  const path = posix.normalize(file).replace(/^\/+/, "");
  const parents = posix.dirname(path) === "." ? [] : posix.dirname(path).split("/");
  let matched = false;
  for (const p of patterns) {
    if (p.exclusion !== matched) continue;
    let m = p.regex.test(path);
    for (let i = 0; !m && i < parents.length; i++) m = p.regex.test(parents.slice(0, i + 1).join("/"));
    if (m) matched = !p.exclusion;
  }
  return matched;
}

/** True when some exception could re-include a path under `dir` (so the walk must go in). */
export function mayReinclude(patterns: readonly IgnorePattern[]): boolean {
  return patterns.some((p) => p.exclusion);
}
