/**
 * Which entries of a COPY/ADD source are copied under BuildKit's `--exclude` and `--parents`
 * (pure): patterns follow moby's patternmatcher (`.dockerignore` rules, reused from
 * dockerignore.ts) and are matched against paths relative to each source (the source's root
 * itself is never matched, so a file source or a wildcard's match is always copied, as
 * fsutil's copier does). `--parents` copies a root (the source root or the `/./` pivot) with
 * the rest of the path as an include pattern.
 */
import { posix } from "node:path";
import { invalid } from "../errors.js";
import { compilePattern, isIgnored, type IgnorePattern } from "./dockerignore.js";

export interface CopyFilter {
  /** `--parents`: only what matches it (or lies below a match), and the directories on the way. */
  include?: IgnorePattern;
  /** `--exclude` patterns (with `!` exceptions). */
  exclude: IgnorePattern[];
}

export const copyFlagMessages = {
  illegalExclusion: 'illegal exclusion pattern: "!"',
  badPattern: "syntax error in pattern",
};

/** Go's path.Clean ("" is "."). */
export function goClean(p: string): string {
  if (p === "") return ".";
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

/** A `[` without its `]`: Go's filepath.Match reports ErrBadPattern. */
function checkSyntax(p: string): void {
  for (let i = 0; i < p.length; i++) {
    if (p[i] === "\\") i++;
    else if (p[i] === "[" && p.indexOf("]", i + 1) < 0) throw invalid(copyFlagMessages.badPattern);
  }
}

/** `--exclude` values as patternmatcher.New reads them: trimmed, cleaned, `!` an exception. */
export function excludePatterns(list: readonly string[]): IgnorePattern[] {
  const out: IgnorePattern[] = [];
  for (const raw of list) {
    let p = raw.trim();
    if (p === "") continue;
    p = goClean(p);
    let exclusion = false;
    if (p.startsWith("!")) {
      if (p.length === 1) throw invalid(copyFlagMessages.illegalExclusion);
      exclusion = true;
      p = p.slice(1);
    }
    checkSyntax(p);
    out.push(compilePattern(p, exclusion));
  }
  return out;
}

/** BuildKit's containsWildcards: `*`, `?` or `[` not escaped by a backslash. */
export function hasWildcards(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "\\") i++;
    else if (ch === "*" || ch === "?" || ch === "[") return true;
  }
  return false;
}

/** A `--parents` source: the root copied from and the pattern (relative to it) kept below it. */
export interface ParentsSource {
  /** The copy root, relative to the source root ("" is the root itself); may hold wildcards. */
  base: string;
  /** The include pattern relative to base ("" keeps everything). */
  pattern: string;
}

/** A source path relative to its root: cleaned, `..` stopping at the root (BuildKit's NormalizePath). */
const relClean = (p: string) => goClean(`/${p}`).slice(1);

/**
 * Splits a `--parents` source at its first `/./` (the pivot: only what follows it is kept under
 * the destination); without one the whole path is kept, from the source root.
 */
export function splitParents(src: string): ParentsSource {
  const at = src.indexOf("/./");
  if (at < 0) return { base: "", pattern: relClean(src) };
  return { base: relClean(src.slice(0, at)), pattern: relClean(src.slice(at + 3)) };
}

/**
 * Whether a directory that does not match `pattern` may still hold paths that do, so a walk
 * must look inside: each of its components must match the pattern's component at that depth,
 * up to a `**`.
 */
export function mayHoldMatches(dirRel: string, pattern: IgnorePattern): boolean {
  const parts = pattern.text.split("/");
  const dirs = dirRel === "" ? [] : dirRel.split("/");
  for (let i = 0; i < dirs.length; i++) {
    const p = parts[i];
    if (p === undefined) return false;
    if (p.includes("**")) return true;
    if (i === parts.length - 1) return false; // it would match the directory itself
    if (!compilePattern(p).regex.test(dirs[i] as string)) return false;
  }
  return true;
}

/** What a walk does with an entry: copy it, only look inside (a directory), or leave it. */
export type Decision = "copy" | "descend" | "skip";

export function decide(rel: string, isDir: boolean, f: CopyFilter): Decision {
  const included = f.include === undefined || isIgnored(rel, [f.include]);
  const excluded = f.exclude.length > 0 && isIgnored(rel, f.exclude);
  if (included && !excluded) return "copy";
  if (!isDir) return "skip";
  // An excluded directory is entered only when an exception could bring back something inside.
  if (excluded && !f.exclude.some((p) => p.exclusion)) return "skip";
  if (!included && f.include !== undefined && !mayHoldMatches(rel, f.include)) return "skip";
  return "descend";
}

/** Whether a filter leaves everything in (no pattern at all). */
export const isOpenFilter = (f: CopyFilter | undefined): boolean =>
  f === undefined || (f.include === undefined && f.exclude.length === 0);
