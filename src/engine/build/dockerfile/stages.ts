import type { Dockerfile, Stage } from "./dockerfile.js";
import { DockerfileError, SyntaxProblem } from "./errors.js";
import { lex } from "./shellLex.js";
import { parseRunMount } from "./runMount.js";

/**
 * Stage lookup and the stage graph: which stages a build needs (FROM <stage>, COPY --from,
 * RUN --mount from=, and the rule in stageDependencies), so the builder can skip the others
 * and run independent ones together.
 */

function fail(df: Dockerfile, detail: string, lines?: { startLine: number; endLine: number }): never {
  throw new DockerfileError(detail, detail, {
    fileName: df.fileName,
    ...(lines !== undefined && { line: lines.startLine, endLine: lines.endLine }),
  });
}

/** A stage by name (any case) or by index written as a number. */
export function findStage(df: Dockerfile, ref: string): Stage | undefined {
  const byName = df.stages.find((s) => s.name !== undefined && s.name === ref.toLowerCase());
  if (byName !== undefined) return byName;
  if (/^[0-9]+$/.test(ref)) return df.stages[Number(ref)];
  return undefined;
}

/** The `--target` stage (the last stage when no target is given). */
export function resolveTarget(df: Dockerfile, target?: string): Stage {
  if (target === undefined || target === "") return df.stages[df.stages.length - 1] as Stage;
  const stage = df.stages.find((s) => s.name !== undefined && s.name === target.toLowerCase());
  if (stage === undefined) fail(df, `failed to reach build target ${target} in Dockerfile`); // dockerd classic builder's text
  return stage;
}

/** The display name BuildKit uses: the stage name, or `stage-N`. */
export const stageLabel = (s: Stage) => s.name ?? `stage-${s.index}`;

/**
 * Values of the ARGs declared before the first FROM: `--build-arg` wins over the default,
 * defaults may use earlier global ARGs. An ARG without value and without build-arg is unset.
 */
export function globalArgValues(
  df: Dockerfile,
  buildArgs: Readonly<Record<string, string>> = {},
): Map<string, string> {
  const values = new Map<string, string>();
  for (const instr of df.globalArgs) {
    for (const arg of instr.args) {
      try {
        const lookup = (n: string) => values.get(n);
        const name = lex(arg.name, lookup, { escape: df.escapeChar }).result;
        if (Object.hasOwn(buildArgs, name)) values.set(name, buildArgs[name] as string);
        else if (arg.defaultValue !== undefined)
          values.set(name, lex(arg.defaultValue, lookup, { escape: df.escapeChar }).result);
      } catch (err) {
        if (err instanceof SyntaxProblem) fail(df, err.message, instr);
        throw err;
      }
    }
  }
  return values;
}

export interface StageNode {
  index: number;
  /** The FROM base: an earlier stage, or an image reference (expanded with the global ARGs). */
  base: { stage: number } | { image: string };
  /** Stages this one needs directly (base, COPY --from, RUN --mount from=), sorted. */
  needs: number[];
  /** Images named by COPY --from / RUN --mount from= that are not stages. */
  images: string[];
}

export interface StageGraph {
  target: Stage;
  nodes: StageNode[];
  /** Indexes of the stages that are built (see stageDependencies), in file order. */
  needed: number[];
  /** The needed stages in waves: each wave depends only on earlier waves. */
  waves: number[][];
}

export interface GraphOptions {
  target?: string;
  buildArgs?: Readonly<Record<string, string>>;
}

/**
 * The stage graph and the stages a build builds:
 * - with `--target`, the target and what it needs, nothing else (BuildKit);
 * - without, the final stage and what it needs, plus every stage without a name and what
 *   it needs. Nothing can refer to an unnamed stage by name, so its only use is the image
 *   whose ID the build prints: the classic builder builds it (the book's E06, two plain
 *   FROMs, shows both IDs). A named stage that nothing needs is skipped (BuildKit), so a
 *   broken or slow unused stage costs nothing.
 */
