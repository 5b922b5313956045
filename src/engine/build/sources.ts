/**
 * ADD/COPY sources: paths (and wildcards) inside a source root (the context, or another stage's
 * filesystem), confined to it, and their content hash for the cache: file contents, modes,
 * owners and link targets, never mtimes.
 */
import { createHash } from "node:crypto";
import { createReadStream, lstatSync, readdirSync, readlinkSync } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { posix } from "node:path";
import { errnoCode, invalid } from "../errors.js";
import { buildMessages } from "../messages.js";
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

async function walkRel(root: string, dir = ""): Promise<string[]> {
  const out: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir === "" ? root : `${root}/${dir}`);
  } catch {
    return out;
  }
  for (const n of names.sort()) {
    const rel = dir === "" ? n : `${dir}/${n}`;
    out.push(rel);
    const st = await lstat(`${root}/${rel}`);
    if (st.isDirectory()) out.push(...(await walkRel(root, rel)));
  }
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
      const re = compilePattern(rel).regex;
      const all = await walkRel(root);
      for (const m of all.filter((r) => re.test(r))) out.push(await sourceAt(root, m));
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

/**
 * Hash of a tree (or one file): relative paths, types, permissions, owners, contents, link
 * targets. Paths `known` covers are hashed from the index (no disk access: a COPY of a large
 * context re-hashes nothing), others from the disk; both give the same text.
 */
export async function treeDigest(abs: string, known?: KnownTree): Promise<string> {
  const h = createHash("sha256");
  const relOf = (path: string): string | undefined => {
    if (known === undefined) return undefined;
    if (path === known.root) return "";
    return path.startsWith(`${known.root}/`) ? path.slice(known.root.length + 1) : undefined;
  };
  const line = (rel: string, mode: number, uid: number, gid: number, rest: string) =>
    h.update(`${rel}\0${mode & 0o7777}\0${uid}\0${gid}\0${rest}\n`);
  const visit = async (path: string, rel: string): Promise<void> => {
    const k = relOf(path);
    const e = k === undefined ? undefined : known?.entry(k);
    const names = e?.type === "dir" && k !== undefined ? known?.children(k) : undefined;
    if (e !== undefined && (e.type !== "dir" || names !== undefined)) {
      if (e.type === "file" && e.sha256 !== undefined)
        return void line(rel, e.mode, e.uid, e.gid, `F${e.sha256}`);
      if (e.type === "symlink" && e.linkname !== undefined)
        return void line(rel, e.mode, e.uid, e.gid, `L${e.linkname}`);
      if (e.type === "dir" && names !== undefined) {
        line(rel, e.mode, e.uid, e.gid, "D");
        for (const n of [...names].sort()) await visit(`${path}/${n}`, rel === "" ? n : `${rel}/${n}`);
        return;
      }
    }
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
