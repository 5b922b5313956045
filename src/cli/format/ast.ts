/** The parse tree of a Go template, with Go's String() forms for error contexts. */

export type Node =
  | ListNode
  | TextNode
  | ActionNode
  | ControlNode
  | TemplateNode
  | LoopControlNode
  | PipeNode
  | CommandNode
  | FieldNode
  | VariableNode
  | ChainNode
  | IdentifierNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode;

interface Base {
  pos: number;
}
export interface ListNode extends Base {
  type: "list";
  nodes: Node[];
}
export interface TextNode extends Base {
  type: "text";
  text: string;
}
export interface ActionNode extends Base {
  type: "action";
  line: number;
  pipe: PipeNode;
}
/** if, range and with share a shape. */
export interface ControlNode extends Base {
  type: "if" | "range" | "with";
  line: number;
  pipe: PipeNode;
  list: ListNode;
  elseList?: ListNode;
}
export interface TemplateNode extends Base {
  type: "template";
  line: number;
  name: string;
  pipe?: PipeNode;
}
export interface LoopControlNode extends Base {
  type: "break" | "continue";
  line: number;
}
export interface PipeNode extends Base {
  type: "pipe";
  line: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode extends Base {
  type: "command";
  args: Node[];
}
export interface FieldNode extends Base {
  type: "field";
  ident: string[];
}
export interface VariableNode extends Base {
  type: "variable";
  ident: string[];
}
export interface ChainNode extends Base {
  type: "chain";
  node: Node;
  field: string[];
}
export interface IdentifierNode extends Base {
  type: "identifier";
  name: string;
}
export interface DotNode extends Base {
  type: "dot";
}
export interface NilNode extends Base {
  type: "nil";
}
export interface BoolNode extends Base {
  type: "bool";
  value: boolean;
}
export interface NumberNode extends Base {
  type: "number";
  text: string;
  isInt: boolean;
  /** Fits uint64 but not int64: executing it fails ("overflows int"). */
  isUint?: boolean;
  isFloat: boolean;
  value: number;
  /** Exact value of an int beyond 2^53. */
  big?: bigint;
}
export interface StringNode extends Base {
  type: "string";
  quoted: string;
  text: string;
}

/** Go's Node.String(), used in "executing ... at <…>". */
export function nodeString(n: Node): string {
  switch (n.type) {
    case "list":
      return n.nodes.map(nodeString).join("");
    case "text":
      return JSON.stringify(n.text);
    case "action":
      return `{{${nodeString(n.pipe)}}}`;
    case "if":
    case "range":
    case "with": {
      const e = n.elseList ? `{{else}}${nodeString(n.elseList)}` : "";
      return `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}${e}{{end}}`;
    }
    case "template":
      return `{{template ${JSON.stringify(n.name)}${n.pipe ? " " + nodeString(n.pipe) : ""}}}`;
    case "break":
    case "continue":
      return `{{${n.type}}}`;
    case "pipe": {
      let s = "";
      if (n.decl.length > 0) s = n.decl.map(nodeString).join(", ") + (n.isAssign ? " = " : " := ");
      return s + n.cmds.map(nodeString).join(" | ");
    }
    case "command":
      return n.args.map((a) => (a.type === "pipe" ? `(${nodeString(a)})` : nodeString(a))).join(" ");
    case "field":
      return n.ident.map((i) => "." + i).join("");
    case "variable":
      return n.ident.join(".");
    case "chain": {
      const inner = n.node.type === "pipe" ? `(${nodeString(n.node)})` : nodeString(n.node);
      return inner + n.field.map((f) => "." + f).join("");
    }
    case "identifier":
      return n.name;
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "bool":
      return String(n.value);
    case "number":
      return n.text;
    case "string":
      return n.quoted;
  }
}
