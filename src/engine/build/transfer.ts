/**
 * COPY and ADD: sources from the context, another stage or an image (`--from`), a URL or a
 * local archive (ADD), copied into the step's container with `--chown`/`--chmod`, and the
 * history text `COPY file:<hash> in <dest> ` whose hash makes the cache follow content.
 * BuildKit's flags work too: `--exclude` and `--parents` choose what is copied (copyUnits.ts),
 * `--link` copies as into an empty image and lays the result over it (linkMerge.ts), ADD's
 * `--unpack` says whether archives are extracted and `--checksum` pins a URL's content; each
 * flag is written into the history text, so it is part of the step's cache key. ADD of a git
 * repository (BuildKit's git sources, addGitRef.ts) copies its checkout like a directory; its
 * label is the resolved commit, so a moved branch is a new key.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { posix } from "node:path";
import { pipeline } from "node:stream/promises";
import { invalid } from "../errors.js";
import { newHexId } from "../ids.js";
import { buildMessages } from "../messages.js";
import { applyLayerTar } from "../layers/apply.js";
import { isTarArchiveFile } from "../layers/tarProbe.js";
import type { AddInstruction, CopyInstruction } from "./dockerfile/index.js";
import { checkChecksumFlag, verifyChecksum } from "./addChecksum.js";
import {
  addGitMessages,
  checkGitChecksum,
  gitSourceKey,
  isGitUrlSource,
  parseAddGitRef,
  type AddGitRef,
  type ResolvedGitRef,
} from "./addGitRef.js";
import { checkoutAddGit, resolveAddGit } from "./addGitSource.js";
import { excludePatterns } from "./copyFilter.js";
import { planEntries } from "./copyPlan.js";
import { copyIntoRoot } from "./copyTree.js";
import { copyUnits, unitsLabel, type CopyUnit } from "./copyUnits.js";
import type { DispatchContext } from "./dispatch.js";
import { transferComment, nopFileCmd } from "./history.js";
import { mergeStaged } from "./linkMerge.js";
import { mkdirInRoot } from "./rootPath.js";
import type { StageState } from "./stage.js";
import { fileDigest, type KnownTree, type Source } from "./sources.js";
import { withFlagWords } from "./transferFlags.js";
import { resolveChown, type Owner } from "./users.js";

export interface TransferContext {
  /** The unpacked build context. */
  contextDir: string;
  /** A scratch directory of this build (downloads, archives). */
  scratchDir: string;
  /** What the context mirror's index knows of contextDir (COPY hashes from it). */
  contextKnown?: KnownTree;
  /** The root filesystem of a stage or an image named by `--from`, mounted until the build ends. */
  fromRoot(from: string): Promise<string>;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

function parseChmod(spec: string | undefined): number | undefined {
  if (spec === undefined || spec === "") return undefined;
  if (!/^[0-7]{1,4}$/.test(spec)) throw invalid(`invalid chmod parameter: ${spec}`);
  return parseInt(spec, 8);
}

/** Downloads an ADD URL into the scratch dir: mode 0600, mtime from Last-Modified. */
async function download(d: DispatchContext, url: string): Promise<Source & { digest: string }> {
  const name = posix.basename(new URL(url).pathname);
  const dir = `${d.scratchDir}/dl-${newHexId().slice(0, 12)}`;
  await mkdir(dir, { recursive: true });
  const file = `${dir}/${name || "download"}`;
  const { stream } = await d.exec.deps.openUrl(url);
  await pipeline(stream, createWriteStream(file, { mode: 0o600 }));
  const lm = stream.headers?.["last-modified"];
  if (typeof lm === "string" && !Number.isNaN(Date.parse(lm))) {
    const t = new Date(lm);
    await utimes(file, t, t);
  }
  return { abs: file, name: name, isDir: false, digest: await fileDigest(file) };
}

