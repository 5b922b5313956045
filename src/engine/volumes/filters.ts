/**
 * The filters of volume list and prune as pure predicates, with the value
 * rules of Docker's filters package (GetBoolOrDefault for `dangling`,
 * ParseBool for prune's `all`, regular expressions for `name`).
 */
import { invalid } from "../errors.js";
import type { ListOptions } from "./types.js";

/** `name`: an exact match, or any value that matches as a regular expression (unanchored, as Go's MatchString). */
export function matchName(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => {
    if (p === name) return true;
    try {
      return new RegExp(p).test(name);
    } catch {
      return false; // Go skips values that do not compile.
    }
  });
}

/** `label=k`, `label=k=v`, and `label!=…` (MatchKVList). */
export function matchLabels(
  labels: Readonly<Record<string, string>>,
  want: readonly string[] = [],
  notWant: readonly string[] = [],
): boolean {
  const has = (f: string) => {
    const eq = f.indexOf("=");
    if (eq < 0) return Object.hasOwn(labels, f);
    const key = f.slice(0, eq);
    return Object.hasOwn(labels, key) && labels[key] === f.slice(eq + 1);
  };
  return want.every(has) && !notWant.some(has);
}

/** `dangling`: only "1"/"true" or "0"/"false", never both (filters.GetBoolOrDefault). */
export function parseDanglingValues(values: readonly string[]): boolean {
  const isTrue = values.includes("1") || values.includes("true");
  const isFalse = values.includes("0") || values.includes("false");
  if (isTrue === isFalse) {
    throw invalid(
      values.length === 0 ? "invalid filter 'dangling'" : `invalid filter 'dangling=${values.join(",")}'`,
    );
  }
  return isTrue;
}

const goTrue = ["1", "t", "T", "TRUE", "true", "True"];
const goFalse = ["0", "f", "F", "FALSE", "false", "False"];

/** Prune's `all` filter: one Go ParseBool value; absent means false. */
export function parseAllValues(values: readonly string[]): boolean {
  if (values.length === 0) return false;
  if (values.length > 1)
    throw invalid(`invalid filter 'all=[${values.join(" ")}]': only one value is expected`);
  const v = values[0]!;
  if (goTrue.includes(v)) return true;
  if (goFalse.includes(v)) return false;
  throw invalid(`invalid filter 'all': strconv.ParseBool: parsing "${v}": invalid syntax`);
}

export function matchesList(
  v: { name: string; driver: string; labels: Readonly<Record<string, string>> },
  inUse: boolean,
  opts: ListOptions,
): boolean {
  if (opts.drivers !== undefined && opts.drivers.length > 0 && !opts.drivers.includes(v.driver)) return false;
  if (opts.names !== undefined && opts.names.length > 0 && !matchName(v.name, opts.names)) return false;
  if (!matchLabels(v.labels, opts.labels, opts.notLabels)) return false;
  if (opts.dangling !== undefined && opts.dangling === inUse) return false;
  return true;
}
