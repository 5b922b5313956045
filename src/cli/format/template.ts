/**
 * A parsed Go template with docker's function set: parse once, execute per
 * row. Errors carry Go's exact text (without docker's "template parsing
 * error: " prefix, which the caller adds where docker does).
 */
import { ExecError, Executor, type ExecOptions } from "./exec.js";
import { builtinFuncs, dockerFuncs, headerFuncs, type FuncDef, type FuncMap } from "./funcs.js";
import { ParseError, parse, type ParsedTemplate } from "./parser.js";

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly phase: "parse" | "exec",
    /** Output written before an execution error. */
    readonly partial = "",
  ) {
    super(message);
    this.name = "TemplateError";
  }
}

export type { ExecOptions };

function merge(...maps: FuncMap[]): Map<string, FuncDef> {
  const out = new Map<string, FuncDef>();
  for (const m of maps) for (const [k, v] of m) out.set(k, v);
  return out;
}

const rowFuncs = merge(builtinFuncs, dockerFuncs);
const headerRowFuncs = merge(builtinFuncs, dockerFuncs, headerFuncs);
const funcNames = new Set(rowFuncs.keys());

export class Template {
  private constructor(
    private readonly text: string,
    private readonly name: string,
    private readonly tree: ParsedTemplate,
  ) {}

  /** Parses Go template text; throws TemplateError("template: NAME:LINE: …"). */
  static parse(text: string, name = ""): Template {
    try {
      return new Template(text, name, parse(text, name, funcNames));
    } catch (e) {
      if (e instanceof ParseError) throw new TemplateError(e.message, "parse");
      if (e instanceof RangeError)
        throw new TemplateError(`template: ${name}:1: template too deeply nested`, "parse");
      throw e;
    }
  }

  /** Runs the template on data; throws TemplateError on Go's execution errors. */
  execute(data: unknown, opts: ExecOptions = {}): string {
    return this.run(data, rowFuncs, opts);
  }

  /** Runs with docker's HeaderFunctions, as the table header row is made. */
  executeHeader(data: unknown, opts: ExecOptions = {}): string {
    return this.run(data, headerRowFuncs, opts);
  }

  private run(data: unknown, funcs: FuncMap, opts: ExecOptions): string {
    try {
      return new Executor(this.text, this.name, this.tree.defs, funcs, opts).run(this.tree.root, data);
    } catch (e) {
      if (e instanceof ExecError) throw new TemplateError(e.message, "exec", e.partial);
      if (e instanceof RangeError) {
        throw new TemplateError(`template: ${this.name}: exceeded maximum template depth`, "exec");
      }
      throw e;
    }
  }
}

export function parseTemplate(text: string, name = ""): Template {
  return Template.parse(text, name);
}
