/**
 * `ADD <git URL> <dest>`: the git work. The ref is resolved first with `git ls-remote`, as
 * BuildKit's git source does, so the step's cache key is the commit (a moved branch misses, an
 * unchanged one hits without cloning) and `--checksum` is checked even when the step is cached.
 * On a miss the repository is cloned into the build's scratch directory (gitContext.ts: shallow
 * fetch, checkout, submodules, loopback remotes only), checked to be at that commit, and `.git`
 * is dropped unless `--keep-git-dir=true`.
 */
import { rm } from "node:fs/promises";
import { internal, invalid } from "../errors.js";
import { runGit } from "../host/git.js";
import {
  defaultBranchOf,
  expectedCommit,
  isCommitSha,
  pickRemoteRef,
  type AddGitRef,
  type ResolvedGitRef,
} from "./addGitRef.js";
import { cloneGitRemote, type GitContext } from "./gitContext.js";
import { gitUrlMessages, nonLoopbackHost } from "./gitUrl.js";

export interface AddGitOptions {
  /** The build's scratch directory: ls-remote runs there, the checkout is made under it. */
  scratchDir: string;
  /** The build's cancellation: kills the running git. */
  signal?: AbortSignal;
}

/** ls-remote answers small: a remote that takes longer is not worth waiting for. */
const lsRemoteTimeoutMs = 5 * 60_000;

/** A remote this engine may not (or git could not safely) contact is refused before git runs. */
function refuseRemote(remote: string): void {
  const host = nonLoopbackHost(remote);
  if (host !== undefined) throw invalid(gitUrlMessages.notLoopback(host));
  // git would read it as an option.
  if (remote.startsWith("-")) throw invalid(`invalid git remote: ${remote}`);
}

async function lsRemote(args: readonly string[], opts: AddGitOptions, what: string): Promise<string> {
  const r = await runGit(["ls-remote", ...args], {
    cwd: opts.scratchDir,
    timeoutMs: lsRemoteTimeoutMs,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (!r.ok) throw internal(`${what}: ${r.output.trim()}: ${r.status}`);
  return r.output;
}

/** The commit (or annotated tag) the source's ref names now, and the ref to fetch. */
export async function resolveAddGit(src: AddGitRef, opts: AddGitOptions): Promise<ResolvedGitRef> {
  refuseRemote(src.remote);
  if (isCommitSha(src.ref)) return { sha: src.ref, ref: src.ref };
  let ref = src.ref;
  if (ref === "") {
    const out = await lsRemote(
      ["--symref", "--", src.remote, "HEAD"],
      opts,
      `error fetching default branch for repository ${src.remote}`,
    );
    ref = defaultBranchOf(out, src.remote);
  }
  const out = await lsRemote(
    ["--", src.remote, ref, `${ref}^{}`],
    opts,
    `failed to fetch remote ${src.remote}`,
  );
  return pickRemoteRef(out, ref);
}

/**
 * Clones the source at its resolved ref under the scratch directory; `dir` is what ADD copies
 * (the root or the subdirectory). The caller removes `root`.
 */
export async function checkoutAddGit(
  src: AddGitRef,
  resolved: ResolvedGitRef,
  keepGitDir: boolean,
  opts: AddGitOptions,
): Promise<GitContext> {
  const co = await cloneGitRemote(
    { remote: src.remote, ref: resolved.ref, subdir: src.subdir },
    opts.scratchDir,
    {
      ...(opts.signal ? { signal: opts.signal } : {}),
    },
  );
  try {
    const head = await runGit(["rev-parse", "HEAD"], {
      cwd: co.root,
      timeoutMs: 60_000,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const want = expectedCommit(resolved);
    // The branch moved between ls-remote and the fetch: the key would not name this content.
    if (!head.ok || head.output.trim() !== want)
      throw internal(
        `fetched ref ${resolved.ref} does not match expected commit ${want} and commit can not be found in the repository`,
      );
    if (keepGitDir) await rm(`${co.root}/.git/FETCH_HEAD`, { force: true });
    else await rm(`${co.root}/.git`, { recursive: true, force: true });
    return co;
  } catch (err) {
    await rm(co.root, { recursive: true, force: true });
    throw err;
  }
}
