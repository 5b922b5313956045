/**
 * The parser of Go's text/template, following text/template/parse: the same
 * grammar, the same checks (undefined functions and variables, empty
 * pipelines, else/end placement) and the same error texts.
 */
import type {
  CommandNode,
  ControlNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  StringNode,
  TemplateNode,
  VariableNode,
} from "./ast.js";
import { nodeString } from "./ast.js";
import { goQuote } from "./goFmt.js";
import { type Token, lex } from "./lexer.js";
import { parseGoNumber, unquoteChar, unquoteString } from "./literals.js";

export class ParseError extends Error {}

export interface ParsedTemplate {
  root: ListNode;
  /** Templates from {{define}} and {{block}}, by name. */
  defs: Map<string, ListNode>;
}

type Marker = { type: "end"; pos: number } | { type: "else"; pos: number; line: number };

const eofToken: Token = { type: "eof", val: "", pos: 0, line: 1 };

export function parse(text: string, name: string, funcs: ReadonlySet<string>): ParsedTemplate {
  return new Parser(text, name, funcs).parseAll();
}

class Parser {
  private readonly tokens: Token[];
  private idx = 0;
  private line = 1;
  private vars: string[] = ["$"];
  private rangeDepth = 0;
  private actionLine = 0;
  private readonly defs = new Map<string, ListNode>();

  constructor(
    text: string,
    private readonly name: string,
    private readonly funcs: ReadonlySet<string>,
  ) {
    this.tokens = lex(text);
  }

  parseAll(): ParsedTemplate {
    const root: ListNode = { type: "list", pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== "eof") {
      if (this.peek().type === "leftDelim") {
        const save = this.idx;
        this.next();
        const t = this.nextNonSpace();
        if (t.type === "keyword" && t.val === "define") {
          this.parseDefinition();
          continue;
        }
        this.idx = save;
      }
      const n = this.textOrAction();
      if (n.type === "end") this.fail("unexpected {{end}}");
      if (n.type === "else") this.fail("unexpected {{else}}");
      root.nodes.push(n);
    }
    return { root, defs: this.defs };
  }

  private fail(msg: string): never {
    throw new ParseError(`template: ${this.name}:${this.line}: ${msg}`);
  }

  private next(): Token {
    const t = this.tokens[this.idx] ?? this.tokens[this.tokens.length - 1] ?? eofToken;
    if (this.idx < this.tokens.length) this.idx++;
    this.line = t.line;
    return t;
  }

  private backup(n = 1): void {
    this.idx -= n;
  }

  private peek(): Token {
    const t = this.tokens[this.idx] ?? this.tokens[this.tokens.length - 1] ?? eofToken;
    this.line = t.line;
    return t;
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === "space") t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  private isKeyword(t: Token, word: string): boolean {
    return t.type === "keyword" && t.val === word;
  }

  private tokenString(t: Token): string {
    if (t.type === "eof") return "EOF";
    if (t.type === "error") return t.val;
    if (t.type === "keyword" || t.type === "nil" || t.type === "dot") return `<${t.val}>`;
    const b = Buffer.from(t.val, "utf8");
    if (b.length > 10) return `${goQuoteShort(b.subarray(0, 10).toString("utf8"))}...`;
    return goQuoteShort(t.val);
  }

  private unexpected(t: Token, context: string): never {
    if (t.type === "error") {
      let extra = "";
      if (this.actionLine !== 0 && this.actionLine !== t.line) {
        extra = ` in ${context} starting at line ${this.actionLine}`;
        if (t.val.endsWith(" action")) extra = extra.slice(` in ${context}`.length);
      }
      this.fail(`${t.val}${extra}`);
    }
    this.fail(`unexpected ${this.tokenString(t)} in ${context}`);
  }

