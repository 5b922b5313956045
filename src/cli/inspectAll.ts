/**
 * docker's inspect.Inspect, shared by every inspect command: the objects found
 * as one JSON array indented by 4, or the template run on each; errors for the
 * references not found are printed after, and make the exit status 1.
 */
import { ApiError } from "../client/index.js";
import { CliError, type CliContext } from "./context.js";
import { executeFormat, parseFormat, type Template } from "./format/index.js";
import type { FlagSpec } from "./spec.js";

/** The -f/--format flag every inspect command takes, in docker's words. */
export const inspectFormatFlag: FlagSpec = {
  name: "format",
  short: "f",
  kind: "string",
  valueName: "string",
  description:
    "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates",
};

export type Inspector = (ref: string) => Promise<unknown>;

/** docker's inspect.Inspect: all found objects as one indented JSON array, or the template per object. */
export async function inspectAll(
  ctx: CliContext,
  refs: readonly string[],
  format: string | undefined,
  get: Inspector,
): Promise<number> {
  let tmpl: Template | undefined;
  if (format) {
    try {
      tmpl = parseFormat(format === "json" ? "{{json .}}" : format);
    } catch (err) {
      throw new CliError((err as Error).message, 64);
    }
  }
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const ref of refs) {
    let element: unknown;
    try {
      element = await get(ref);
    } catch (err) {
      errors.push(
        err instanceof ApiError ? `Error response from daemon: ${err.message}` : (err as Error).message,
      );
      continue;
    }
    if (tmpl === undefined) found.push(element);
    else {
      try {
        ctx.stdout.write(executeFormat(tmpl, element) + "\n");
      } catch (err) {
        // docker retries on the raw JSON as a map with missingkey=error, so a field the
        // typed object lacks ends as that map's error.
        errors.push(
          (err as Error).message.replace(
            /can't evaluate field (\S+) in type \S+$/,
            (_m, field: string) => `map has no entry for key "${field}"`,
          ),
        );
      }
    }
  }
  if (tmpl === undefined)
    ctx.stdout.write(found.length === 0 ? "[]\n" : JSON.stringify(found, null, 4) + "\n");
  if (errors.length > 0) throw new CliError(errors.join("\n"));
  return 0;
}
