/**
 * `RUN --mount` (BuildKit's syntax) for the classic builder: each mount becomes a bind or tmpfs
 * mount of the step container. bind: a path of the context or of another stage/image, read-only
 * unless `rw` (then a private copy whose writes are thrown away); cache: a directory kept under
 * the data root across builds, keyed by `id` (the target by default); tmpfs: a tmpfs. The cache
 * key of the step covers the mount definitions and the content bound by bind mounts, so a
 * changed bound file runs the step again, as BuildKit does.
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

export interface RunMountContext extends TransferContext {
  /** Where cache mounts live between builds. */
  cacheMountsDir: string;
}

export interface PreparedMounts {
  mounts: MountSpec[];
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

export async function prepareRunMounts(
  d: RunMountContext,
  specs: readonly string[],
  workdir: string,
  expand: (w: string) => string,
): Promise<PreparedMounts> {
  const mounts: MountSpec[] = [];
  const keyParts: string[] = [];
  const lockKeys: string[] = [];
  for (const spec of specs) {
    const m = parse(spec, expand);
    if (m.type === "secret" || m.type === "ssh")
      throw notImplemented(`RUN --mount=type=${m.type} is not supported yet by the classic builder of berth`);
    if (m.target === undefined || m.target === "") throw invalid("mount target must be specified");
    const target = posix.resolve(workdir || "/", m.target);
    if (target === "/") throw invalid("mount target cannot be /");
    if (m.type === "tmpfs") {
      mounts.push({
        type: "tmpfs",
        target,
        options: m.sizeLimit !== undefined ? [`size=${m.sizeLimit}`] : [],
      });
      keyParts.push(`tmpfs:${target}:${m.sizeLimit ?? ""}`);
    } else if (m.type === "bind") {
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
      mounts.push({ type: "bind", source, target, readOnly: m.readOnly, propagation: "rprivate" });
      keyParts.push(`bind:${target}:${m.from ?? ""}:${rel}:${m.readOnly}:${await treeDigest(abs)}`);
    } else {
      const id = m.cacheId !== undefined && m.cacheId !== "" ? m.cacheId : target;
      const dir = `${d.cacheMountsDir}/${createHash("sha256").update(id).digest("hex").slice(0, 32)}`;
      const created = await mkdir(dir, { recursive: true });
      if (created !== undefined) {
        await chmod(dir, m.mode ?? 0o755);
        await chown(dir, m.uid ?? 0, m.gid ?? 0);
      }
      if (m.sharing === "locked" || m.sharing === "private") lockKeys.push(dir);
      mounts.push({ type: "bind", source: dir, target, readOnly: m.readOnly, propagation: "rprivate" });
      keyParts.push(`cache:${target}:${id}:${m.readOnly}`);
    }
  }
  const hold = <T>(fn: () => Promise<T>): Promise<T> =>
    lockKeys.sort().reduceRight<() => Promise<T>>((inner, key) => () => withLock(key, inner), fn)();
  return { mounts, cacheExtra: keyParts.length === 0 ? "" : keyParts.join("\n"), hold };
}