  private expect(type: Token["type"], context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  private parseDefinition(): void {
    const context = "define clause";
    const t = this.nextNonSpace();
    if (t.type !== "string" && t.type !== "rawString") this.unexpected(t, context);
    const name = this.unquote(t);
    this.expect("rightDelim", context);
    const saved = this.vars;
    this.vars = ["$"];
    const [list, end] = this.itemList();
    this.vars = saved;
    if (end.type !== "end") this.fail(`unexpected {{else}} in ${context}`);
    this.defs.set(name, list);
  }

  private textOrAction(): Node | Marker {
    const t = this.nextNonSpace();
    switch (t.type) {
      case "text":
        return { type: "text", pos: t.pos, text: t.val };
      case "leftDelim": {
        this.actionLine = t.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      case "comment":
        return { type: "list", pos: t.pos, nodes: [] };
      default:
        this.unexpected(t, "input");
    }
  }

  private itemList(): [ListNode, Marker] {
    const list: ListNode = { type: "list", pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().type !== "eof") {
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") return [list, n];
      list.nodes.push(n);
    }
    this.fail("unexpected EOF");
  }

  private action(): Node | Marker {
    const t = this.nextNonSpace();
    if (t.type === "keyword") {
      switch (t.val) {
        case "block":
          return this.blockControl();
        case "break":
        case "continue":
          return this.loopControl(t);
        case "else":
          return this.elseControl();
        case "end":
          this.expect("rightDelim", "end");
          return { type: "end", pos: t.pos };
        case "if":
        case "range":
        case "with":
          return this.control(t.val);
        case "template":
          return this.templateControl();
      }
    }
    this.backup();
    const start = this.peek();
    return { type: "action", pos: start.pos, line: start.line, pipe: this.pipeline("command", "rightDelim") };
  }

  private loopControl(t: Token): Node {
    const n = this.nextNonSpace();
    if (n.type !== "rightDelim") this.unexpected(n, `{{${t.val}}}`);
    if (this.rangeDepth === 0) this.fail(`{{${t.val}}} outside {{range}}`);
    return { type: t.val as "break" | "continue", pos: t.pos, line: t.line };
  }

  private elseControl(): Marker {
    const p = this.peekNonSpace();
    if (this.isKeyword(p, "if") || this.isKeyword(p, "with"))
      return { type: "else", pos: p.pos, line: p.line };
    const t = this.expect("rightDelim", "else");
    return { type: "else", pos: t.pos, line: t.line };
  }

  private control(context: "if" | "range" | "with"): ControlNode {
    const savedVars = this.vars.length;
    try {
      const pipe = this.pipeline(context, "rightDelim");
      if (context === "range") this.rangeDepth++;
      const [list, next] = this.itemList();
      if (context === "range") this.rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.type === "else") {
        const p = this.peek();
        if ((context === "if" || context === "with") && this.isKeyword(p, context)) {
          this.next();
          elseList = { type: "list", pos: next.pos, nodes: [this.control(context)] };
        } else {
          const [l, end] = this.itemList();
          if (end.type !== "end") this.fail("expected end; found {{else}}");
          elseList = l;
        }
      }
      return { type: context, pos: pipe.pos, line: pipe.line, pipe, list, elseList };
    } finally {
      this.vars.length = savedVars;
    }
  }

  private templateName(t: Token, context: string): string {
    if (t.type === "string" || t.type === "rawString") return this.unquote(t);
    this.unexpected(t, context);
  }

  private templateControl(): TemplateNode {
    const context = "template clause";
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== "rightDelim") {
      this.backup();
      pipe = this.pipeline(context, "rightDelim");
    }
    return { type: "template", pos: t.pos, line: t.line, name, pipe };
  }

  private blockControl(): TemplateNode {
    const context = "block clause";
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    const pipe = this.pipeline(context, "rightDelim");
    const saved = this.vars;
    this.vars = ["$"];
    const [list, end] = this.itemList();
    this.vars = saved;
    if (end.type !== "end") this.fail(`unexpected {{else}} in ${context}`);
    this.defs.set(name, list);
    return { type: "template", pos: t.pos, line: t.line, name, pipe };
  }

