/**
 * Crash-safe small writes: data goes to a temp file in the same filesystem,
 * is fsynced, then renamed over the target, so a reader sees the old file or
 * the new one and never half of one.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Writes `data` to `target` atomically, using `tmpDir` for the temp file. */
export async function writeFileAtomic(
  tmpDir: string,
  target: string,
  data: string | Uint8Array,
  mode = 0o644,
): Promise<void> {
  await mkdir(tmpDir, { recursive: true });
  const tmp = join(tmpDir, `w-${randomBytes(12).toString("hex")}`);
  const fh = await open(tmp, "wx", mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await mkdir(dirname(target), { recursive: true });
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dirname(target));
}

/** Makes a rename durable: fsync the directory that holds the new entry. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