export function stageDependencies(df: Dockerfile, opts?: GraphOptions): StageGraph {
  const explicitTarget = opts?.target !== undefined && opts.target !== "";
  const target = resolveTarget(df, opts?.target);
  const meta = globalArgValues(df, opts?.buildArgs);
  const nodes = df.stages.map((s) => stageNode(df, s, meta));
  checkCycles(df, nodes);
  const needed = new Set<number>();
  const visit = (i: number) => {
    if (needed.has(i)) return;
    needed.add(i);
    for (const d of nodes[i]?.needs ?? []) visit(d);
  };
  visit(target.index);
  if (!explicitTarget) for (const s of df.stages) if (s.name === undefined) visit(s.index);
  const order = [...needed].sort((a, b) => a - b);
  const level = new Map<number, number>();
  const levelOf = (i: number): number => {
    const known = level.get(i);
    if (known !== undefined) return known;
    const l = Math.max(-1, ...(nodes[i]?.needs ?? []).map(levelOf)) + 1;
    level.set(i, l);
    return l;
  };
  const waves: number[][] = [];
  for (const i of order) (waves[levelOf(i)] ??= []).push(i);
  return { target, nodes, needed: order, waves };
}

function stageNode(df: Dockerfile, stage: Stage, meta: Map<string, string>): StageNode {
  let image: string;
  try {
    image = lex(stage.from.image, (n) => meta.get(n), { escape: df.escapeChar }).result;
  } catch (err) {
    if (err instanceof SyntaxProblem) fail(df, err.message, stage.from);
    throw err;
  }
  if (image === "") fail(df, `base name (${stage.from.image}) should not be blank`, stage.from);
  const needs = new Set<number>();
  const images = new Set<string>();
  const earlier = df.stages.find((s) => s.index < stage.index && s.name === image.toLowerCase());
  if (earlier !== undefined) needs.add(earlier.index);
  for (const instr of stage.instructions) {
    if (instr.kind === "copy" && instr.from !== undefined) {
      const from = instr.from;
      let same = false;
      try {
        same = lex(from, () => undefined, { escape: df.escapeChar }).result === from;
      } catch {
        same = false;
      }
      if (!same)
        fail(
          df,
          "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround",
          instr,
        );
      if (/^-?[0-9]+$/.test(from)) {
        const n = Number(from);
        if (n < 0 || n >= df.stages.length) fail(df, `invalid stage index ${from}`, instr);
        needs.add(n);
        continue;
      }
      const s = findStage(df, from);
      if (s !== undefined && s.name !== undefined) needs.add(s.index);
      else images.add(from);
    } else if (instr.kind === "run") {
      for (const spec of instr.mounts) {
        let from: string | undefined;
        try {
          from = parseRunMount(spec).from;
        } catch (err) {
          if (err instanceof SyntaxProblem) fail(df, err.message, instr);
          throw err;
        }
        if (from === undefined || from === "") continue;
        const s = df.stages.find((x) => x.name !== undefined && x.name === from.toLowerCase());
        if (s !== undefined) needs.add(s.index);
        else images.add(from);
      }
    }
  }
  return {
    index: stage.index,
    base: earlier !== undefined ? { stage: earlier.index } : { image },
    needs: [...needs].sort((a, b) => a - b),
    images: [...images],
  };
}

function checkCycles(df: Dockerfile, nodes: StageNode[]) {
  const state = new Map<number, "open" | "done">();
  const dfs = (i: number): boolean => {
    const st = state.get(i);
    if (st === "open") return true;
    if (st === "done") return false;
    state.set(i, "open");
    for (const d of nodes[i]?.needs ?? []) if (dfs(d)) return true;
    state.set(i, "done");
    return false;
  };
  for (const s of df.stages) {
    if (dfs(s.index)) fail(df, `circular dependency detected on stage: ${stageLabel(s)}`);
  }
}
