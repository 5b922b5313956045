/**
 * Docker's (pflag's) command-line rules: bundled short flags (-it), values
 * inline or next (-p80, -p 80, -m=5M, --name=x, --name x), bool flags with
 * optional =false, repeated list flags, `--` to end flags, and flags after
 * positionals except where the command stops at its first positional.
 */
import type { CommandSpec, FlagSpec, ParsedArgs } from "./spec.js";

export class UsageError extends Error {}

export const helpFlag: FlagSpec = { name: "help", kind: "bool", description: "Print usage" };

export function parseArgs(
  spec: Pick<CommandSpec, "flags" | "interspersed">,
  argv: readonly string[],
): ParsedArgs {
  const flags = [...spec.flags, helpFlag];
  const byName = new Map(flags.map((f) => [f.name, f]));
  const byShort = new Map(flags.filter((f) => f.short).map((f) => [f.short!, f]));
  const out: ParsedArgs = {
    positionals: [],
    bools: new Map(),
    strings: new Map(),
    lists: new Map(),
    ints: new Map(),
    given: new Set(),
  };
  for (const f of flags) {
    if (f.default === undefined) continue;
    if (f.kind === "bool") out.bools.set(f.name, Boolean(f.default));
    else if (f.kind === "int") out.ints.set(f.name, Number(f.default));
    else if (f.kind === "string") out.strings.set(f.name, String(f.default));
  }
  const interspersed = spec.interspersed !== false;

  const set = (f: FlagSpec, value: string, display: string) => {
    out.given.add(f.name);
    switch (f.kind) {
      case "bool": {
        const v = parseBool(value);
        if (v === undefined) {
          throw new UsageError(
            `invalid argument "${value}" for "${display}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`,
          );
        }
        out.bools.set(f.name, v);
        break;
      }
      case "int": {
        const n = Number(value);
        if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
          throw new UsageError(
            `invalid argument "${value}" for "${display}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`,
          );
        }
        out.ints.set(f.name, n);
        break;
      }
      case "string":
        out.strings.set(f.name, value);
        break;
      case "list":
        out.lists.set(f.name, [...(out.lists.get(f.name) ?? []), value]);
        break;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--") && arg.length > 2) {
      const eq = arg.indexOf("=");
      const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      const f = byName.get(name);
      if (f === undefined) throw new UsageError(`unknown flag: --${name}`);
      if (eq > 0) set(f, arg.slice(eq + 1), `--${name}`);
      else if (f.kind === "bool") set(f, "true", `--${name}`);
      else {
        const v = argv[++i];
        if (v === undefined) throw new UsageError(`flag needs an argument: --${name}`);
        set(f, v, `--${name}`);
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      // A bundle of shorthands; the first one taking a value eats the rest.
      for (let j = 1; j < arg.length; j++) {
        const c = arg[j]!;
        const f = byShort.get(c);
        if (f === undefined) {
          if (c === "h") {
            out.bools.set("help", true);
            out.given.add("help");
            continue;
          }
          throw new UsageError(`unknown shorthand flag: '${c}' in ${arg}`);
        }
        const rest = arg.slice(j + 1);
        const display = `-${c}, --${f.name}`;
        if (f.kind === "bool") {
          if (rest.startsWith("=")) {
            set(f, rest.slice(1), display);
            break;
          }
          set(f, "true", display);
          continue;
        }
        if (rest.length > 0) set(f, rest.startsWith("=") ? rest.slice(1) : rest, display);
        else {
          const v = argv[++i];
          if (v === undefined) throw new UsageError(`flag needs an argument: '${c}' in -${c}`);
          set(f, v, display);
        }
        break;
      }
      continue;
    }
    out.positionals.push(arg);
    if (!interspersed) {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
  }
  return out;
}

function parseBool(v: string): boolean | undefined {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(v)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(v)) return false;
  return undefined;
}
