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

/** Extra functions for one template (docker's version adds getDetailsOrder); all arguments untyped. */
export type ExtraFuncs = Record<string, (...args: unknown[]) => unknown>;

export interface ParseOptions {
  /** Template name shown in errors: "template: version:1:2: executing \"version\" …". */
  name?: string;
  funcs?: ExtraFuncs;
}

function toFuncMap(extra: ExtraFuncs): Map<string, FuncDef> {
  const out = new Map<string, FuncDef>();
  for (const [name, f] of Object.entries(extra)) {
    out.set(name, { params: new Array<"any">(f.length).fill("any"), call: (args) => f(...args) });
  }
  return out;
}

export class Template {
  private readonly rowFuncs: FuncMap;
  private readonly headerFuncs: FuncMap;

  private constructor(
    private readonly text: string,
    private readonly name: string,
    private readonly tree: ParsedTemplate,
    extra: FuncMap,
  ) {
    this.rowFuncs = extra.size ? merge(rowFuncs, extra) : rowFuncs;
    this.headerFuncs = extra.size ? merge(headerRowFuncs, extra) : headerRowFuncs;
  }

  /** Parses Go template text; throws TemplateError("template: NAME:LINE: …"). */
  static parse(text: string, opts: ParseOptions = {}): Template {
    const name = opts.name ?? "";
    const extra = toFuncMap(opts.funcs ?? {});
    const names = extra.size ? new Set([...funcNames, ...extra.keys()]) : funcNames;
    try {
      return new Template(text, name, parse(text, name, names), extra);
    } catch (e) {
      if (e instanceof ParseError) throw new TemplateError(e.message, "parse");
      if (e instanceof RangeError)
        throw new TemplateError(`template: ${name}:1: template too deeply nested`, "parse");
      throw e;
    }
  }

  /** Runs the template on data; throws TemplateError on Go's execution errors. */
  execute(data: unknown, opts: ExecOptions = {}): string {
    return this.run(data, this.rowFuncs, opts);
  }

  /** Runs with docker's HeaderFunctions, as the table header row is made. */
  executeHeader(data: unknown, opts: ExecOptions = {}): string {
    return this.run(data, this.headerFuncs, opts);
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

export function parseTemplate(text: string, opts: ParseOptions = {}): Template {
  return Template.parse(text, opts);
}
