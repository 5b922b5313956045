/**
 * One build: parse the Dockerfile, pick the stages to build (stageDependencies), build them
 * (independent stages together, wave by wave, their output kept in file order by StageOutput),
 * run ONBUILD triggers of base images, then tag the result.
 */
import { posix } from "node:path";
import { EngineError, invalid, isEngineError, notFound } from "../errors.js";
import { newHexId, type ImageId } from "../ids.js";
import { buildMessages } from "../messages.js";
import { familiarString, parseNormalizedNamed, withDefaultTag, type Image } from "../images/index.js";
import type { BuildCacheStore } from "./cache.js";
import type { BuildContext } from "./context.js";
import type { BuildDeps } from "./deps.js";
import { dispatch, type DispatchContext } from "./dispatch.js";
import {
  expandWord,
  findStage,
  globalArgValues,
  parseDockerfile,
  stageDependencies,
  type Dockerfile,
  type Instruction,
  type Stage,
} from "./dockerfile/index.js";
import type { BuildEmit } from "./events.js";
import { Executor } from "./executor.js";
import type { BuildOptions } from "./options.js";
import { authFor } from "./registryAuth.js";
import { predefinedArgs, stageFromImage, type StageState } from "./stage.js";
import { StageOutput } from "./stageOutput.js";

type Body = Exclude<Instruction, { kind: "from" }>;

export function checkPlatform(p: string): void {
  if (p === "" || p === "linux" || p === "linux/amd64" || p === "linux/x86_64") return;
  throw invalid(buildMessages.platform(p));
}

/** The body of a one-line Dockerfile fragment (ONBUILD triggers, --label). */
function parseLine(text: string, escapeChar: string): Body {
  const df = parseDockerfile(`# escape=${escapeChar}\nFROM scratch\n${text}\n`);
  const instr = df.stages[0]?.instructions[0];
  if (instr === undefined) throw invalid(`invalid instruction: ${text}`);
  return instr;
}

export const cacheMountsDir = (deps: BuildDeps) => deps.cacheMountsDir ?? `${deps.tmpDir}/cache-mounts`;

export class Build {
  private readonly results = new Map<number, Image | undefined>();
  private readonly mounted = new Map<string, string>();
  private readonly consumed = new Set<string>();
  private df!: Dockerfile;

  constructor(
    private readonly deps: BuildDeps,
    private readonly cache: BuildCacheStore,
    private readonly opts: BuildOptions,
    private readonly ctx: BuildContext,
    private readonly scratchDir: string,
  ) {}

  async run(emit: BuildEmit, signal?: AbortSignal): Promise<ImageId> {
    checkPlatform(this.opts.platform);
    const df = parseDockerfile(this.ctx.dockerfileText, {
      fileName: posix.basename(this.ctx.dockerfileName),
    });
    this.df = df;
    // Which stages are built: with --target only what it needs; without, the final stage, what
    // it needs and every unnamed stage (the rule and its reasons are in stageDependencies).
    const graph = stageDependencies(df, {
      ...(this.opts.target ? { target: this.opts.target } : {}),
      buildArgs: this.opts.buildArgs,
    });
    const labels = Object.keys(this.opts.labels).sort();
    if (labels.length > 0) {
      const line = labels.map((k) => `${JSON.stringify(k)}=${JSON.stringify(this.opts.labels[k])}`).join(" ");
      graph.target.instructions.push(parseLine(`LABEL ${line}`, df.escapeChar));
    }
    if (df.warnings.length > 0) {
      // dockerd's wording, on the build's stderr, before the first step.
      const text =
        df.warnings.map((w) => `[WARNING]: ${w.message}\n`).join("") +
        `[WARNING]: ${buildMessages.emptyContinuation}\n`;
      emit({ type: "output", stream: "stderr", data: Buffer.from(text) });
    }
    const globals = globalArgValues(df, this.opts.buildArgs);
    for (const a of df.globalArgs)
      for (const d of a.args) if (Object.hasOwn(this.opts.buildArgs, d.name)) this.consumed.add(d.name);
    // `Step n/total` counts the ARGs before the first FROM (printed first, as dockerd does), then
    // the steps of the stages built, in file order, skipped ones left out.
    let n = df.globalArgs.length;
    const firstStep = new Map<number, number>();
    for (const i of graph.needed) {
      firstStep.set(i, n + 1);
      n += 1 + (df.stages[i]?.instructions.length ?? 0);
    }
    const total = n;
    df.globalArgs.forEach((a, i) => emit({ type: "step", n: i + 1, total, text: a.original }));
    await this.resolveCacheFrom();
    const exec = new Executor(this.deps, this.opts, this.cache, this.cacheSources(), signal);
    const out = new StageOutput(graph.needed, emit);
    try {
      for (const wave of graph.waves) {
        const runs = wave.map((i) =>
          this.buildStage(
            df.stages[i] as Stage,
            exec,
            globals,
            firstStep.get(i) ?? 1,
            total,
            out.emitterFor(i),
          ).then(() => out.done(i)),
        );
        const settled = await Promise.allSettled(runs);
        const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
        if (failed) throw failed.reason;
      }
    } finally {
      await this.unmountAll();
    }
    const final = this.results.get(graph.target.index);
    if (final === undefined) throw invalid("No image was generated. Is your Dockerfile empty?");
    const unused = Object.keys(this.opts.buildArgs)
      .filter((k) => !this.consumed.has(k) && !predefinedArgs.has(k))
      .sort();
    if (unused.length > 0) emit({ type: "unused-args", names: unused });
    return final.id;
  }

