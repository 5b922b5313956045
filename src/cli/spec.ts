/**
 * How a command is declared: its path, aliases, usage line, flags and
 * argument count, as data. The parser, help printer and dispatcher read it.
 */
import type { CliContext } from "./context.js";

export type FlagKind = "bool" | "string" | "list" | "int";

export interface FlagSpec {
  name: string;
  short?: string;
  kind: FlagKind;
  description: string;
  /** Shown in help as the value's type ("string", "list", "filter", "bytes"…). */
  valueName?: string;
  default?: string | number | boolean;
  /** Printed as (default …) in help when set. */
  showDefault?: string;
  hidden?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  bools: Map<string, boolean>;
  strings: Map<string, string>;
  lists: Map<string, string[]>;
  ints: Map<string, number>;
  /** Flags the user actually gave (for "only if set" semantics). */
  given: Set<string>;
}

export interface CommandSpec {
  /** ["image", "ls"]: the canonical path. */
  path: string[];
  /** Other paths for the same command, e.g. [["images"], ["image", "list"]]. */
  aliases?: string[][];
  /** After `berth `: "image ls [OPTIONS] [REPOSITORY[:TAG]]". */
  usage: string;
  description: string;
  flags: FlagSpec[];
  args: { min: number; max: number };
  /** Message when args.min is not met, if different from "requires at least N argument(s)". */
  exactArgsMessage?: boolean;
  /** false: the first positional ends flag parsing (run, exec, create). */
  interspersed?: boolean;
  /** Runs in the CLI process without a daemon (e.g. `registry serve`): no autostart. */
  local?: boolean;
  run(ctx: CliContext, args: ParsedArgs): Promise<number>;
}

/** A management group (image, container…) lists its subcommands in help. */
export interface GroupSpec {
  name: string;
  description: string;
}

export function flagValue(args: ParsedArgs, name: string): string | undefined {
  return args.strings.get(name);
}
