/**
 * The local sources of one COPY/ADD under BuildKit's `--exclude` and `--parents`: each becomes a
 * unit (a file, or a directory whose content is copied, with the plan of what a filter keeps),
 * and the units give the history label that keys the cache.
 */
import { createHash } from "node:crypto";
import { lstat } from "node:fs/promises";
import { posix } from "node:path";
import { errnoCode, invalid } from "../errors.js";
import { buildMessages } from "../messages.js";
import { compilePattern, type IgnorePattern } from "./dockerignore.js";
import { hasWildcards, splitParents, type CopyFilter } from "./copyFilter.js";
import { planDigest, planEntries, type PlanEntry } from "./copyPlan.js";
import { resolveInRoot } from "./rootPath.js";
import {
  expandSources,
  matchWildcard,
  sourcesLabel,
  treeDigest,
  type KnownTree,
  type Source,
} from "./sources.js";

export interface CopyUnit extends Source {
  /** A directory's entries a filter keeps (absent: all of them). */
  plan?: PlanEntry[];
}

export interface UnitFlags {
  parents: boolean;
  exclude: IgnorePattern[];
}

async function unitAt(root: string, rel: string, cmd: string, filter: CopyFilter): Promise<CopyUnit> {
  const abs = await resolveInRoot(root, rel);
  let isDir: boolean;
  try {
    isDir = (await lstat(abs)).isDirectory();
  } catch (err) {
    if (errnoCode(err) === "ENOENT" || errnoCode(err) === "ENOTDIR")
      throw invalid(buildMessages.notInContext(cmd, rel === "" ? "." : rel));
    throw err;
  }
  const u: CopyUnit = { abs, name: posix.basename(rel === "" ? "." : rel), isDir };
  if (isDir && (filter.include !== undefined || filter.exclude.length > 0)) u.plan = planEntries(abs, filter);
  return u;
}

/**
 * `--parents`: each source's root (the source root, or the path before its `/./` pivot, which
 * may hold wildcards) copied with the rest of the path as an include pattern. A path without
 * wildcards must exist; wildcards may match nothing (BuildKit's required paths).
 */
async function parentsUnits(
  root: string,
  paths: readonly string[],
  cmd: string,
  exclude: IgnorePattern[],
): Promise<CopyUnit[]> {
  const out: CopyUnit[] = [];
  for (const p of paths) {
    const { base, pattern } = splitParents(p);
    const filter: CopyFilter = { exclude, ...(pattern !== "" ? { include: compilePattern(pattern) } : {}) };
    if (!hasWildcards(base) && !hasWildcards(pattern)) {
      const required = [base, pattern].filter((x) => x !== "").join("/");
      try {
        await lstat(await resolveInRoot(root, required));
      } catch (err) {
        if (errnoCode(err) === "ENOENT" || errnoCode(err) === "ENOTDIR")
          throw invalid(buildMessages.notInContext(cmd, required === "" ? "." : required));
        throw err;
      }
    }
    const bases = hasWildcards(base) ? matchWildcard(root, base) : [base];
    for (const b of bases) out.push(await unitAt(root, b, cmd, filter));
  }
  return out;
}

/** The units of the local sources `paths` under `root` (the context, or a `--from` filesystem). */
export async function copyUnits(
  root: string,
  paths: readonly string[],
  cmd: string,
  flags: UnitFlags,
): Promise<CopyUnit[]> {
  if (flags.parents) return parentsUnits(root, paths, cmd, flags.exclude);
  const sources: CopyUnit[] = await expandSources(root, paths, cmd);
  if (flags.exclude.length > 0)
    for (const s of sources) if (s.isDir) s.plan = planEntries(s.abs, { exclude: flags.exclude });
  return sources;
}

/**
 * Docker's label (`file:<h>`, `dir:<h>`, `multi:<h>`): sourcesLabel's own when no unit is
 * filtered (the keys of plain steps stay as they were), else the same form over the plans.
 */
export async function unitsLabel(
  units: readonly CopyUnit[],
  extra: readonly string[],
  known: KnownTree | undefined,
): Promise<string> {
  if (units.every((u) => u.plan === undefined)) return sourcesLabel(units, extra, known);
  const hashes = [...extra];
  for (const u of units)
    hashes.push(u.plan !== undefined ? await planDigest(u.plan, known) : await treeDigest(u.abs, known));
  const first = units[0];
  if (units.length === 1 && extra.length === 0 && first !== undefined && hashes[0] !== undefined)
    return `${first.isDir ? "dir" : "file"}:${hashes[0]}`;
  return `multi:${createHash("sha256").update(hashes.join("\n")).digest("hex")}`;
}
