/**
 * Where `save` and `export` write their tar: the -o file, or stdout, which
 * docker refuses when it is a terminal (a tar would only garble it).
 */
import { CliError, type CliContext } from "../context.js";
import type { FlagSpec, ParsedArgs } from "../spec.js";

/** -o/--output, in docker's words. */
export const tarOutputFlag: FlagSpec = {
  name: "output",
  short: "o",
  kind: "string",
  description: "Write to a file, instead of STDOUT",
  valueName: "string",
};

/** The -o path, or "" for stdout once it is known not to be a terminal. */
export function tarOutputPath(ctx: CliContext, args: ParsedArgs): string {
  const output = args.strings.get("output") ?? "";
  if (output === "" && ctx.stdout.isTTY === true) {
    throw new CliError("cowardly refusing to save to a terminal. Use the -o flag or redirect");
  }
  return output;
}
