/**
 * Rendering a list the way docker's formatter.Context.Write does: `table …`
 * gives a header row (the template run on the header map with docker's
 * HeaderFunctions) and tabwriter alignment; `json` is `{{json .}}` per row;
 * any other text is a template run per row, each followed by a newline.
 */
import { CliError } from "../context.js";
import { tabwrite } from "./tabwriter.js";
import { Template, TemplateError } from "./template.js";
import { isPlainObject, markStruct, structTagOf } from "./values.js";

export interface RenderOptions {
  /** The user's --format; empty or undefined means the default table, "table" too. */
  format: string | undefined;
  /** The command's default, e.g. "table {{.ID}}\t{{.Image}}". */
  defaultTable: string;
  /** Field name → column title, e.g. { ID: "CONTAINER ID" }. */
  headers: Record<string, string>;
  rows: unknown[];
  /** -q: print quietFormat (default "{{.ID}}") per row instead. */
  quiet?: boolean;
  quietFormat?: string;
  /** Go type name of a row in error texts, e.g. "*formatter.ContainerContext". */
  typeName?: string;
}

/** docker's preFormat: strip "table", map "json", trim spaces, expand \t and \n escapes. */
export function templateText(format: string): { text: string; isTable: boolean } {
  const isTable = format.startsWith("table");
  let text = format;
  if (isTable) text = text.slice("table".length);
  else if (format === "json") text = "{{json .}}";
  text = text.replace(/^ +| +$/g, "");
  text = text.replace(/\\t|\\n/g, (m) => (m === "\\t" ? "\t" : "\n"));
  return { text, isTable };
}

/** Parses a --format, failing as docker does ("template parsing error: …", exit 1). */
export function parseFormat(text: string): Template {
  try {
    return Template.parse(text);
  } catch (e) {
    if (e instanceof TemplateError) throw new CliError(`template parsing error: ${e.message}`);
    throw e;
  }
}

/** Executes for a row, failing as docker does. */
export function executeFormat(tmpl: Template, data: unknown, typeName?: string): string {
  try {
    return tmpl.execute(data, { typeName });
  } catch (e) {
    if (e instanceof TemplateError) throw new CliError(`template parsing error: ${e.message}`);
    throw e;
  }
}

function asRowContext(row: unknown, typeName: string | undefined): unknown {
  if (!isPlainObject(row) || structTagOf(row)) return row;
  // Docker's row contexts marshal {{json .}} with sorted keys.
  return markStruct({ ...row }, { typeName: typeName ?? "struct", sortedJson: true });
}

/** Renders rows per the user's --format, docker's way. */
export function renderRows(opts: RenderOptions): string {
  let format = opts.format ?? "";
  if (opts.quiet) format = opts.quietFormat ?? "{{.ID}}";
  else if (format === "" || format === "table") format = opts.defaultTable;
  const { text, isTable } = templateText(format);
  const tmpl = parseFormat(text);
  let body = "";
  for (const row of opts.rows) {
    body += executeFormat(tmpl, asRowContext(row, opts.typeName), opts.typeName) + "\n";
  }
  if (!isTable) return body;
  let header: string;
  try {
    header = tmpl.executeHeader(new Map(Object.entries(opts.headers)));
  } catch (e) {
    // docker ignores header errors and keeps what was written.
    if (!(e instanceof TemplateError)) throw e;
    header = e.partial;
  }
  return tabwrite(header + "\n" + body);
}
