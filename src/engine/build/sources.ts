/**
 * ADD/COPY sources: paths (and wildcards) inside a source root (the context, or another stage's
 * filesystem), confined to it, and their content hash for the cache: file contents, modes,
 * owners and link targets, never mtimes.
 */
import { createHash } from "node:crypto";
import { createReadStream, lstatSync, readdirSync, readlinkSync } from "node:fs";
import { lstat } from "node:fs/promises";
import { posix } from "node:path";
import { errnoCode, invalid } from "../errors.js";
import { buildMessages } from "../messages.js";
import { mayHoldMatches } from "./copyFilter.js";
import { compilePattern } from "./dockerignore.js";
import { resolveInRoot } from "./rootPath.js";

export interface Source {
  /** Host path, symlinks of the source path itself followed inside the root. */
  abs: string;
  /** The base name used when copying into a directory. */
  name: string;
  isDir: boolean;
}

const hasWildcard = (s: string) => /[*?[]/.test(s);

/** Cleans a source path relative to the root; `..` past the root is refused like Docker. */
export function cleanSource(path: string): string {
  const parts: string[] = [];
  for (const c of path.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") {
      if (parts.length === 0) throw invalid(buildMessages.outsideContext(path));
      parts.pop();
    } else parts.push(c);
  }
  return parts.join("/");
}

/**
 * Paths under `root` matching a wildcard path (`a/b*`), sorted; only directories whose
 * components can lead to a match are read. Symlinks are not followed while walking.
 */
export function matchWildcard(root: string, pattern: string): string[] {
  const p = compilePattern(pattern);
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const r = rel === "" ? n : `${rel}/${n}`;
      if (p.regex.test(r)) out.push(r);
      const abs = `${dir}/${n}`;
      if (lstatSync(abs).isDirectory() && mayHoldMatches(r, p)) walk(abs, r);
    }
  };
  walk(root, "");
  return out;
}

/** Expands the sources of one ADD/COPY; `cmd` names the instruction in errors. */
export async function expandSources(root: string, paths: readonly string[], cmd: string): Promise<Source[]> {
  const out: Source[] = [];
  for (const p of paths) {
    let rel: string;
    try {
      rel = cleanSource(p);
    } catch (err) {
      throw invalid(buildMessages.transferFailed(cmd, (err as Error).message), err);
    }
    if (hasWildcard(rel)) {
      for (const m of matchWildcard(root, rel)) out.push(await sourceAt(root, m));
      continue;
    }
    try {
      out.push(await sourceAt(root, rel));
    } catch (err) {
      if (errnoCode(err) === "ENOENT" || errnoCode(err) === "ENOTDIR")
        throw invalid(buildMessages.notInContext(cmd, rel === "" ? "." : rel));
      throw err;
    }
  }
  if (out.length === 0) throw invalid(buildMessages.noSources(cmd));
  return out;
}

async function sourceAt(root: string, rel: string): Promise<Source> {
  const abs = await resolveInRoot(root, rel);
  const st = await lstat(abs);
  return { abs, name: posix.basename(rel === "" ? "." : rel), isDir: st.isDirectory() };
}

/** sha256 of a file's bytes. */
export function fileDigest(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("data", (b) => h.update(b))
      .on("error", reject)
      .on("end", () => resolve(h.digest("hex")));
  });
}

/** What an index says of a path (the context mirror's, kept in step with its directory). */
export interface KnownEntry {
  type: "file" | "dir" | "symlink";
  /** Permission bits (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** A file's sha256 (hex). */
  sha256?: string;
  linkname?: string;
}

/** An index of a directory: entries and directory listings by path relative to `root`. */
export interface KnownTree {
  root: string;
  entry(rel: string): KnownEntry | undefined;
  /** A directory's entry names, unsorted; undefined when unknown. */
  children(rel: string): string[] | undefined;
}

