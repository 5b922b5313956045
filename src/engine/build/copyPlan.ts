/**
 * A filtered directory source (`--exclude`, `--parents`) as a plan: the entries a CopyFilter
 * keeps, parents first, with the directories on the way to a kept entry (fsutil's copier makes
 * those lazily, with their source metadata). The same list is hashed for the cache key and then
 * copied, so the key follows exactly what lands in the image.
 */
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readlinkSync, type Stats } from "node:fs";
import { decide, type CopyFilter } from "./copyFilter.js";
import { fileDigest, hashLine, type KnownTree } from "./sources.js";

export interface PlanEntry {
  /** Path relative to the source directory. */
  rel: string;
  /** Host path. */
  abs: string;
  st: Stats;
}

/** The entries of `srcDir` that `filter` keeps, in walk order (sorted names, parents first). */
export function planEntries(srcDir: string, filter: CopyFilter): PlanEntry[] {
  const out: PlanEntry[] = [];
  // Directories entered but not kept: written out once something below them is kept.
  const pending: { e: PlanEntry; out: boolean }[] = [];
  const keep = (e: PlanEntry) => {
    for (const p of pending)
      if (!p.out) {
        out.push(p.e);
        p.out = true;
      }
    out.push(e);
  };
  const walk = (dir: string, rel: string) => {
    for (const n of readdirSync(dir).sort()) {
      const r = rel === "" ? n : `${rel}/${n}`;
      const abs = `${dir}/${n}`;
      // Synchronous: thousands of small lstats cost far less than as many promises.
      const st = lstatSync(abs);
      const what = decide(r, st.isDirectory(), filter);
      if (what === "skip") continue;
      const e = { rel: r, abs, st };
      if (what === "copy") keep(e);
      if (!st.isDirectory()) continue;
      pending.push({ e, out: what === "copy" });
      walk(abs, r);
      pending.pop();
    }
  };
  walk(srcDir, "");
  return out;
}

/** The sha256 of a file's bytes, from the index when it knows the file. */
async function contentHash(abs: string, known: KnownTree | undefined): Promise<string> {
  if (known !== undefined && abs.startsWith(`${known.root}/`)) {
    const k = known.entry(abs.slice(known.root.length + 1));
    if (k?.type === "file" && k.sha256 !== undefined) return k.sha256;
  }
  return fileDigest(abs);
}

/** Hash of a plan: relative paths, types, permissions, owners, contents, link targets. */
export async function planDigest(plan: readonly PlanEntry[], known?: KnownTree): Promise<string> {
  const h = createHash("sha256");
  for (const { rel, abs, st } of plan) {
    let rest: string;
    if (st.isSymbolicLink()) rest = `L${readlinkSync(abs)}`;
    else if (st.isFile()) rest = `F${await contentHash(abs, known)}`;
    else if (st.isDirectory()) rest = "D";
    else rest = `O${st.rdev}`;
    h.update(hashLine(rel, st.mode, st.uid, st.gid, rest));
  }
  return h.digest("hex");
}
