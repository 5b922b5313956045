import { DockerfileError, SyntaxProblem } from "./errors.js";
import { lex, type EnvLookup } from "./shellLex.js";
import type { Heredoc, Instruction } from "./types.js";

/**
 * Builder-side variable expansion (`$a`, `${a:-b}`, `${a#p}`…, quotes, escapes), the API the
 * builder calls step by step with the ENV + ARG values in scope at that step.
 */

/** Variables in scope: a Map, a plain object, or Docker's `K=V` list (last one wins). */
export type ExpandEnv = ReadonlyMap<string, string> | Readonly<Record<string, string>> | readonly string[];

export interface ExpandOptions {
  /** The Dockerfile's escape character (`Dockerfile.escapeChar`); backslash by default. */
  escapeChar?: string;
  fileName?: string;
}

export function envLookup(env: ExpandEnv): EnvLookup {
  if (env instanceof Map) return (name) => env.get(name);
  if (Array.isArray(env)) {
    const map = new Map<string, string>();
    for (const entry of env as readonly string[]) {
      const eq = entry.indexOf("=");
      if (eq < 0) map.set(entry, "");
      else map.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
    return (name) => map.get(name);
  }
  const record = env as Readonly<Record<string, string>>;
  return (name) => (Object.hasOwn(record, name) ? record[name] : undefined);
}

function run<R>(
  fn: () => R,
  opts: ExpandOptions | undefined,
  where?: { startLine: number; endLine: number },
): R {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof SyntaxProblem)) throw err;
    return rethrow(err, opts, where);
  }
}

function rethrow(
  err: SyntaxProblem,
  opts?: ExpandOptions,
  where?: { startLine: number; endLine: number },
): never {
  throw new DockerfileError(err.message, err.message, {
    ...(opts?.fileName !== undefined && { fileName: opts.fileName }),
    ...(where !== undefined && { line: where.startLine, endLine: where.endLine }),
  });
}

/** One word, quotes removed and variables expanded (unset ones become ""). */
export function expandWord(word: string, env: ExpandEnv, opts?: ExpandOptions): string {
  return run(() => lex(word, envLookup(env), { escape: opts?.escapeChar ?? "\\" }).result, opts);
}

/** Like expandWord, then split on unquoted blanks (EXPOSE `$PORTS` → several ports). */
export function expandWords(word: string, env: ExpandEnv, opts?: ExpandOptions): string[] {
  return run(() => lex(word, envLookup(env), { escape: opts?.escapeChar ?? "\\" }).words, opts);
}

/** A heredoc body: only variables expand, quotes stay, the escape is always backslash. */
export function expandHeredoc(doc: Heredoc, env: ExpandEnv, opts?: ExpandOptions): string {
  if (!doc.expand) return doc.content;
  return run(() => lex(doc.content, envLookup(env), { escape: "\\", skipProcessQuotes: true }).result, opts);
}

/**
 * A copy of `instr` with every field Docker expands expanded: ADD, COPY (not `--from`), ENV,
 * EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR and ARG. RUN, CMD, ENTRYPOINT,
 * HEALTHCHECK, SHELL, MAINTAINER and ONBUILD come back unchanged: their `$vars` are the
 * shell's business, or the child build's. RUN `--mount` values stay raw: pass an expander to
 * parseRunMount. Errors carry the instruction's lines.
 */
export function expandInstruction<I extends Instruction>(instr: I, env: ExpandEnv, opts?: ExpandOptions): I {
  const lookup = envLookup(env);
  const escape = opts?.escapeChar ?? "\\";
  const w = (word: string) => lex(word, lookup, { escape }).result;
  const opt = (word: string | undefined) => (word === undefined ? undefined : w(word));
  const docs = (list: Heredoc[]) =>
    list.map((d) =>
      d.expand
        ? { ...d, content: lex(d.content, lookup, { escape: "\\", skipProcessQuotes: true }).result }
        : d,
    );
  return run(
    (): I => {
      const i: Instruction = instr;
      switch (i.kind) {
        case "env":
          return { ...i, env: i.env.map((kv) => ({ ...kv, key: w(kv.key), value: w(kv.value) })) } as I;
        case "label":
          return { ...i, labels: i.labels.map((kv) => ({ ...kv, key: w(kv.key), value: w(kv.value) })) } as I;
        case "add":
        case "copy": {
          const common = {
            sources: i.sources.map(w),
            dest: w(i.dest),
            sourceContents: docs(i.sourceContents),
            ...(i.chown !== undefined && { chown: w(i.chown) }),
            ...(i.chmod !== undefined && { chmod: w(i.chmod) }),
          };
          if (i.kind === "copy") return { ...i, ...common } as I;
          return { ...i, ...common, ...(i.checksum !== undefined && { checksum: opt(i.checksum) }) } as I;
        }
        case "workdir":
          return { ...i, path: w(i.path) } as I;
        case "user":
          return { ...i, user: w(i.user) } as I;
        case "stopsignal":
          return { ...i, signal: w(i.signal) } as I;
        case "volume":
          return { ...i, paths: i.paths.map(w) } as I;
        case "expose":
          return { ...i, ports: i.ports.flatMap((p) => lex(p, lookup, { escape }).words) } as I;
        case "arg":
          return {
            ...i,
            args: i.args.map((a) => ({
              name: w(a.name),
              ...(a.defaultValue !== undefined && { defaultValue: w(a.defaultValue) }),
            })),
          } as I;
        case "from":
          return {
            ...i,
            image: w(i.image),
            ...(i.platform !== undefined && { platform: w(i.platform) }),
          } as I;
        case "run":
        case "cmd":
        case "entrypoint":
        case "healthcheck":
        case "shell":
        case "maintainer":
        case "onbuild":
          return instr;
      }
    },
    opts,
    instr,
  );
}
