/**
 * The executor of Go's text/template (text/template/exec.go): walks the tree
 * with dot and a variable stack, evaluates pipelines, fields, variables and
 * function calls, and reports errors as Go does: `template: NAME:LINE:COL:
 * executing "NAME" at <NODE>: MESSAGE`.
 */
import type { CommandNode, ControlNode, ListNode, Node, PipeNode, TemplateNode } from "./ast.js";
import { nodeString } from "./ast.js";
import { FuncError, type FuncDef, type FuncMap, type ParamType } from "./funcs.js";
import {
  GoFloat,
  formatValue,
  goTypeName,
  isPlainObject,
  isTrue,
  kindOf,
  mapEntries,
  structTagOf,
} from "./values.js";

export class ExecError extends Error {
  /** What was written before the error (Go's writer keeps it). */
  partial = "";
}

/** Thrown by {{break}} / {{continue}} to the enclosing range. */
class LoopSignal {
  constructor(readonly kind: "break" | "continue") {}
}

export interface ExecOptions {
  /** Missing fields of struct-like objects print <no value> instead of failing (docker inspect's raw fallback). */
  lenientFields?: boolean;
  /** Type name of the top-level data in error texts. */
  typeName?: string;
}

const maxDepth = 1000;
const maxSteps = 10_000_000;

/** "Missing" marks an absent final pipeline value, distinct from undefined (<no value>). */
const missing = Symbol("missing");
type Value = unknown;
/** A pipeline's previous value passed as the last argument, or `missing`. */
type Final = unknown;

export class Executor {
  private out = "";
  private vars: { name: string; value: Value }[] = [];
  private depth = 0;
  private steps = 0;
  private atNode: Node | undefined;
  private tmplName: string;

  constructor(
    private readonly text: string,
    private readonly name: string,
    private readonly defs: ReadonlyMap<string, ListNode>,
    private readonly funcs: FuncMap,
    private readonly opts: ExecOptions,
  ) {
    this.tmplName = name;
  }

  run(root: ListNode, data: Value): string {
    this.vars = [{ name: "$", value: data }];
    try {
      this.walk(data, root);
    } catch (e) {
      if (e instanceof ExecError) e.partial = this.out;
      throw e;
    }
    return this.out;
  }

  private fail(msg: string): never {
    const n = this.atNode;
    if (!n) throw new ExecError(`template: ${this.tmplName}: ${msg}`);
    const before = Buffer.from(this.text, "utf8").subarray(0, n.pos).toString("utf8");
    const line = before.split("\n").length;
    const lastNl = before.lastIndexOf("\n");
    const col = Buffer.byteLength(before.slice(lastNl + 1), "utf8");
    const ctx = nodeString(n);
    throw new ExecError(
      `template: ${this.name}:${line}:${col}: executing ${JSON.stringify(this.tmplName)} at <${ctx}>: ${msg}`,
    );
  }

  private step(): void {
    if (++this.steps > maxSteps) this.fail("execution took too many steps");
  }

  private walk(dot: Value, node: Node): void {
    this.step();
    switch (node.type) {
      case "action": {
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.print(node, v);
        return;
      }
      case "break":
      case "continue":
        throw new LoopSignal(node.type);
      case "if":
      case "with":
        return this.walkIfOrWith(dot, node);
      case "list":
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case "range":
        return this.walkRange(dot, node);
      case "template":
        return this.walkTemplate(dot, node);
      case "text":
        this.out += node.text;
        return;
      default:
        this.atNode = node;
        this.fail(`unknown node: ${nodeString(node)}`);
    }
  }

  private print(node: Node, v: Value): void {
    this.atNode = node;
    if (typeof v === "function") this.fail(`can't print ${nodeString(node)} of type func`);
    this.out += formatValue(v);
  }

