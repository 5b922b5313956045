/**
 * `berth cp`, with the docker CLI's path rules (go-archive's CopyInfo,
 * PrepareArchiveCopy, RebaseArchiveEntries and CopyTo): the daemon only
 * tars a path and extracts a tar into a directory; which directory, and
 * under which name the entries go, is decided here from both sides' stats.
 */
import { createWriteStream } from "node:fs";
import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readlink,
  realpath,
  rm,
  stat,
  symlink,
  lutimes,
} from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { extract, pack, type Header } from "tar-stream";
import { CliError, type CliContext } from "../context.js";
import { humanSize } from "../format/index.js";
import type { CommandSpec } from "../spec.js";
import { cleanPath } from "../goPath.js";

/** Go's os.ModeDir and os.ModeSymlink, as the path stat header carries them. */
const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 2 ** 27;
const isDirMode = (m: number) => Math.floor(m / MODE_DIR) % 2 === 1;
const isLinkMode = (m: number) => Math.floor(m / MODE_SYMLINK) % 2 === 1;
/** Not a directory nor a regular file (symlink, device, pipe, socket…): type bits above the permissions. */
const isIrregular = (m: number) => !isDirMode(m) && m >= 2 ** 19;

export interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  rebaseName: string;
}

/** CONTAINER:PATH or a local path (absolute, or starting with "." when it has a colon). */
export function splitCpArg(arg: string): { container: string; path: string } {
  if (arg.startsWith("/")) return { container: "", path: arg };
  const i = arg.indexOf(":");
  if (i < 0 || arg.startsWith(".")) return { container: "", path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

const specifiesCurrentDir = (p: string) => p === "." || p.endsWith("/.");
const hasTrailingSeparator = (p: string) => p.endsWith("/");
const assertsDirectory = (p: string) => hasTrailingSeparator(p) || specifiesCurrentDir(p);

/** go-archive's SplitPathDirEntry. */
export function splitPathDirEntry(p: string): { dir: string; base: string } {
  let cleaned = cleanPath(p);
  if (specifiesCurrentDir(p)) cleaned += "/.";
  const i = cleaned.lastIndexOf("/");
  if (i < 0) return { dir: ".", base: cleaned };
  return { dir: i === 0 ? "/" : cleaned.slice(0, i), base: cleaned.slice(i + 1) };
}

/** Keeps a trailing "/." or "/" of what the user typed after making the path absolute. */
function preserveTrailing(cleaned: string, original: string): string {
  if (specifiesCurrentDir(original) && !specifiesCurrentDir(cleaned)) return `${cleaned}/.`;
  if (hasTrailingSeparator(original) && !hasTrailingSeparator(cleaned)) return `${cleaned}/`;
  return cleaned;
}

/** go-archive's GetRebaseName. */
export function rebaseName(path: string, resolved: string): { resolved: string; rebase: string } {
  let r = resolved;
  if (specifiesCurrentDir(path) && !specifiesCurrentDir(r)) r += "/.";
  if (hasTrailingSeparator(path) && !hasTrailingSeparator(r)) r += "/";
  const base = (p: string) => basename(p.replace(/\/+$/, "")) || "/";
  const rebase = base(path) !== base(r) ? base(path) : "";
  return { resolved: r, rebase };
}

/**
 * Where to extract and how to rename, from the source and destination
 * (PrepareArchiveCopy); `rename` maps the source base to the destination's.
 */
export function prepareArchiveCopy(
  src: CopyInfo,
  dst: CopyInfo,
): { dstDir: string; rename?: { from: string; to: string } } {
  const { dir: dstDir, base: dstBase } = splitPathDirEntry(dst.path);
  let { base: srcBase } = splitPathDirEntry(src.path);
  if (dst.exists && dst.isDir) return { dstDir: dst.path };
  if (dst.exists && src.isDir) throw new CliError("cannot copy directory");
  if (src.rebaseName !== "") srcBase = src.rebaseName;
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) throw new CliError("no such directory");
  return { dstDir, rename: { from: srcBase, to: dstBase } };
}

/** RebaseArchiveEntries: entries under `from` move under `to`. */
export function rebaseEntry(name: string, from: string, to: string): string {
  if (from === "/" || from === "") return name;
  if (name === from || name.startsWith(`${from}/`)) return to + name.slice(from.length);
  return name;
}

async function lstatOrUndefined(p: string) {
  try {
    return await lstat(p);
  } catch {
    return undefined;
  }
}

/** CopyInfoDestinationPath: follows a final symlink; the parent must exist. */
async function localDestination(path: string): Promise<CopyInfo> {
  let p = path;
  let st = await lstatOrUndefined(p);
  for (let n = 0; st?.isSymbolicLink(); n++) {
    if (n > 10) throw new CliError(`too many symlinks in ${path}`);
    const target = await readlink(p);
    p = isAbsolute(target) ? target : join(splitPathDirEntry(p).dir, target);
    st = await lstatOrUndefined(p);
  }
  if (st) return { path: p, exists: true, isDir: st.isDirectory(), rebaseName: "" };
  const parent = splitPathDirEntry(p).dir;
  const ps = await stat(parent).catch(() => {
    throw new CliError(`lstat ${parent}: no such file or directory`);
  });
  if (!ps.isDirectory()) throw new CliError("not a directory");
  return { path: p, exists: false, isDir: false, rebaseName: "" };
}

/** CopyInfoSourcePath: symlinks resolved in the parents (and in the last component with -L). */
async function localSource(path: string, followLink: boolean): Promise<CopyInfo> {
  const fail = (err: unknown): never => {
    throw new CliError(
      `lstat ${path}: ${(err as { code?: string }).code === "ENOENT" ? "no such file or directory" : (err as Error).message}`,
    );
  };
  let resolvedPath: string;
  let rebase = "";
  if (followLink) {
    ({ resolved: resolvedPath, rebase } = rebaseName(path, await realpath(path).catch(fail)));
  } else {
    const { dir, base } = splitPathDirEntry(path);
    resolvedPath = join(await realpath(dir).catch(fail), base);
    if (hasTrailingSeparator(path) && basename(path.replace(/\/+$/, "")) !== basename(resolvedPath)) {
      rebase = basename(path.replace(/\/+$/, ""));
    }
    resolvedPath = preserveTrailing(resolvedPath, path);
  }
  const st = await lstat(resolvedPath).catch(fail);
  return { path: resolvedPath, exists: true, isDir: st.isDirectory(), rebaseName: rebase };
}

/** A tar of a local resource: `base` (or the directory's contents for ".") under its own name. */
function localTar(info: CopyInfo): Readable {
  const { dir, base } = splitPathDirEntry(info.path);
  const p = pack();
  const rename = (n: string) => (info.rebaseName !== "" ? rebaseEntry(n, base, info.rebaseName) : n);
  const add = async (abs: string, name: string): Promise<void> => {
    const st = await lstat(abs);
    const common = { name: rename(name), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
    if (st.isDirectory()) {
      p.entry({ ...common, type: "directory" });
      for (const child of (await readdir(abs)).sort()) await add(join(abs, child), `${name}/${child}`);
    } else if (st.isSymbolicLink()) {
      p.entry({ ...common, type: "symlink", linkname: await readlink(abs) });
    } else if (st.isFile()) {
      await new Promise<void>((res, rej) => {
        const e = p.entry({ ...common, type: "file", size: st.size }, (err) => (err ? rej(err) : res()));
        void pipeline(ReadableFile(abs), e).catch(rej);
      });
    }
  };
  void add(join(dir, base), base === "." ? "." : base).then(
    () => p.finalize(),
    (err: unknown) => p.destroy(err as Error),
  );
  return p as unknown as Readable;
}

function ReadableFile(abs: string): Readable {
  return Readable.from(
    (async function* () {
      const { open } = await import("node:fs/promises");
      const fh = await open(abs, "r");
      try {
        for await (const chunk of fh.createReadStream()) yield chunk as Buffer;
      } finally {
        await fh.close().catch(() => undefined);
      }
    })(),
  );
}

/** Untar into `dest` with NoOverwriteDirNonDir and no chown, never through a symlink under `dest`. */
async function untarLocal(tar: Readable, dest: string, rename?: { from: string; to: string }): Promise<void> {
  const ex = extract();
  const dirTimes: { path: string; mtime: Date }[] = [];
  ex.on("entry", (h: Header, stream, next) => {
    void place(h, stream as unknown as Readable).then(
      () => next(),
      (err: unknown) => ex.destroy(err as Error),
    );
  });
  const place = async (h: Header, stream: Readable): Promise<void> => {
    const name = rename ? rebaseEntry(h.name.replace(/\/+$/, ""), rename.from, rename.to) : h.name;
    const comps = cleanPath(name)
      .split("/")
      .filter((c) => c !== "" && c !== ".");
    if (comps.includes("..") || isAbsolute(cleanPath(name)))
      throw new CliError(`invalid tar entry: ${h.name}`);
    if (comps.length === 0) return void stream.resume();
    let parent = dest;
    for (const c of comps.slice(0, -1)) {
      parent = join(parent, c);
      const st = await lstatOrUndefined(parent);
      if (!st) await mkdir(parent, { mode: 0o755 });
      else if (!st.isDirectory())
        throw new CliError(`cannot extract ${h.name}: ${parent} is not a directory`);
    }
    const target = join(parent, comps[comps.length - 1] as string);
    const existing = await lstatOrUndefined(target);
    const isDir = h.type === "directory";
    if (existing?.isDirectory() && !isDir) {
      throw new CliError(`cannot overwrite directory "${target}" with non-directory "${name}"`);
    }
    if (existing && !existing.isDirectory() && isDir) {
      throw new CliError(`cannot overwrite non-directory "${target}" with directory "${name}"`);
    }
    if (existing && !isDir) await rm(target, { force: true });
    const mode = (h.mode ?? 0o644) & 0o7777;
    const mtime = h.mtime ?? new Date();
    switch (h.type) {
      case "directory":
        if (!existing) await mkdir(target);
        await chmod(target, mode);
        dirTimes.push({ path: target, mtime });
        stream.resume();
        return;
      case "symlink":
        await symlink(h.linkname ?? "", target);
        await lutimes(target, mtime, mtime);
        stream.resume();
        return;
      case "file":
      case "contiguous-file":
        await pipeline(stream, createWriteStream(target, { mode: 0o600, flags: "wx" }));
        await chmod(target, mode);
        await lutimes(target, mtime, mtime);
        return;
      default:
        stream.resume(); // devices, fifos, links: not recreated by a plain user copy
    }
  };
  await pipeline(tar, ex);
  for (const d of dirTimes.reverse()) await lutimes(d.path, d.mtime, d.mtime).catch(() => undefined);
}

async function copyFromContainer(
  ctx: CliContext,
  container: string,
  src: string,
  dst: string,
  follow: boolean,
) {
  let dstPath = dst;
  if (dst !== "-") {
    dstPath = preserveTrailing(resolve(dst), dst);
    const dir = dirname(cleanPath(dstPath));
    if (!(await lstatOrUndefined(dir)))
      throw new CliError(`invalid output path: directory "${dir}" does not exist`);
    const st = await stat(dstPath).catch(() => undefined);
    if (st && !st.isDirectory() && !st.isFile()) {
      throw new CliError(`invalid output path: "${dstPath}" must be a directory or a regular file`);
    }
  }
  let srcPath = src;
  let rebase = "";
  if (follow) {
    const s = await ctx.client.containerExtras.statPath(container, src).catch(() => undefined);
    if (s && isLinkMode(s.mode)) {
      let target = s.linkTarget;
      if (!target.startsWith("/")) target = join(splitPathDirEntry(src).dir, target);
      ({ resolved: srcPath, rebase } = rebaseName(src, target));
    }
  }
  const { stat: st, tar } = await ctx.client.containerExtras.getArchive(container, srcPath);
  if (dstPath === "-") {
    await pipeline(tar, ctx.stdout);
    return;
  }
  let counted = 0;
  const meter = new PassThrough();
  meter.on("data", (b: Buffer) => (counted += b.length));
  const srcInfo: CopyInfo = { path: srcPath, exists: true, isDir: isDirMode(st.mode), rebaseName: rebase };
  const dstInfo = await localDestination(dstPath);
  const plan = prepareArchiveCopy(srcInfo, dstInfo);
  const { base: srcBase } = splitPathDirEntry(srcInfo.path);
  // First the -L rename (link name back to what was asked), then the destination's.
  const renamed = rebase !== "" ? { from: srcBase, to: rebase } : undefined;
  const finalRename =
    plan.rename && renamed
      ? { from: srcBase, to: rebaseEntry(renamed.to, plan.rename.from, plan.rename.to) }
      : (plan.rename ?? renamed);
  await untarLocal(tar.pipe(meter), plan.dstDir, finalRename);
  if (ctx.stdout.isTTY === true) {
    ctx.stderr.write(
      `Successfully copied ${humanSize(isDirMode(st.mode) ? counted : st.size, 3)} to ${dstPath}\n`,
    );
  }
}

async function copyToContainer(
  ctx: CliContext,
  container: string,
  src: string,
  dst: string,
  follow: boolean,
  copyUIDGID: boolean,
) {
  const client = ctx.client.containerExtras;
  let dstInfo: CopyInfo = { path: dst, exists: false, isDir: false, rebaseName: "" };
  let s = await client.statPath(container, dst).catch(() => undefined);
  if (s && isLinkMode(s.mode)) {
    let target = s.linkTarget;
    if (!target.startsWith("/")) target = join(splitPathDirEntry(dst).dir, target);
    dstInfo = { ...dstInfo, path: target };
    s = await client.statPath(container, target).catch(() => undefined);
  }
  if (s) {
    if (isIrregular(s.mode)) {
      throw new CliError(`destination "${container}:${dst}" must be a directory or a regular file`);
    }
    dstInfo = { ...dstInfo, exists: true, isDir: isDirMode(s.mode) };
  }
  if (src === "-") {
    if (!dstInfo.isDir) throw new CliError(`destination "${container}:${dst}" must be a directory`);
    await client.putArchive(container, dstInfo.path, ctx.stdin, {
      noOverwriteDirNonDir: true,
      copyUIDGID,
    });
    return;
  }
  const srcInfo = await localSource(preserveTrailing(resolve(src), src), follow);
  const plan = prepareArchiveCopy(srcInfo, dstInfo);
  // localTar already named the entries after rebaseName, which is plan.rename.from then.
  const tar = plan.rename ? renameTar(localTar(srcInfo), plan.rename) : localTar(srcInfo);
  await client.putArchive(container, plan.dstDir, tar, { noOverwriteDirNonDir: true, copyUIDGID });
  if (ctx.stdout.isTTY === true) ctx.stderr.write(`Successfully copied to ${container}:${dstInfo.path}\n`);
}

/** Re-packs a tar with renamed entries (RebaseArchiveEntries). */
function renameTar(tar: Readable, r: { from: string; to: string }): Readable {
  const ex = extract();
  const out = pack();
  ex.on("entry", (h: Header, stream, next) => {
    const name = rebaseEntry(h.name.replace(/\/+$/, ""), r.from, r.to) + (h.type === "directory" ? "/" : "");
    const e = out.entry({ ...h, name }, (err) => (err ? ex.destroy(err) : next()));
    stream.pipe(e);
  });
  ex.on("finish", () => out.finalize());
  ex.on("error", (err) => out.destroy(err));
  tar.pipe(ex);
  return out as unknown as Readable;
}

export const cp: CommandSpec = {
  path: ["container", "cp"],
  aliases: [["cp"]],
  usage:
    "container cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
  description: "Copy files/folders between a container and the local filesystem",
  flags: [
    { name: "archive", short: "a", kind: "bool", description: "Archive mode (copy all uid/gid information)" },
    { name: "follow-link", short: "L", kind: "bool", description: "Always follow symlinks in SRC_PATH" },
    {
      name: "quiet",
      short: "q",
      kind: "bool",
      description:
        "Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached",
    },
  ],
  args: { min: 2, max: 2 },
  exactArgsMessage: true,
  async run(ctx, args) {
    const [source = "", dest = ""] = args.positionals;
    if (source === "") throw new CliError("source can not be empty");
    if (dest === "") throw new CliError("destination can not be empty");
    const s = splitCpArg(source);
    const d = splitCpArg(dest);
    const follow = args.bools.get("follow-link") === true;
    if (s.container !== "" && d.container !== "")
      throw new CliError("copying between containers is not supported");
    if (s.container !== "") await copyFromContainer(ctx, s.container, s.path, d.path, follow);
    else if (d.container !== "") {
      await copyToContainer(ctx, d.container, s.path, d.path, follow, args.bools.get("archive") === true);
    } else throw new CliError("must specify at least one container source");
    return 0;
  },
};