/** One line of a tree's hash text: the same for an entry read from an index or from the disk. */
export const hashLine = (rel: string, mode: number, uid: number, gid: number, rest: string) =>
  `${rel}\0${mode & 0o7777}\0${uid}\0${gid}\0${rest}\n`;

/**
 * The hash text of a tree `known` covers whole, from the index alone (synchronous: no disk
 * access, no promise per entry); undefined when some entry under it is not indexed.
 */
function knownDigest(abs: string, known: KnownTree): string | undefined {
  const root =
    abs === known.root ? "" : abs.startsWith(`${known.root}/`) ? abs.slice(known.root.length + 1) : undefined;
  if (root === undefined) return undefined;
  const h = createHash("sha256");
  let text = "";
  const visit = (k: string, rel: string): boolean => {
    const e = known.entry(k);
    if (e === undefined) return false;
    if (e.type === "file") {
      if (e.sha256 === undefined) return false;
      text += hashLine(rel, e.mode, e.uid, e.gid, `F${e.sha256}`);
    } else if (e.type === "symlink") {
      if (e.linkname === undefined) return false;
      text += hashLine(rel, e.mode, e.uid, e.gid, `L${e.linkname}`);
    } else {
      const names = known.children(k);
      if (names === undefined) return false;
      text += hashLine(rel, e.mode, e.uid, e.gid, "D");
      for (const n of [...names].sort()) {
        if (!visit(k === "" ? n : `${k}/${n}`, rel === "" ? n : `${rel}/${n}`)) return false;
      }
    }
    // Hashed in slices: one update per entry costs more than the hashing itself.
    if (text.length > 65536) {
      h.update(text);
      text = "";
    }
    return true;
  };
  if (!visit(root, "")) return undefined;
  return h.update(text).digest("hex");
}

/**
 * Hash of a tree (or one file): relative paths, types, permissions, owners, contents, link
 * targets. A tree `known` indexes whole is hashed from the index (no disk access: a COPY of a
 * large context re-hashes nothing), others from the disk; both give the same text.
 */
export async function treeDigest(abs: string, known?: KnownTree): Promise<string> {
  const fromIndex = known === undefined ? undefined : knownDigest(abs, known);
  if (fromIndex !== undefined) return fromIndex;
  const h = createHash("sha256");
  const line = (rel: string, mode: number, uid: number, gid: number, rest: string) =>
    h.update(hashLine(rel, mode, uid, gid, rest));
  const visit = async (path: string, rel: string): Promise<void> => {
    // Synchronous metadata calls: thousands of small lstats cost far less than as many promises.
    const st = lstatSync(path);
    if (st.isSymbolicLink()) line(rel, st.mode, st.uid, st.gid, `L${readlinkSync(path)}`);
    else if (st.isFile()) line(rel, st.mode, st.uid, st.gid, `F${await fileDigest(path)}`);
    else if (st.isDirectory()) {
      line(rel, st.mode, st.uid, st.gid, "D");
      for (const n of readdirSync(path).sort()) await visit(`${path}/${n}`, rel === "" ? n : `${rel}/${n}`);
    } else line(rel, st.mode, st.uid, st.gid, `O${st.rdev}`);
  };
  await visit(abs, "");
  return h.digest("hex");
}

/** Docker's source label in history: `file:<h>`, `dir:<h>`, or `multi:<h>` for several sources. */
export async function sourcesLabel(
  sources: readonly Source[],
  extra: readonly string[] = [],
  known?: KnownTree,
): Promise<string> {
  const hashes = [...extra];
  for (const s of sources) hashes.push(await treeDigest(s.abs, known));
  const first = sources[0];
  if (sources.length === 1 && extra.length === 0 && first !== undefined && hashes[0] !== undefined)
    return `${first.isDir ? "dir" : "file"}:${hashes[0]}`;
  if (sources.length === 0 && extra.length === 1) return `file:${extra[0]}`;
  return `multi:${createHash("sha256").update(hashes.join("\n")).digest("hex")}`;
}