  private walkIfOrWith(dot: Value, node: ControlNode): void {
    const mark = this.vars.length;
    try {
      const v = this.evalPipeline(dot, node.pipe);
      if (isTrue(v)) this.walk(node.type === "with" ? v : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.vars.length = mark;
    }
  }

  private walkRange(dot: Value, node: ControlNode): void {
    this.atNode = node;
    const mark = this.vars.length;
    try {
      const v = this.evalPipeline(dot, node.pipe);
      const inner = this.vars.length;
      const decl = node.pipe.decl;
      const one = (index: Value, elem: Value): boolean => {
        this.step();
        if (decl.length > 0) {
          const last = this.vars[inner - 1];
          if (node.pipe.isAssign) this.setVar(decl[0]?.ident[0] ?? "", decl.length > 1 ? index : elem);
          else if (last) last.value = elem;
        }
        if (decl.length > 1) {
          if (node.pipe.isAssign) this.setVar(decl[1]?.ident[0] ?? "", elem);
          else {
            const first = this.vars[inner - 2];
            if (first) first.value = index;
          }
        }
        try {
          this.walk(elem, node.list);
        } catch (e) {
          if (e instanceof LoopSignal) return e.kind === "continue";
          throw e;
        } finally {
          this.vars.length = inner;
        }
        return true;
      };
      let iterated = false;
      switch (kindOf(v)) {
        case "slice":
          for (const [i, e] of (v as unknown[]).entries()) {
            iterated = true;
            if (!one(i, e)) break;
          }
          break;
        case "map":
          for (const [k, e] of mapEntries(v)) {
            iterated = true;
            if (!one(k, e)) break;
          }
          break;
        case "int": {
          if (decl.length > 1)
            this.fail(`can't use ${formatValue(v)} to iterate over more than one variable`);
          const n = Number(v);
          for (let i = 0; i < n; i++) {
            iterated = true;
            if (!one(i, i)) break;
          }
          break;
        }
        case "invalid":
        case "nil":
          break;
        default:
          this.fail(`range can't iterate over ${formatValue(v)}`);
      }
      if (!iterated && node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.vars.length = mark;
    }
  }

  private walkTemplate(dot: Value, node: TemplateNode): void {
    this.atNode = node;
    const tmpl = this.defs.get(node.name);
    if (!tmpl) this.fail(`template ${JSON.stringify(node.name)} not defined`);
    const d = node.pipe ? this.evalPipeline(dot, node.pipe) : undefined;
    if (++this.depth > maxDepth) this.fail(`exceeded maximum template depth (${maxDepth})`);
    const saved = { vars: this.vars, name: this.tmplName };
    this.vars = [{ name: "$", value: d }];
    this.tmplName = node.name;
    try {
      this.walk(d, tmpl);
    } finally {
      this.vars = saved.vars;
      this.tmplName = saved.name;
      this.depth--;
    }
  }

  private setVar(name: string, value: Value): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v && v.name === name) {
        v.value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  private varValue(name: string): Value {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v && v.name === name) return v.value;
    }
    this.fail(`undefined variable: ${name}`);
  }

  private evalPipeline(dot: Value, pipe: PipeNode): Value {
    this.atNode = pipe;
    let value: Final = missing;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    const v = value === missing ? undefined : value;
    for (const d of pipe.decl) {
      if (pipe.isAssign) this.setVar(d.ident[0] ?? "", v);
      else this.vars.push({ name: d.ident[0] ?? "", value: v });
    }
    return v;
  }

  private notAFunction(args: Node[], final: Final): void {
    const first = args[0];
    if (first && (args.length > 1 || final !== missing)) {
      this.fail(`can't give argument to non-function ${nodeString(first)}`);
    }
  }

  private evalCommand(dot: Value, cmd: CommandNode, final: Final): Value {
    const first = cmd.args[0];
    if (!first) this.fail("empty command");
    this.step();
    switch (first.type) {
      case "field":
        this.atNode = first;
        return this.evalFieldChain(dot, dot, first, first.ident, cmd.args, final);
      case "chain": {
        this.atNode = first;
        if (first.node.type === "nil") this.fail(`indirection through explicit nil in ${nodeString(first)}`);
        const recv = this.evalArg(dot, "any", first.node);
        return this.evalFieldChain(dot, recv, first, first.field, cmd.args, final);
      }
      case "identifier":
        return this.evalFunction(dot, first.name, first, cmd, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case "variable": {
        this.atNode = first;
        const value = this.varValue(first.ident[0] ?? "");
        if (first.ident.length === 1) {
          this.notAFunction(cmd.args, final);
          return value;
        }
        return this.evalFieldChain(dot, value, first, first.ident.slice(1), cmd.args, final);
      }
      default:
        break;
    }
    this.atNode = first;
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        this.fail("nil is not a command");
        break;
      case "number":
        return this.idealConstant(first);
      case "string":
        return first.text;
      default:
        break;
    }
    this.fail(`can't evaluate command ${JSON.stringify(nodeString(first))}`);
  }

