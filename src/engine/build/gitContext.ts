/**
 * A build context from a git repository (`POST /build?remote=<git URL>`), as moby's
 * remotecontext/git does it: `git init` in a new directory, `remote add origin`, a shallow
 * `fetch origin -- <ref>` (a full one when the server is git's "dumb" HTTP, which cannot serve
 * shallow fetches), `checkout <ref>` falling back to FETCH_HEAD (tags and commits), then the
 * submodules, shallow too. The `#ref:subdir` subdirectory becomes the context root; it may not
 * lead out of the checkout. Errors carry Docker's texts with git's output.
 *
 * This engine contacts only loopback addresses: the remote and every submodule URL are checked
 * before git runs against them.
 */
import { lstat, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { posix } from "node:path";
import { EngineError, errnoCode, internal, invalid } from "../errors.js";
import { runGit, type GitResult } from "../host/git.js";
import { GitUrlError, gitUrlMessages, nonLoopbackHost, parseGitUrl, type GitRemote } from "./gitUrl.js";
import { resolveInRoot } from "./rootPath.js";

/** Docker's texts for a git context that cannot be made. */
export const gitContextMessages = {
  init: (root: string, out: string, status: string) => `failed to init repo at ${root}: ${out}: ${status}`,
  addOrigin: (remote: string, out: string, status: string) =>
    `failed add origin repo at ${remote}: ${out}: ${status}`,
  fetch: (out: string, status: string) => `error fetching: ${out}: ${status}`,
  checkout: (ref: string, out: string, status: string) => `error checking out ${ref}: ${out}: ${status}`,
  submodules: (out: string, status: string) => `error initializing submodules: ${out}: ${status}`,
  notWithinRoot: (subdir: string, path: string, root: string) =>
    `error setting git context, "${subdir}" not within git root: evalSymlinksInScope: ${path} is not in ${root}`,
  notADirectory: (path: string) => `error setting git context, not a directory: ${path}`,
};

export interface GitCloneOptions {
  /** For the whole clone (every git command shares it); default 15 minutes. */
  timeoutMs?: number;
  /** The build's cancellation: kills the running git. */
  signal?: AbortSignal;
}

export interface GitContext {
  /** The checkout (the caller removes it when the build is done). */
  root: string;
  /** The context directory: `root` or its `#ref:subdir` subdirectory. */
  dir: string;
}

/** The git context errors are 500s in dockerd; a URL the engine refuses to contact is bad input. */
function failed(message: string): EngineError {
  return internal(message);
}

/** A remote this engine may not contact is the client's mistake (400), before git runs. */
function refuseNonLoopback(remote: string): void {
  const host = nonLoopbackHost(remote);
  if (host !== undefined) throw invalid(gitUrlMessages.notLoopback(host));
}

/** Go's text for an errno from os.Stat. */
function goErrno(err: unknown): string {
  switch (errnoCode(err)) {
    case "ENOENT":
      return "no such file or directory";
    case "ENOTDIR":
      return "not a directory";
    case "EACCES":
      return "permission denied";
    case "ELOOP":
      return "too many levels of symbolic links";
    default:
      return (err as Error).message;
  }
}

/**
 * The context directory for `subdir` inside `root`, as moby's FollowSymlinkInScope then
 * os.Stat: a path that leaves the root lexically is refused, symlinks are followed but stay
 * inside it, and the result must be an existing directory.
 */
export async function gitSubdir(root: string, subdir: string): Promise<string> {
  if (subdir === "") return root;
  const lexical = posix.join(root, subdir);
  if (lexical !== root && !lexical.startsWith(`${root}/`))
    throw failed(gitContextMessages.notWithinRoot(subdir, lexical, root));
  const dir = await resolveInRoot(root, lexical.slice(root.length));
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (err) {
    throw failed(`stat ${dir}: ${goErrno(err)}`);
  }
  if (!isDir) throw failed(gitContextMessages.notADirectory(dir));
  return dir;
}

/** Runs git commands against one deadline and one signal. */
class GitRunner {
  private readonly limitMs: number;
  private readonly deadline: number;

  constructor(private readonly opts: GitCloneOptions) {
    this.limitMs = opts.timeoutMs ?? 15 * 60_000;
    this.deadline = Date.now() + this.limitMs;
  }

  async run(cwd: string, args: readonly string[]): Promise<GitResult> {
    const timeoutMs = Math.max(1, this.deadline - Date.now());
    const r = await runGit(args, {
      cwd,
      timeoutMs,
      ...(this.opts.signal ? { signal: this.opts.signal } : {}),
    });
    if (!r.timedOut) return r;
    const limit = this.limitMs < 1000 ? `${this.limitMs}ms` : `${Math.round(this.limitMs / 1000)}s`;
    return { ...r, status: `${r.status} (the clone took more than ${limit})` };
  }

  /**
   * `git <command> --depth=1 <rest>`, again without `--depth` when the server is git's dumb
   * HTTP, which cannot serve shallow fetches (moby asks the server first; same outcome).
   */
  async shallow(cwd: string, command: readonly string[], rest: readonly string[]): Promise<GitResult> {
    const r = await this.run(cwd, [...command, "--depth=1", ...rest]);
    if (r.ok || !/does not support shallow/.test(r.output)) return r;
    return this.run(cwd, [...command, ...rest]);
  }
}

/**
 * Clones `url` (a git URL: see gitUrl.ts) into a new directory under `parent` and returns the
 * checkout and the context directory in it. On failure nothing is left under `parent`.
 */
export async function cloneGitContext(
  url: string,
  parent: string,
  opts: GitCloneOptions = {},
): Promise<GitContext> {
  let repo: GitRemote;
  try {
    repo = parseGitUrl(url);
  } catch (err) {
    throw err instanceof GitUrlError ? failed(err.message) : err;
  }
  return cloneGitRemote(repo, parent, opts);
}

/**
 * The clone of an already split remote (ADD's git sources parse their URLs the BuildKit way):
 * the same steps, checks and texts as cloneGitContext.
 */
export async function cloneGitRemote(
  repo: GitRemote,
  parent: string,
  opts: GitCloneOptions = {},
): Promise<GitContext> {
  refuseNonLoopback(repo.remote);
  const root = await mkdtemp(`${parent}/docker-build-git`);
  try {
    const git = new GitRunner(opts);
    let r = await git.run(root, ["init"]);
    if (!r.ok) throw failed(gitContextMessages.init(root, r.output, r.status));
    r = await git.run(root, ["remote", "add", "origin", repo.remote]);
    if (!r.ok) throw failed(gitContextMessages.addOrigin(repo.remote, r.output, r.status));
    r = await git.shallow(root, ["fetch"], ["origin", "--", repo.ref]);
    if (!r.ok) throw failed(gitContextMessages.fetch(r.output, r.status));
    // By name first: a branch gets its own local branch; tags and commits are in FETCH_HEAD.
    const byName = await git.run(root, ["checkout", repo.ref]);
    if (!byName.ok && !(await git.run(root, ["checkout", "FETCH_HEAD"])).ok)
      throw failed(gitContextMessages.checkout(repo.ref, byName.output, byName.status));
    const dir = await gitSubdir(root, repo.subdir);
    await updateSubmodules(git, root, root);
    return { root, dir };
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}

/** `key\nvalue\0` records of `git config -z --get-regexp` as [key, value] pairs. */
function configPairs(output: string): [string, string][] {
  return output
    .split("\0")
    .filter((rec) => rec !== "")
    .map((rec) => {
      const nl = rec.indexOf("\n");
      return nl < 0 ? [rec, ""] : [rec.slice(0, nl), rec.slice(nl + 1)];
    });
}

/**
 * `git submodule update --init --recursive --depth=1`, one level at a time so that every
 * submodule URL (relative ones resolved by `submodule init`) is checked before it is fetched.
 */
async function updateSubmodules(git: GitRunner, root: string, dir: string): Promise<void> {
  const gitmodules = await lstat(`${dir}/.gitmodules`).catch(() => undefined);
  if (gitmodules === undefined || !gitmodules.isFile()) return;
  const fail = (r: GitResult) => failed(gitContextMessages.submodules(r.output, r.status));
  let r = await git.run(dir, ["submodule", "init"]);
  if (!r.ok) throw fail(r);
  r = await git.run(dir, ["config", "-z", "--get-regexp", "^submodule\\..*\\.url$"]);
  // Exit status 1: no submodule is active (nothing to fetch).
  if (!r.ok && r.status !== "exit status 1") throw fail(r);
  const urls = r.ok ? configPairs(r.output) : [];
  if (urls.length === 0) return;
  for (const [, u] of urls) refuseNonLoopback(u);
  r = await git.shallow(dir, ["submodule", "update"], []);
  if (!r.ok) throw fail(r);
  r = await git.run(dir, ["config", "-z", "-f", ".gitmodules", "--get-regexp", "^submodule\\..*\\.path$"]);
  const paths = r.ok ? configPairs(r.output).map(([, p]) => p) : [];
  for (const p of paths) {
    const sub = posix.join(dir, p);
    // git refuses such paths itself; the check keeps the walk inside the checkout regardless.
    if (!sub.startsWith(`${root}/`)) continue;
    const isRepo = await readFile(`${sub}/.git`).then(
      () => true,
      (err: unknown) => errnoCode(err) === "EISDIR",
    );
    if (isRepo) await updateSubmodules(git, root, sub);
  }
}
