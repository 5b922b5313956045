/**
 * `RUN --mount` (BuildKit's syntax) for the classic builder: each mount becomes a bind or tmpfs
 * mount of the step container. bind: a path of the context or of another stage/image, read-only
 * unless `rw` (then a private copy whose writes are thrown away); cache: a directory kept under
 * the data root across builds, keyed by `id` (the target by default); tmpfs: a tmpfs. The cache
 * key of the step covers the mount definitions and the content bound by bind mounts, so a
 * changed bound file runs the step again, as BuildKit does. secret and ssh: from the build
 * session of `berth build` (secretsMounts.ts); without one (the docker CLI), a clear 501.
 */
import { createHash } from "node:crypto";
import { chmod, chown, lstat, mkdir } from "node:fs/promises";
import { posix } from "node:path";
import { invalid, notImplemented } from "../errors.js";
import { newHexId } from "../ids.js";
import type { MountSpec } from "../containers/index.js";
import { copyEntry } from "./copyTree.js";
import { parseRunMount, SyntaxProblem, type RunMount } from "./dockerfile/index.js";
import { resolveInRoot } from "./rootPath.js";
import { cleanSource, treeDigest } from "./sources.js";
import type { TransferContext } from "./transfer.js";
import type { BuildOptions } from "./options.js";
import type { BuildSecrets } from "./secrets.js";
import { secretMount, sshMount, type SecretMountResult } from "./secretsMounts.js";

export interface RunMountContext extends TransferContext {
  /** Where cache mounts live between builds. */
  cacheMountsDir: string;
  /** The build's options: `secrets` holds the session's secrets and ssh sockets. */
  exec: { readonly opts: Pick<BuildOptions, "secrets"> };
}

export interface PreparedMounts {
  mounts: MountSpec[];
  /** `NAME=value` the step's process gets (secret `env=`, SSH_AUTH_SOCK); never in the image. */
  env: string[];
  /** Mount definitions and bound content hashes, for the step's cache key ("" without mounts). */
  cacheExtra: string;
  /** Runs `fn` holding the locks `sharing=locked|private` cache mounts ask for. */
  hold<T>(fn: () => Promise<T>): Promise<T>;
}

const locks = new Map<string, Promise<void>>();

/** Serializes users of one cache directory (sharing=locked, and private: no concurrent user). */
async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const chained = prev.then(() => mine);
  locks.set(key, chained);
  await prev;
  try {
    return await fn();
  } finally {
    release();
    if (locks.get(key) === chained) locks.delete(key);
  }
}

function parse(spec: string, expand: (w: string) => string): RunMount {
  try {
    return parseRunMount(spec, expand);
  } catch (err) {
    if (err instanceof SyntaxProblem) throw invalid(err.message);
    throw err;
  }
}

/** One mount as the step gets it (the result of each kind's preparation). */
type Prepared = SecretMountResult & { lockKey?: string };

export async function prepareRunMounts(
  d: RunMountContext,
  specs: readonly string[],
  workdir: string,
  expand: (w: string) => string,
): Promise<PreparedMounts> {
  const all: Prepared[] = [];
  const cleanup = async () => {
    for (const p of all.splice(0).reverse()) await p.cleanup?.().catch(() => undefined);
  };
  let sshCount = 0;
  try {
    for (const spec of specs) {
      const m = parse(spec, expand);
      let p: Prepared | undefined;
      if (m.type === "secret") p = await secretMount(m, sessionSecrets(d, "secret"), workdir, d.scratchDir);
      else if (m.type === "ssh") p = await sshMount(m, sessionSecrets(d, "ssh"), workdir, sshCount++);
      else p = await classicMount(d, m, workdir);
      if (p !== undefined) all.push(p);
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
  const lockKeys = all.flatMap((p) => (p.lockKey !== undefined ? [p.lockKey] : [])).sort();
  const locked = <T>(fn: () => Promise<T>): Promise<T> =>
    lockKeys.reduceRight<() => Promise<T>>((inner, key) => () => withLock(key, inner), fn)();
  return {
    mounts: all.flatMap((p) => (p.mount !== undefined ? [p.mount] : [])),
    env: all.flatMap((p) => (p.env !== undefined ? [p.env] : [])),
    cacheExtra: all.map((p) => p.key).join("\n"),
    hold: async (fn) => {
      try {
        return await locked(fn);
      } finally {
        await cleanup();
      }
    },
  };
}

/** The session's secrets; without a session (the docker CLI's classic path) a clear 501. */
function sessionSecrets(d: RunMountContext, type: "secret" | "ssh"): BuildSecrets {
  const s = d.exec.opts.secrets;
  if (s === undefined)
    throw notImplemented(
      `RUN --mount=type=${type} is not supported yet by the classic builder of berth without a build session: use berth build --${type} (the docker CLI cannot send ${type === "ssh" ? "an ssh agent" : "secrets"} to it)`,
    );
  return s;
}

async function classicMount(d: RunMountContext, m: RunMount, workdir: string): Promise<Prepared> {
  if (m.target === undefined || m.target === "") throw invalid("mount target must be specified");
  const target = posix.resolve(workdir || "/", m.target);
  if (target === "/") throw invalid("mount target cannot be /");
  if (m.type === "tmpfs")
    return {
      mount: { type: "tmpfs", target, options: m.sizeLimit !== undefined ? [`size=${m.sizeLimit}`] : [] },
      key: `tmpfs:${target}:${m.sizeLimit ?? ""}`,
    };
  if (m.type === "bind") {
    const root = m.from !== undefined && m.from !== "" ? await d.fromRoot(m.from) : d.contextDir;
    const rel = cleanSource(m.source ?? "/");
    const abs = await resolveInRoot(root, rel);
    await lstat(abs).catch(() => {
      throw invalid(`failed to compute cache key: "/${rel}" not found`);
    });
    let source = abs;
    if (!m.readOnly) {
      // rw: the step may write, but nothing goes back to the source.
      source = `${d.scratchDir}/bind-${newHexId().slice(0, 12)}`;
      await copyEntry(abs, source, { owner: undefined, mode: undefined });
    }
    return {
      mount: { type: "bind", source, target, readOnly: m.readOnly, propagation: "rprivate" },
      key: `bind:${target}:${m.from ?? ""}:${rel}:${m.readOnly}:${await treeDigest(abs)}`,
    };
  }
  const id = m.cacheId !== undefined && m.cacheId !== "" ? m.cacheId : target;
  const dir = `${d.cacheMountsDir}/${createHash("sha256").update(id).digest("hex").slice(0, 32)}`;
  const created = await mkdir(dir, { recursive: true });
  if (created !== undefined) {
    await chmod(dir, m.mode ?? 0o755);
    await chown(dir, m.uid ?? 0, m.gid ?? 0);
  }
  return {
    mount: { type: "bind", source: dir, target, readOnly: m.readOnly, propagation: "rprivate" },
    key: `cache:${target}:${id}:${m.readOnly}`,
    ...(m.sharing === "locked" || m.sharing === "private" ? { lockKey: dir } : {}),
  };
}