  private pipeline(context: string, end: "rightDelim" | "rightParen"): PipeNode {
    const start = this.peekNonSpace();
    const pipe: PipeNode = {
      type: "pipe",
      pos: start.pos,
      line: start.line,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== "variable") break;
      const save = this.idx;
      this.nextNonSpace();
      const after = this.peek();
      const nxt = this.peekNonSpace();
      if (nxt.type === "assign" || nxt.type === "declare") {
        pipe.isAssign = nxt.type === "assign";
        this.nextNonSpace();
        pipe.decl.push({ type: "variable", pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        break;
      }
      if (nxt.type === "char" && nxt.val === ",") {
        this.nextNonSpace();
        pipe.decl.push({ type: "variable", pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        if (context === "range" && pipe.decl.length < 2) {
          const p = this.peekNonSpace();
          if (p.type === "variable" || p.type === "rightDelim" || p.type === "rightParen") continue;
          this.fail("range can only initialize variables");
        }
        this.fail(`too many declarations in ${context}`);
      }
      void after;
      this.idx = save;
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (t.type) {
        case "bool":
        case "charConstant":
        case "dot":
        case "field":
        case "identifier":
        case "number":
        case "nil":
        case "rawString":
        case "string":
        case "variable":
        case "leftParen":
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const t = c.args[0]?.type;
      if (t === "bool" || t === "dot" || t === "nil" || t === "number" || t === "string") {
        this.fail(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: "command", pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.type === "space") continue;
      if (t.type === "rightDelim" || t.type === "rightParen") this.backup();
      else if (t.type !== "pipe") this.unexpected(t, "operand");
      break;
    }
    if (cmd.args.length === 0) this.fail("empty command");
    return cmd;
  }

  private operand(): Node | undefined {
    let node = this.term();
    if (!node) return undefined;
    if (this.peek().type === "field") {
      const chainPos = this.peek().pos;
      const fields: string[] = [];
      while (this.peek().type === "field") fields.push(this.next().val.slice(1));
      switch (node.type) {
        case "field":
          node = { type: "field", pos: chainPos, ident: [...node.ident, ...fields] };
          break;
        case "variable":
          node = { type: "variable", pos: chainPos, ident: [...node.ident, ...fields] };
          break;
        case "bool":
        case "string":
        case "number":
        case "nil":
        case "dot":
          this.fail(`unexpected . after term ${goQuoteShort(nodeString(node))}`);
          break;
        default:
          node = { type: "chain", pos: chainPos, node, field: fields };
      }
    }
    return node;
  }

  private term(): Node | undefined {
    const t = this.nextNonSpace();
    switch (t.type) {
      case "identifier":
        if (!this.funcs.has(t.val)) this.fail(`function ${goQuoteShort(t.val)} not defined`);
        return { type: "identifier", pos: t.pos, name: t.val };
      case "dot":
        return { type: "dot", pos: t.pos };
      case "nil":
        return { type: "nil", pos: t.pos };
      case "variable":
        return this.useVar(t);
      case "field":
        return { type: "field", pos: t.pos, ident: [t.val.slice(1)] };
      case "bool":
        return { type: "bool", pos: t.pos, value: t.val === "true" };
      case "charConstant":
      case "number":
        return this.number(t);
      case "leftParen":
        return this.pipeline("parenthesized pipeline", "rightParen");
      case "string":
      case "rawString":
        return { type: "string", pos: t.pos, quoted: t.val, text: this.unquote(t) } satisfies StringNode;
      default:
        this.backup();
        return undefined;
    }
  }

  private useVar(t: Token): VariableNode {
    const ident = t.val.split(".");
    const first = ident[0] ?? "";
    if (!this.vars.includes(first)) this.fail(`undefined variable ${goQuoteShort(first)}`);
    return { type: "variable", pos: t.pos, ident };
  }

  private number(t: Token): NumberNode {
    if (t.type === "charConstant") {
      const r = unquoteChar(t.val);
      if (r === "invalid") this.fail("invalid syntax");
      if (r === "malformed") this.fail(`malformed character constant: ${t.val}`);
      return { type: "number", pos: t.pos, text: t.val, isInt: true, isFloat: true, value: r };
    }
    const n = parseGoNumber(t.val);
    if (typeof n === "string") this.fail(n);
    return { type: "number", pos: t.pos, text: t.val, ...n };
  }

  private unquote(t: Token): string {
    if (t.type === "rawString") return t.val.slice(1, -1).replace(/\r/g, "");
    const s = unquoteString(t.val);
    if (s === undefined) this.fail("invalid syntax");
    return s;
  }
}

/** %q in parse errors. */
function goQuoteShort(s: string): string {
  return goQuote(s);
}
