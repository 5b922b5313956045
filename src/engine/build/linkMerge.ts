/**
 * `COPY --link`/`ADD --link`: BuildKit copies into an empty directory and merges that as a
 * layer on top of the previous state. Here the copy is made into a staging directory (as if the
 * image were empty: nothing of the old filesystem is read, its symlinks are not followed), then
 * laid over the step's root the way a layer applies: a directory merges with a directory and
 * takes the staged one's owner, mode and times; anything else replaces what was at its path,
 * symlinks included. The step's diff is still one layer, as every step's is.
 */
import { chmod, lchown, lstat, lutimes, mkdir, readdir, rm } from "node:fs/promises";
import { copyEntry } from "./copyTree.js";

/** Lays the tree at `staged` over the directory `root` (its own metadata is left alone). */
export async function mergeStaged(staged: string, root: string): Promise<void> {
  for (const n of await readdir(staged)) {
    const src = `${staged}/${n}`;
    // Every parent of dest is a real directory by now (made or checked one level up).
    const dest = `${root}/${n}`;
    const st = await lstat(src);
    if (!st.isDirectory()) {
      await copyEntry(src, dest, { owner: undefined, mode: undefined });
      continue;
    }
    const existing = await lstat(dest).catch(() => undefined);
    if (existing !== undefined && !existing.isDirectory()) await rm(dest, { force: true });
    if (existing === undefined || !existing.isDirectory()) await mkdir(dest);
    await lchown(dest, st.uid, st.gid);
    await chmod(dest, st.mode & 0o7777);
    await mergeStaged(src, dest);
    await lutimes(dest, st.atime, st.mtime);
  }
}
