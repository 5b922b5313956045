import { SyntaxProblem } from "./errors.js";
import { withSuggestion } from "./suggest.js";

/**
 * Instruction flags (`COPY --from=x`), checked against the flags an instruction declares,
 * with BuildKit's BFlags rules and messages.
 */
type FlagType = "bool" | "string" | "strings";

export interface FlagValues {
  /** Last value of string and bool flags ("true"/"false"), only for flags that were given. */
  values: Map<string, string>;
  /** All values of repeatable flags, in order. */
  lists: Map<string, string[]>;
  /** Names given on the line (without `--`), in order of first use. */
  used: string[];
}

export function parseFlags(
  args: readonly string[],
  declared: Readonly<Record<string, FlagType>>,
): FlagValues {
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const used: string[] = [];
  for (const a of args) {
    if (a === "--") break; // POSIX: a bare -- ends the options
    if (!a.startsWith("--")) throw new SyntaxProblem(`arg should start with -- : ${a}`);
    const eq = a.indexOf("=");
    const flagName = eq < 0 ? a : a.slice(0, eq);
    const value = eq < 0 ? "" : a.slice(eq + 1);
    const hasValue = eq >= 0;
    const name = flagName.slice(2);
    const type = Object.hasOwn(declared, name) ? declared[name] : undefined;
    if (type === undefined)
      throw new SyntaxProblem(withSuggestion(`unknown flag: ${flagName}`, name, Object.keys(declared), true));
    if (used.includes(name) && type !== "strings")
      throw new SyntaxProblem(`duplicate flag specified: ${flagName}`);
    if (!used.includes(name)) used.push(name);
    switch (type) {
      case "bool": {
        if (hasValue && value === "") throw new SyntaxProblem(`missing a value on flag: ${flagName}`);
        const v = value.toLowerCase();
        if (v !== "" && v !== "true" && v !== "false")
          throw new SyntaxProblem(`expecting boolean value for flag ${flagName}, not: ${value}`);
        values.set(name, v === "false" ? "false" : "true");
        break;
      }
      case "string":
        if (!hasValue) throw new SyntaxProblem(`missing a value on flag: ${flagName}`);
        values.set(name, value);
        break;
      case "strings": {
        if (!hasValue) throw new SyntaxProblem(`missing a value on flag: ${flagName}`);
        const list = lists.get(name) ?? [];
        list.push(value);
        lists.set(name, list);
        break;
      }
    }
  }
  return { values, lists, used };
}

/** Reads a parsed bool flag: undefined when the flag was not given. */
export function boolFlag(flags: FlagValues, name: string): boolean | undefined {
  const v = flags.values.get(name);
  return v === undefined ? undefined : v === "true";
}