  private idealConstant(n: Extract<Node, { type: "number" }>): Value {
    this.atNode = n;
    const isHexInt = /^[+-]?0[xX][0-9a-fA-F_]+$/.test(n.text);
    if (n.isFloat && !isHexInt && !n.text.startsWith("'") && /[.eEpP]/.test(n.text))
      return new GoFloat(n.value);
    if (n.isInt) return n.big ?? n.value;
    if (n.isUint) this.fail(`${n.text} overflows int`);
    return new GoFloat(n.value);
  }

  private evalFieldChain(
    dot: Value,
    receiver: Value,
    node: Node,
    ident: string[],
    args: Node[],
    final: Final,
  ): Value {
    let r = receiver;
    for (let i = 0; i < ident.length - 1; i++) r = this.evalField(dot, ident[i] ?? "", node, [], missing, r);
    return this.evalField(dot, ident[ident.length - 1] ?? "", node, args, final, r);
  }

  private evalField(
    dot: Value,
    field: string,
    node: Node,
    args: Node[],
    final: Final,
    receiver: Value,
  ): Value {
    if (receiver === undefined) return undefined;
    if (receiver === null) this.fail(`nil pointer evaluating ${this.typeName(receiver)}.${field}`);
    const hasArgs = args.length > 1 || final !== missing;
    const k = kindOf(receiver);
    if (k === "map" || k === "struct") {
      const obj = receiver as Record<string, unknown> | Map<unknown, unknown>;
      const has = obj instanceof Map ? obj.has(field) : Object.hasOwn(obj, field) || field in obj;
      const value = obj instanceof Map ? obj.get(field) : obj[field];
      if (has && typeof value === "function") {
        return this.evalCall(dot, value as (...a: unknown[]) => unknown, node, field, args, final, obj);
      }
      if (has && !(typeof value === "function")) {
        if (hasArgs) {
          this.fail(
            k === "map"
              ? `${field} is not a method but has arguments`
              : `${field} has arguments but cannot be invoked as function`,
          );
        }
        return value;
      }
      if (k === "map" || this.opts.lenientFields) {
        if (hasArgs) this.fail(`${field} is not a method but has arguments`);
        return undefined;
      }
    }
    this.fail(`can't evaluate field ${field} in type ${this.typeName(receiver)}`);
  }

  private typeName(v: Value): string {
    if (v === null) return "interface {}";
    if (v === this.vars[0]?.value && this.opts.typeName && !structTagOf(v as object))
      return this.opts.typeName;
    if (isPlainObject(v) && kindOf(v) === "struct" && !structTagOf(v)) return this.opts.typeName ?? "struct";
    return goTypeName(v);
  }

