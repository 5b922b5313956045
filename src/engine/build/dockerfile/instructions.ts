import { trimSpace } from "./chars.js";
import { parseGoDuration } from "./duration.js";
import { goQuote, SyntaxProblem } from "./errors.js";
import { parseFlags } from "./flags.js";
import { toHeredoc } from "./heredoc.js";
import type { LocatedNode } from "./parser.js";
import { parseRunMount } from "./runMount.js";
import { withSuggestion } from "./suggest.js";
import type * as T from "./types.js";
import { transferInstruction } from "./transfer.js";

/**
 * Checks one parsed node and builds its typed instruction, with BuildKit's rules and texts
 * (instructions/parse.go). Throws SyntaxProblem; the caller adds the line.
 */
const keywords = [
  "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
  "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
]; // prettier-ignore

const atLeastOne = (cmd: string) => new SyntaxProblem(`${cmd} requires at least one argument`);
const exactlyOne = (cmd: string) => new SyntaxProblem(`${cmd} requires exactly one argument`);
const noFlags = (node: LocatedNode) => parseFlags(node.flags, {});

export function toInstruction(node: LocatedNode): T.Instruction {
  const c: T.Common = {
    keyword: node.keyword,
    original: trimSpace(node.original),
    startLine: node.startLine,
    endLine: node.endLine,
  };
  const args = node.args;
  const kind = node.keyword.toLowerCase();
  switch (kind) {
    case "env":
      noFlags(node);
      return { ...c, kind, env: keyValues(args, "ENV") };
    case "label":
      noFlags(node);
      return { ...c, kind, labels: keyValues(args, "LABEL") };
    case "maintainer":
      if (args.length !== 1) throw exactlyOne("MAINTAINER");
      noFlags(node);
      return { ...c, kind, maintainer: args[0] as string };
    case "add":
    case "copy":
      return transferInstruction(node, c, kind);
    case "from":
      return fromInstruction(node, c);
    case "onbuild":
      return onbuildInstruction(node, c);
    case "workdir":
    case "user": {
      if (args.length !== 1) throw exactlyOne(kind.toUpperCase());
      noFlags(node);
      const word = args[0] as string;
      return kind === "user" ? { ...c, kind, user: word } : { ...c, kind, path: word };
    }
    case "run":
      return runInstruction(node, c);
    case "cmd":
    case "entrypoint":
      noFlags(node);
      return { ...c, kind, command: commandLine(args, node.json) };
    case "healthcheck":
      return { ...c, kind, health: healthcheck(node) };
    case "expose":
      if (args.length === 0) throw atLeastOne("EXPOSE");
      noFlags(node);
      return { ...c, kind, ports: [...args].sort() };
    case "volume": {
      if (args.length === 0) throw atLeastOne("VOLUME");
      noFlags(node);
      const paths = args.map((a) => trimSpace(a));
      if (paths.includes("")) throw new SyntaxProblem("VOLUME specified can not be an empty string");
      return { ...c, kind, paths };
    }
    case "stopsignal":
      // BuildKit does not check STOPSIGNAL's flags.
      if (args.length !== 1) throw exactlyOne("STOPSIGNAL");
      return { ...c, kind, signal: args[0] as string };
    case "arg":
      return { ...c, kind, args: argDeclarations(args) };
    case "shell": {
      noFlags(node);
      if (args.length === 0) throw atLeastOne("SHELL");
      if (!node.json) throw new SyntaxProblem("SHELL requires the arguments to be in JSON form");
      return { ...c, kind, shell: [...args] };
    }
    default:
      throw new SyntaxProblem(
        withSuggestion(`unknown instruction: ${node.keyword}`, node.keyword, keywords, false),
      );
  }
}

function keyValues(args: readonly string[], cmd: string): T.KeyValue[] {
  if (args.length === 0) throw atLeastOne(cmd);
  if (args.length % 3 !== 0) throw new SyntaxProblem(`Bad input to ${cmd}, too many arguments`);
  const out: T.KeyValue[] = [];
  for (let j = 0; j < args.length; j += 3) {
    const key = args[j] as string;
    if (key === "") throw new SyntaxProblem(`${cmd} names can not be blank`);
    out.push({ key, value: args[j + 1] as string, legacy: args[j + 2] === "" });
  }
  return out;
}

export function commandLine(args: readonly string[], json: boolean): T.CommandLine {
  return json ? { form: "exec", args: [...args] } : { form: "shell", command: args.join(" ") };
}

const stageNameRe = /^[a-z][a-z0-9-_.]*$/;

function fromInstruction(node: LocatedNode, c: T.Common): T.FromInstruction {
  const args = node.args;
  let stageName: string | undefined;
  if (args.length === 3 && (args[1] as string).toLowerCase() === "as") {
    stageName = (args[2] as string).toLowerCase();
    if (!stageNameRe.test(stageName))
      throw new SyntaxProblem(
        `invalid name for build stage: ${goQuote(args[2] as string)}, name can't start with a number or contain symbols`,
      );
  } else if (args.length !== 1) throw new SyntaxProblem("FROM requires either one or three arguments");
  const flags = parseFlags(node.flags, { platform: "string" });
  const platform = flags.values.get("platform");
  return {
    ...c,
    kind: "from",
    image: args[0] as string,
    ...(stageName !== undefined && { stageName }),
    ...(platform ? { platform } : {}),
  };
}