  /** With --cache-from, only those images and their parents serve as cache. */
  private cacheSources(): Set<string> | undefined {
    if (this.opts.cacheFrom.length === 0) return undefined;
    const ids = new Set<string>();
    for (const id of this.opts.cacheFrom) {
      const img = this.deps.images.get(id as ImageId);
      const walk = (i: Image | undefined) => {
        while (i !== undefined && !ids.has(i.id)) {
          ids.add(i.id);
          i = i.parent === "" ? undefined : this.deps.images.get(i.parent as ImageId);
        }
      };
      walk(img);
    }
    return ids;
  }

  async resolveCacheFrom(): Promise<void> {
    const resolved: string[] = [];
    for (const ref of this.opts.cacheFrom) {
      try {
        resolved.push((await this.deps.images.resolve(ref)).id);
      } catch (err) {
        if (!isEngineError(err, "not-found")) throw err;
      }
    }
    this.opts.cacheFrom = resolved;
  }

  /**
   * A FROM or COPY --from image: the local one, else pulled (classic builder), or pulled again
   * with `--pull`. Pull progress goes to the build's output as `docker pull` prints it.
   */
  private async baseImage(ref: string, emit: BuildEmit): Promise<Image> {
    let local: Image | undefined;
    try {
      local = await this.deps.images.resolve(ref);
    } catch (err) {
      if (!isEngineError(err, "not-found")) throw err;
    }
    if (local !== undefined && !this.opts.pull) return local;
    const pull = this.deps.pull;
    if (pull === undefined) {
      if (local !== undefined) return local;
      throw notFound(buildMessages.pullNotSupported(ref));
    }
    const named = withDefaultTag(parseNormalizedNamed(ref));
    await pull(
      {
        image: familiarString(named),
        tag: "",
        ...(this.opts.platform !== "" ? { platform: this.opts.platform } : {}),
        ...authFor(this.opts.registryAuth, named.domain),
      },
      (event) => emit({ type: "pull", event }),
    );
    return this.deps.images.resolve(familiarString(named));
  }

  private async buildStage(
    stage: Stage,
    exec: Executor,
    globals: Map<string, string>,
    first: number,
    total: number,
    emit: BuildEmit,
  ): Promise<void> {
    let step = first;
    emit({ type: "step", n: step, total, text: stage.from.original });
    const from = expandWord(stage.from.image, globals, { escapeChar: this.df.escapeChar });
    if (stage.from.platform !== undefined)
      checkPlatform(expandWord(stage.from.platform, globals, { escapeChar: this.df.escapeChar }));
    const earlier = this.df.stages.find(
      (s) => s.index < stage.index && s.name !== undefined && s.name === from.toLowerCase(),
    );
    let base: Image | undefined;
    if (earlier !== undefined) base = this.results.get(earlier.index);
    else if (from.toLowerCase() !== "scratch") base = await this.baseImage(from, emit);
    const st = stageFromImage(stage.index, base);
    const d = this.dispatchContext(exec, emit, globals);
    const triggers = st.config.OnBuild ?? [];
    if (triggers.length > 0) {
      emit({ type: "triggers", count: triggers.length });
      st.config.OnBuild = [];
      for (const t of triggers) {
        const instr = parseLine(t, this.df.escapeChar);
        await dispatch(d, st, instr);
      }
    }
    emit({ type: "image", id: st.imageId });
    for (const instr of stage.instructions) {
      step++;
      emit({ type: "step", n: step, total, text: instr.original });
      await dispatch(d, st, instr);
      emit({ type: "image", id: st.imageId });
    }
    this.results.set(
      stage.index,
      st.imageId === "" ? undefined : this.deps.images.get(st.imageId as ImageId),
    );
  }

  private dispatchContext(exec: Executor, emit: BuildEmit, globals: Map<string, string>): DispatchContext {
    return {
      exec,
      emit,
      escapeChar: this.df.escapeChar,
      buildArgs: this.opts.buildArgs,
      globalArgs: globals,
      consumed: this.consumed,
      contextDir: this.ctx.dir,
      ...(this.ctx.known ? { contextKnown: this.ctx.known } : {}),
      scratchDir: this.scratchDir,
      cacheMountsDir: cacheMountsDir(this.deps),
      fromRoot: (from) => this.fromRoot(from, emit),
    };
  }

  /** The filesystem of a stage or image named by COPY --from, mounted once per build. */
  private async fromRoot(from: string, emit: BuildEmit): Promise<string> {
    const stage = /^[0-9]+$/.test(from) ? this.df.stages[Number(from)] : findStage(this.df, from);
    let img: Image | undefined;
    if (stage !== undefined && (stage.name !== undefined || /^[0-9]+$/.test(from)))
      img = this.results.get(stage.index);
    else
      img = await this.baseImage(from, emit).catch((err: unknown) => {
        // dockerd's wording for a --from that is neither a stage nor an image it can get.
        if (err instanceof EngineError)
          throw new EngineError(err.kind, `invalid from flag value ${from}: ${err.message}`, { cause: err });
        throw err;
      });
    const key = img?.id ?? "scratch";
    const known = this.mounted.get(key);
    if (known !== undefined) return known;
    const id = newHexId();
    const rw = this.deps.layers.rw;
    await rw.create(id, img?.chainId);
    const root = await rw.mount(id);
    this.mounted.set(key, root);
    this.mountIds.push(id);
    return root;
  }

  private readonly mountIds: string[] = [];

  private async unmountAll(): Promise<void> {
    for (const id of this.mountIds) await this.deps.layers.rw.remove(id).catch(() => undefined);
    this.mountIds.length = 0;
    this.mounted.clear();
  }
}

export type { StageState };