  /** Calls a method-like JS function found on an object (docker's context methods). */
  private evalCall(
    dot: Value,
    f: (...a: unknown[]) => unknown,
    node: Node,
    name: string,
    args: Node[],
    final: Final,
    self: unknown,
  ): Value {
    const argNodes = args.slice(1);
    const n = argNodes.length + (final !== missing ? 1 : 0);
    if (n !== f.length) this.fail(`wrong number of args for ${name}: want ${f.length} got ${n}`);
    const argv = argNodes.map((a) => this.evalArg(dot, "any", a));
    if (final !== missing) argv.push(final);
    try {
      return f.apply(self, argv);
    } catch (e) {
      this.atNode = node;
      this.fail(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private evalFunction(dot: Value, name: string, node: Node, cmd: Node, args: Node[], final: Final): Value {
    this.atNode = node;
    const def = this.funcs.get(name);
    if (!def) this.fail(`${JSON.stringify(name)} is not a defined function`);
    return this.callFunc(dot, def, name, cmd, args.slice(1), final);
  }

  private callFunc(dot: Value, def: FuncDef, name: string, cmd: Node, argNodes: Node[], final: Final): Value {
    const numIn = argNodes.length + (final !== missing ? 1 : 0);
    if (def.variadic) {
      if (numIn < def.params.length) {
        this.fail(
          `wrong number of args for ${name}: want at least ${def.params.length} got ${argNodes.length}`,
        );
      }
    } else if (numIn !== def.params.length) {
      this.fail(`wrong number of args for ${name}: want ${def.params.length} got ${numIn}`);
    }
    const typeAt = (i: number): ParamType => def.params[i] ?? def.variadic ?? "any";
    if (def.lazy) {
      let v: Value = undefined;
      for (const a of argNodes) {
        v = this.evalArg(dot, "any", a, true);
        if (isTrue(v) === (def.lazy === "or")) return v;
      }
      return final !== missing ? final : v;
    }
    const argv = argNodes.map((a, i) => this.evalArg(dot, typeAt(i), a, def.reflectArgs));
    if (final !== missing) argv.push(this.validateType(final, typeAt(argv.length)));
    if (name === "call" && typeof argv[0] !== "function") {
      this.atNode = cmd;
      const what = argNodes[0] ? nodeString(argNodes[0]) : "";
      this.fail(`error calling call: non-function ${what} of type ${goTypeName(argv[0])}`);
    }
    try {
      return def.call(argv);
    } catch (e) {
      this.atNode = cmd;
      if (e instanceof ExecError) throw e;
      this.fail(
        `error calling ${name}: ${e instanceof FuncError || e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  private evalArg(dot: Value, type: ParamType, n: Node, reflectArgs = false): Value {
    this.atNode = n;
    switch (n.type) {
      case "dot":
        return this.validateType(dot, type);
      case "nil":
        // Builtins taking reflect.Value see a literal nil as the invalid value.
        if (type === "any") return reflectArgs ? undefined : null;
        if (type === "strings") return null;
        this.fail(`cannot assign nil to ${goParamName(type)}`);
        break;
      case "field":
        return this.validateType(this.evalFieldChain(dot, dot, n, n.ident, [n], missing), type);
      case "variable":
      case "pipe":
      case "identifier":
      case "chain": {
        const cmd: CommandNode = { type: "command", pos: n.pos, args: [n] };
        const v = n.type === "pipe" ? this.evalPipeline(dot, n) : this.evalCommand(dot, cmd, missing);
        return this.validateType(v, type);
      }
      default:
        break;
    }
    switch (type) {
      case "string":
        if (n.type === "string") return n.text;
        this.fail(`expected string; found ${nodeString(n)}`);
        break;
      case "int":
        if (n.type === "number" && n.isInt) return n.big ?? n.value;
        this.fail(`expected integer; found ${nodeString(n)}`);
        break;
      case "strings":
        this.fail(`can't handle ${nodeString(n)} for arg of type []string`);
        break;
      case "any":
        if (n.type === "bool") return n.value;
        if (n.type === "string") return n.text;
        if (n.type === "number") return this.idealConstant(n);
        break;
    }
    this.fail(`can't handle ${nodeString(n)} for arg of type ${goParamName(type)}`);
  }

  private validateType(v: Value, type: ParamType): Value {
    if (type === "any") return v;
    if (v === undefined) this.fail(`invalid value; expected ${goParamName(type)}`);
    const ok =
      (type === "string" && typeof v === "string") ||
      (type === "int" && kindOf(v) === "int") ||
      (type === "strings" && Array.isArray(v) && v.every((e) => typeof e === "string")) ||
      (type === "strings" && v === null);
    if (!ok) this.fail(`wrong type for value; expected ${goParamName(type)}; got ${goTypeName(v)}`);
    return type === "int" ? Number(v) : v;
  }
}

function goParamName(t: ParamType): string {
  return t === "strings" ? "[]string" : t === "any" ? "interface {}" : t;
}