function onbuildInstruction(node: LocatedNode, c: T.Common): T.OnbuildInstruction {
  if (node.sub === undefined) throw atLeastOne("ONBUILD");
  noFlags(node);
  const trigger = trimSpace(node.sub.keyword).toUpperCase();
  if (trigger === "ONBUILD") throw new SyntaxProblem("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if (trigger === "MAINTAINER" || trigger === "FROM")
    throw new SyntaxProblem(`${trigger} isn't allowed as an ONBUILD trigger`);
  let expression = node.original.replace(/^[\t\n\f\r ]*ONBUILD[\t\n\f\r ]*/i, "");
  for (const h of node.heredocs) expression += "\n" + h.content + h.name;
  return { ...c, kind: "onbuild", expression, trigger };
}

function runInstruction(node: LocatedNode, c: T.Common): T.RunInstruction {
  const flags = parseFlags(node.flags, {
    device: "strings",
    mount: "strings",
    network: "string",
    security: "string",
  });
  const devices = flags.lists.get("device") ?? [];
  for (const d of devices) checkDevice(d);
  const mounts = flags.lists.get("mount") ?? [];
  for (const m of mounts) parseRunMount(m);
  const network = flags.values.get("network") ?? "default";
  if (network !== "default" && network !== "none" && network !== "host")
    throw new SyntaxProblem(`invalid network mode ${goQuote(network)}`);
  const security = flags.values.get("security") ?? "sandbox";
  if (security !== "sandbox" && security !== "insecure")
    throw new SyntaxProblem(`security ${goQuote(security)} is not valid`);
  return {
    ...c,
    kind: "run",
    command: commandLine(node.args, node.json),
    heredocs: node.heredocs.map(toHeredoc),
    mounts,
    network,
    security,
    devices,
    flagsUsed: flags.used,
  };
}

/** `--device=name[,required[=bool]]`, checked like BuildKit's ParseDevice. */
function checkDevice(spec: string) {
  let name = "";
  for (const field of spec.split(",")) {
    const eq = field.indexOf("=");
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0 && key === "required") continue;
    if (key === "name" && eq >= 0) {
      if (name !== "") throw new SyntaxProblem(`device name already set to ${name}`);
      name = field.slice(eq + 1);
    } else if (key === "required") {
      const v = field.slice(eq + 1);
      if (!["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"].includes(v))
        throw new SyntaxProblem(`invalid value for ${key}: ${v}`);
    } else if (name === "") name = field;
    else if (eq < 0) throw new SyntaxProblem(`invalid field '${field}' must be a key=value pair`);
    else
      throw new SyntaxProblem(
        withSuggestion(`unexpected key '${key}' in '${field}'`, key, ["name", "required"], true),
      );
  }
}

function healthcheck(node: LocatedNode): T.HealthcheckSpec {
  const args = node.args;
  if (args.length === 0) throw atLeastOne("HEALTHCHECK");
  const typ = (args[0] as string).toUpperCase();
  const rest = args.slice(1);
  if (typ === "NONE") {
    if (rest.length !== 0) throw new SyntaxProblem("HEALTHCHECK NONE takes no arguments");
    return { type: "none" };
  }
  const flags = parseFlags(node.flags, {
    interval: "string",
    timeout: "string",
    "start-period": "string",
    "start-interval": "string",
    retries: "string",
  });
  if (typ !== "CMD") throw new SyntaxProblem(`Unknown type ${goQuote(typ)} in HEALTHCHECK (try CMD)`);
  const cmd = node.json ? rest : rest.length === 0 ? [] : [rest.join(" ")];
  if (cmd.length === 0) throw new SyntaxProblem("Missing command after HEALTHCHECK CMD");
  const interval = (name: string) => {
    const v = flags.values.get(name) ?? "";
    if (v === "") return 0;
    const d = parseGoDuration(v);
    if (d !== 0 && d < 1e6) throw new SyntaxProblem(`Interval ${goQuote(name)} cannot be less than 1ms`);
    return d;
  };
  const health = {
    type: "cmd" as const,
    test: [node.json ? "CMD" : "CMD-SHELL", ...cmd],
    interval: interval("interval"),
    timeout: interval("timeout"),
    startPeriod: interval("start-period"),
    startInterval: interval("start-interval"),
    retries: 0,
  };
  const retries = flags.values.get("retries") ?? "";
  if (retries !== "") {
    if (!/^[+-]?[0-9]+$/.test(retries))
      throw new SyntaxProblem(`strconv.ParseInt: parsing ${goQuote(retries)}: invalid syntax`);
    const n = Number(retries);
    if (n > 2147483647 || n < -2147483648)
      throw new SyntaxProblem(`strconv.ParseInt: parsing ${goQuote(retries)}: value out of range`);
    if (n < 0) throw new SyntaxProblem(`--retries cannot be negative (${n})`);
    health.retries = n;
  }
  return health;
}

function argDeclarations(args: readonly string[]): T.ArgDeclaration[] {
  // BuildKit does not check ARG's flags.
  if (args.length === 0) throw atLeastOne("ARG");
  return args.map((arg) => {
    const eq = arg.indexOf("=");
    if (eq < 0) return { name: arg };
    if (eq === 0) throw new SyntaxProblem("ARG names can not be blank");
    return { name: arg.slice(0, eq), defaultValue: arg.slice(eq + 1) };
  });
}
