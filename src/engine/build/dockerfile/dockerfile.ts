import { DockerfileError, SyntaxProblem } from "./errors.js";
import { toInstruction } from "./instructions.js";
import { LocatedProblem, parseText, type ParseWarning } from "./parser.js";
import type { ArgInstruction, FromInstruction, Instruction } from "./types.js";

/**
 * parseDockerfile: text → directives, global ARGs and stages, or a DockerfileError worded as
 * Docker words it. Nothing is expanded or run here.
 */
export interface Stage {
  /** Position in the file, 0-based (`COPY --from=0`). */
  index: number;
  /** `AS name`, lower-cased; undefined for unnamed stages. */
  name?: string;
  from: FromInstruction;
  /** The instructions after FROM, in order. */
  instructions: Exclude<Instruction, FromInstruction>[];
}

export interface Dockerfile {
  fileName: string;
  directives: { syntax?: string; escape?: string; check?: string };
  escapeChar: string;
  /** ARG instructions before the first FROM (usable in FROM lines only). */
  globalArgs: ArgInstruction[];
  stages: Stage[];
  /** Non-fatal findings (empty continuation lines), Docker prints them as `[WARNING]: …`. */
  warnings: ParseWarning[];
}

export interface ParseOptions {
  /** Name used in messages; `Dockerfile` by default. */
  fileName?: string;
}

export function parseDockerfile(text: string, opts?: ParseOptions): Dockerfile {
  const fileName = opts?.fileName ?? "Dockerfile";
  if (text.length === 0) {
    const detail = `the Dockerfile (${fileName}) cannot be empty`;
    throw new DockerfileError(detail, detail, { fileName });
  }
  let parsed: ReturnType<typeof parseText>;
  try {
    parsed = parseText(text);
  } catch (err) {
    if (!(err instanceof LocatedProblem)) throw err;
    throw new DockerfileError(`failed to parse ${fileName}: ${err.message}`, err.message, {
      fileName,
      line: err.startLine,
      endLine: err.endLine,
    });
  }
  const globalArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  for (const node of parsed.nodes) {
    const where = { fileName, line: node.startLine, endLine: node.endLine };
    let instr: Instruction;
    try {
      instr = toInstruction(node);
    } catch (err) {
      if (!(err instanceof SyntaxProblem)) throw err;
      throw new DockerfileError(
        `dockerfile parse error on line ${node.startLine}: ${err.message}`,
        err.message,
        where,
      );
    }
    if (instr.kind === "from") {
      stages.push({
        index: stages.length,
        ...(instr.stageName !== undefined && { name: instr.stageName }),
        from: instr,
        instructions: [],
      });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (stage === undefined) {
      if (instr.kind === "arg") {
        globalArgs.push(instr);
        continue;
      }
      const detail = "no build stage in current context";
      throw new DockerfileError(detail, detail, where);
    }
    stage.instructions.push(instr);
  }
  if (stages.length === 0) {
    const detail = "dockerfile contains no stages to build";
    throw new DockerfileError(detail, detail, { fileName });
  }
  const directives: Dockerfile["directives"] = {};
  for (const d of parsed.directives) directives[d.name] = d.value;
  return {
    fileName,
    directives,
    escapeChar: parsed.escapeChar,
    globalArgs,
    stages,
    warnings: parsed.warnings,
  };
}
