// Preloaded with --import: records in $BERTH_TRACE_OUT, as file: URLs, every
// module Node resolves. ES imports go through the hooks in trace-hooks.mjs;
// CommonJS requires (inside npm packages) do not, so the CommonJS resolver is
// wrapped too.
import { appendFileSync } from "node:fs";
import Module, { register } from "node:module";
import { pathToFileURL } from "node:url";

register("./trace-hooks.mjs", import.meta.url);

const out = process.env.BERTH_TRACE_OUT;
const cjs = /** @type {{ _resolveFilename: (...args: unknown[]) => string }} */ (
  /** @type {unknown} */ (Module)
);
const resolveFilename = cjs._resolveFilename;
cjs._resolveFilename = function (...args) {
  const file = resolveFilename.apply(this, args);
  if (out && file.startsWith("/")) appendFileSync(out, pathToFileURL(file).href + "\n");
  return file;
};
