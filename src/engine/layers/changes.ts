/**
 * `docker diff` for an overlay container: walk the upper dir and compare
 * with the image's layers, as moby's OverlayChanges does. A whiteout is a
 * deletion; a path absent from every lower layer an addition; anything else a
 * modification, except directories whose size, mode and mtime match the
 * lower one (they are in upper only because something below them changed).
 * The parent of an added or deleted path is listed as modified, as Docker does.
 */
import type { BigIntStats } from "node:fs";
import { lstat } from "node:fs/promises";
import { dirname } from "node:path";
import { errnoCode } from "../errors.js";
import { nativeSys } from "../host/native.js";
import type { Change, ChangeKind } from "./types.js";
import { OPAQUE_XATTR } from "./unpack.js";
import { isWhiteout, walkTree } from "./walk.js";

const MODIFIED: ChangeKind = 0;
const ADDED: ChangeKind = 1;
const DELETED: ChangeKind = 2;

export function isOpaque(abs: string): boolean {
  return nativeSys().lgetxattr(abs, OPAQUE_XATTR)?.toString() === "y";
}

/** The path in the lower layers (top-most first), or undefined if absent or whited out. */
async function lowerStat(lowers: readonly string[], path: string): Promise<BigIntStats | undefined> {
  for (const l of lowers) {
    try {
      const st = await lstat(`${l}${path}`, { bigint: true });
      return isWhiteout(st) ? undefined : st;
    } catch (err) {
      const code = errnoCode(err);
      if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
    }
  }
  return undefined;
}

/** Go's sameFsTime: equal, or equal seconds when one side lacks nanoseconds. */
function sameTime(a: bigint, b: bigint): boolean {
  const s = 1_000_000_000n;
  return a === b || (a / s === b / s && (a % s === 0n || b % s === 0n));
}

export async function overlayChanges(upper: string, lowers: readonly string[]): Promise<Change[]> {
  const out: Change[] = [];
  const changedDirs = new Set<string>();
  // Directories no lower layer has: nothing under them is in a lower layer either, so their
  // content is added without a lookup (a COPY of thousands of files costs one walk, not a walk
  // plus a stat per file and lower layer).
  const addedDirs = new Set<string>();
  for await (const { path, abs, st } of walkTree(upper)) {
    let kind: ChangeKind | undefined;
    if (isWhiteout(st)) {
      kind = DELETED;
    } else {
      const lower = addedDirs.has(dirname(path)) ? undefined : await lowerStat(lowers, path);
      if (!lower) {
        kind = ADDED;
        if (st.isDirectory()) addedDirs.add(path);
      } else if (st.isDirectory() && isOpaque(abs))
        kind = MODIFIED; // replaced wholesale, still there
      else if (
        st.isDirectory() &&
        lower.isDirectory() &&
        st.size === lower.size &&
        st.mode === lower.mode &&
        sameTime(st.mtimeNs, lower.mtimeNs)
      ) {
        kind = undefined;
      } else {
        kind = MODIFIED;
      }
    }
    if (kind === undefined) continue;
    if (st.isDirectory()) changedDirs.add(path);
    if (kind !== MODIFIED) {
      const parent = dirname(path);
      if (parent !== "/" && !changedDirs.has(parent)) {
        out.push({ path: parent, kind: MODIFIED });
        changedDirs.add(parent);
      }
    }
    out.push({ path, kind });
  }
  return out;
}
