/** Test fixtures on disk. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Writes `files` (paths relative to `dir`, parents made) and returns `dir`: a build context. */
export function writeTree(dir: string, files: Record<string, string | Buffer>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}
