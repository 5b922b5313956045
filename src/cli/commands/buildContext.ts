/**
 * The context `berth build` sends, read from a directory with `.dockerignore` applied (the
 * Dockerfile and .dockerignore always go, as with the docker CLI); a Dockerfile from outside
 * the context or from stdin is added under a random name the daemon ignores. The walk gives
 * a list of entries (with each file's stat signature for a build session); buildTar.ts
 * streams the tar of all of them, or of the files a session asks for.
 */
import { randomBytes } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { relative, resolve } from "node:path";
import {
  compilePattern,
  isIgnored,
  parseDockerignore,
  type IgnorePattern,
} from "../../engine/build/dockerignore.js";

export interface ContextEntry {
  path: string;
  type: "file" | "dir" | "symlink";
  mode: number;
  /** Seconds (what a tar header holds). */
  mtime: number;
  size: number;
  linkname?: string;
  /** `dev:ino:size:mtimeMs:ctimeMs` of a file on disk (what a build session compares). */
  sig?: string;
  /** The file on disk, or the bytes of an entry that has none (a Dockerfile from elsewhere). */
  abs?: string;
  data?: Buffer;
}

export interface WalkedContext {
  entries: ContextEntry[];
  /** The `dockerfile` query value. */
  dockerfile: string | undefined;
  /** Bytes of all files. */
  size: number;
}

/** Walks `dir`; `dockerfile` is the -f path (relative to the cwd), `dockerfileText` a -f - body. */
export function walkContext(dir: string, dockerfile?: string, dockerfileText?: string): WalkedContext {
  const root = resolve(dir);
  const st = (() => {
    try {
      return lstatSync(root);
    } catch {
      return undefined;
    }
  })();
  if (!st?.isDirectory()) throw new Error(`unable to prepare context: path "${dir}" not found`);
  const ignoreText = (() => {
    try {
      return readFileSync(`${root}/.dockerignore`, "utf8");
    } catch {
      return "";
    }
  })();
  const patterns: IgnorePattern[] = parseDockerignore(ignoreText);
  let dfRel: string | undefined;
  let outside: Buffer | undefined = dockerfileText !== undefined ? Buffer.from(dockerfileText) : undefined;
  if (dockerfile !== undefined && dockerfileText === undefined) {
    const abs = resolve(dockerfile);
    const rel = relative(root, abs);
    if (rel.startsWith("..") || rel === "") outside = readFileSync(abs);
    else dfRel = rel;
  }
  patterns.push(compilePattern(dfRel ?? "Dockerfile", true), compilePattern(".dockerignore", true));
  const hasExceptions = patterns.some((p) => p.exclusion);
  const entries: ContextEntry[] = [];
  let size = 0;
  const walk = (rel: string): void => {
    for (const name of readdirSync(rel === "" ? root : `${root}/${rel}`).sort()) {
      const r = rel === "" ? name : `${rel}/${name}`;
      const abs = `${root}/${r}`;
      const s = lstatSync(abs);
      const ignored = isIgnored(r, patterns);
      if (ignored && !(s.isDirectory() && hasExceptions)) continue;
      const mode = s.mode & 0o7777;
      const mtime = Math.floor(s.mtimeMs / 1000);
      if (s.isDirectory()) {
        if (!ignored) entries.push({ path: r, type: "dir", mode, mtime, size: 0 });
        walk(r);
      } else if (s.isSymbolicLink())
        entries.push({ path: r, type: "symlink", mode, mtime, size: 0, linkname: readlinkSync(abs) });
      else if (s.isFile()) {
        // Number stats (bigint ones cost more per file): times to a fraction of a microsecond.
        const sig = `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
        entries.push({ path: r, type: "file", mode, mtime, size: s.size, sig, abs });
        size += s.size;
      }
    }
  };
  walk("");
  let name = dfRel;
  if (outside !== undefined) {
    name = `.dockerfile.${randomBytes(10).toString("hex")}`;
    const now = Math.floor(Date.now() / 1000);
    const ignore = Buffer.from(`${ignoreText}\n.dockerignore\n${name}\n`);
    const at = entries.findIndex((e) => e.path === ".dockerignore");
    if (at >= 0) size -= entries.splice(at, 1)[0]?.size ?? 0;
    entries.push(
      { path: name, type: "file", mode: 0o600, mtime: now, size: outside.length, data: outside },
      { path: ".dockerignore", type: "file", mode: 0o600, mtime: now, size: ignore.length, data: ignore },
    );
    size += outside.length + ignore.length;
  }
  return { entries, dockerfile: name, size };
}

/** Whether bytes start a tar, gzip, bzip2 or xz archive. */
export function looksLikeArchive(b: Buffer): boolean {
  if (b.length >= 3 && b[0] === 0x1f && b[1] === 0x8b) return true;
  if (b.length >= 3 && b.subarray(0, 3).toString("latin1") === "BZh") return true;
  if (b.length >= 6 && b[0] === 0xfd && b.subarray(1, 5).toString("latin1") === "7zXZ") return true;
  return b.length >= 262 && b.subarray(257, 262).toString("latin1") === "ustar";
}
