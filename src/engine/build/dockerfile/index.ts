/**
 * The Dockerfile language: text → typed instructions grouped in stages, with Docker's
 * (BuildKit's) parsing rules and error texts, plus the word expansion the builder applies
 * at each step. Pure: nothing here touches files, images or processes.
 *
 * Glossary
 * - instruction: one logical line (continuations joined) and its heredoc bodies, typed by
 *   `kind` (from, run, copy…). Word fields keep the text as written; expansion happens per step.
 * - directive: `# syntax=`, `# escape=`, `# check=` comment lines at the very top of the file.
 * - escape character: `\` or `` ` `` (escape directive); it continues lines and escapes words.
 * - exec form / shell form: a JSON array of strings, or the rest of the line for the shell.
 *   Invalid JSON silently means shell form, as in Docker.
 * - heredoc: `<<EOF` … `EOF` body attached to RUN, or a COPY/ADD source.
 * - stage: a FROM and the instructions up to the next FROM; `index` is its 0-based position.
 * - global ARG: an ARG before the first FROM; it can be used in FROM lines only.
 * - expansion: `$a`, `${a:-b}`, `${a#p}`… over the ENV + ARG values in scope (expandWord).
 */
export { DockerfileError, SyntaxProblem } from "./errors.js";
export { parseDockerfile, type Dockerfile, type ParseOptions, type Stage } from "./dockerfile.js";
export type { ParseWarning } from "./parser.js";
export type * from "./types.js";
export {
  expandWord,
  expandWords,
  expandHeredoc,
  expandInstruction,
  type ExpandEnv,
  type ExpandOptions,
} from "./expand.js";
export {
  findStage,
  resolveTarget,
  stageLabel,
  globalArgValues,
  stageDependencies,
  type StageGraph,
  type StageNode,
  type GraphOptions,
} from "./stages.js";
export { parseRunMount, type RunMount, type MountType, type MountSharing } from "./runMount.js";
export { chompHeredoc } from "./heredoc.js";
