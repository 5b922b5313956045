/**
 * Output as the docker CLI prints it: Go templates for --format, tables
 * aligned by Go's tabwriter, and go-units sizes and durations.
 *
 * Glossary
 * - template: Go text/template text, e.g. `{{.ID}}\t{{.Names}}`; parsed once
 *   by `parseTemplate`, executed per row. Errors keep Go's exact wording.
 * - format: the user's --format. `table …` adds a header row and tabwriter
 *   alignment, `json` prints `{{json .}}` per row, anything else is a plain
 *   template per line; empty means the command's default table.
 * - header map: field name → column title ({ ID: "CONTAINER ID" }); the
 *   header row is the template executed on it with docker's HeaderFunctions.
 * - row context: one row's data, a plain object with Docker's PascalCase
 *   field names (zero-argument functions act as Go methods).
 * - Go value model (values.ts): undefined prints `<no value>`, null `<nil>`,
 *   JS Map and non-PascalCase objects are Go maps, `markStruct` forces a
 *   struct with a Go type name for error texts.
 * - humanSize vs bytesSize: decimal kB/MB ("%.3g" by default) vs binary
 *   KiB/MiB ("%.4g"), as go-units HumanSizeWithPrecision and BytesSize.
 */
export {
  parseTemplate,
  Template,
  TemplateError,
  type ExecOptions,
  type ParseOptions,
  type ExtraFuncs,
} from "./template.js";
export { renderRows, templateText, parseFormat, executeFormat, type RenderOptions } from "./table.js";
export { tabwrite, dockerTabwriter, type TabwriterOptions } from "./tabwriter.js";
export {
  humanSize,
  bytesSize,
  humanDuration,
  timeAgo,
  ramInBytes,
  fromHumanSize,
  ellipsis,
  shortId,
  SizeError,
} from "./units.js";
export { displayWidth } from "./width.js";
export { goQuote, sprintf } from "./goFmt.js";
export { goJson } from "./funcs.js";
export { GoFloat, markStruct, formatValue, type StructTag } from "./values.js";