export async function transferStep(
  d: DispatchContext,
  st: StageState,
  instr: CopyInstruction | AddInstruction,
) {
  const cmd = instr.kind === "copy" ? "COPY" : "ADD";
  const mode = parseChmod(instr.chmod);
  const from = instr.kind === "copy" ? instr.from : undefined;
  const srcRoot = from !== undefined ? await d.fromRoot(from) : d.contextDir;
  const isAdd = instr.kind === "add";
  if (!isAdd && instr.sources.some(isGitUrlSource)) throw invalid(addGitMessages.copyGitRef);
  if (!isAdd && instr.sources.some(isUrl)) throw invalid("source can't be a URL for COPY");
  const { locals, urls, gits } = classifySources(instr);
  const pin =
    isAdd && instr.checksum !== undefined ? checkChecksumFlag(instr.checksum, instr.sources) : undefined;
  const keepGitDir = isAdd && instr.keepGitDir === true;
  const gitOpts = { scratchDir: d.scratchDir, ...(d.exec.signal ? { signal: d.exec.signal } : {}) };
  const repos: { src: AddGitRef; resolved: ResolvedGitRef }[] = [];
  for (const src of gits) {
    // Resolved before the step, as BuildKit does: the commit is the cache key, the pin is
    // checked even when the step is cached.
    const resolved = await resolveAddGit(src, gitOpts);
    if (pin !== undefined) checkGitChecksum(pin, resolved);
    repos.push({ src, resolved });
  }
  const parents = instr.kind === "copy" && instr.parents;
  const flags = { parents, exclude: excludePatterns(instr.exclude) };
  const units = locals.length > 0 ? await copyUnits(srcRoot, locals, cmd, flags) : [];
  const heredocs = await heredocFiles(d, instr);
  const downloads = [];
  for (const u of urls) {
    const file = await download(d, u);
    if (pin !== undefined) verifyChecksum(u, file.digest, pin);
    downloads.push(file);
  }
  const sources: CopyUnit[] = [...units, ...heredocs];
  const all: Source[] = [...sources, ...downloads];
  const wildcard = locals.some((s) => /[*?[]/.test(s));
  const several = all.length + repos.length > 1 || instr.sources.length + instr.sourceContents.length > 1;
  const dest = instr.dest;
  // --parents copies directories' content: BuildKit takes a destination without a slash too.
  if (several && !parents && !dest.endsWith("/")) throw invalid(buildMessages.multiSourceDest(cmd));
  const workdir = st.config.WorkingDir || "/";
  const destPath = dest.startsWith("/")
    ? dest
    : posix.join(workdir, dest) + (dest.endsWith("/") || dest === "." ? "/" : "");
  const destIsDir = destPath.endsWith("/") || several || wildcard;
  const gitKeys = repos.map(({ src, resolved }) => `git:${gitSourceKey(resolved, keepGitDir, src.subdir)}`);
  const label =
    all.length === 0 && gitKeys.length === 1
      ? (gitKeys[0] as string)
      : await unitsLabel(
          sources,
          [...downloads.map((x) => x.digest), ...gitKeys],
          from === undefined ? d.contextKnown : undefined,
        );
  const comment = transferComment({
    kind: cmd,
    ...(instr.chown ? { chown: instr.chown } : {}),
    ...(instr.chmod ? { chmod: instr.chmod } : {}),
    ...(from !== undefined ? { from } : {}),
    sourceHash: withFlagWords(instr, label),
    dest,
  });
  const archives = await archivesOf(instr, units, downloads);
  const config = structuredClone(st.config);
  await d.exec.step(
    st,
    {
      cmd: nopFileCmd(comment),
      config,
      announce: false,
      work: async (root) => {
        const owner: Owner | undefined = instr.chown ? await resolveChown(root, instr.chown) : undefined;
        const opts = { owner: owner ?? { uid: 0, gid: 0 }, mode };
        // BuildKit merges a --link copy only without --chmod; with it the copy is a plain one.
        const staged = instr.link && mode === undefined ? await mkdtemp(`${d.scratchDir}/link-`) : undefined;
        const target = staged ?? root;
        try {
          // --parents whose wildcards matched nothing still makes the destination.
          if (all.length === 0 && repos.length === 0) await mkdirInRoot(target, destPath, opts.owner);
          for (const s of all) {
            if (archives.has(s.abs)) await unpackInto(d, target, s.abs, destPath, owner);
            else await copyIntoRoot(target, s, destPath, destIsDir, opts);
          }
          for (const r of repos) {
            const co = await checkoutAddGit(r.src, r.resolved, keepGitDir, gitOpts);
            try {
              const unit: CopyUnit = { abs: co.dir, name: ".", isDir: true };
              if (flags.exclude.length > 0) unit.plan = planEntries(co.dir, { exclude: flags.exclude });
              await copyIntoRoot(target, unit, destPath, true, opts);
            } finally {
              await rm(co.root, { recursive: true, force: true });
            }
          }
          if (staged !== undefined) await mergeStaged(staged, root);
        } finally {
          if (staged !== undefined) await rm(staged, { recursive: true, force: true });
        }
      },
    },
    d.emit,
  );
}

/** An instruction's sources by kind: git repositories and URLs (ADD only), then local paths. */
function classifySources(instr: CopyInstruction | AddInstruction): {
  locals: string[];
  urls: string[];
  gits: AddGitRef[];
} {
  const out = { locals: [] as string[], urls: [] as string[], gits: [] as AddGitRef[] };
  for (const s of instr.sources) {
    const git = instr.kind === "add" ? parseAddGitRef(s) : undefined;
    if (git !== undefined) out.gits.push(git);
    else if (instr.kind === "add" && isUrl(s)) out.urls.push(s);
    else out.locals.push(s);
  }
  return out;
}

/**
 * The archives ADD extracts: local ones unless `--unpack=false`, downloaded ones only with
 * `--unpack=true` (BuildKit's defaults); heredocs never.
 */
async function archivesOf(
  instr: CopyInstruction | AddInstruction,
  units: readonly Source[],
  downloads: readonly Source[],
): Promise<Set<string>> {
  const out = new Set<string>();
  if (instr.kind !== "add") return out;
  const candidates = [...(instr.unpack !== false ? units : []), ...(instr.unpack === true ? downloads : [])];
  for (const s of candidates) if (!s.isDir && (await isTarArchiveFile(s.abs))) out.add(s.abs);
  return out;
}

/**
 * Heredoc sources (`COPY <<EOF /dst`, BuildKit's syntax, accepted here by the classic builder):
 * each body becomes a file named after its delimiter, mode 0644, in the build's scratch
 * directory, then copies like a context file (its content makes the cache key).
 */
async function heredocFiles(d: DispatchContext, instr: CopyInstruction | AddInstruction): Promise<Source[]> {
  const out: Source[] = [];
  for (const h of instr.sourceContents) {
    if (h.name.includes("/") || h.name === "." || h.name === "..")
      throw invalid(`invalid heredoc name as a file name: ${h.name}`);
    const dir = `${d.scratchDir}/heredoc-${newHexId().slice(0, 12)}`;
    await mkdir(dir, { recursive: true });
    const file = `${dir}/${h.name}`;
    await writeFile(file, h.content, { mode: 0o644 });
    await chmod(file, 0o644);
    out.push({ abs: file, name: h.name, isDir: false });
  }
  return out;
}

/** ADD of a local archive: its content goes into the destination directory. */
async function unpackInto(
  d: DispatchContext,
  root: string,
  archive: string,
  dest: string,
  owner: Owner | undefined,
): Promise<void> {
  const tmp = `${d.scratchDir}/x-${createHash("sha256")
    .update(archive + Math.random())
    .digest("hex")
    .slice(0, 12)}`;
  await mkdir(tmp, { recursive: true });
  try {
    await applyLayerTar(createReadStream(archive), tmp);
    await copyIntoRoot(root, { abs: tmp, name: ".", isDir: true }, dest, true, { owner, mode: undefined });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
