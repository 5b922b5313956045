/**
 * `ADD <git URL> <dest>`, the pure part, as BuildKit's Dockerfile frontend and git source do it
 * (dockerfile2llb's ParseGitRef, the git source's ref resolution and checksum check):
 *
 * - which sources are git repositories: a `http`/`https`/`git`/`ssh` URL (http(s) only when its
 *   path ends in `.git`) or an scp-like `user@host:path`; `github.com/…` is not (BuildKit
 *   keeps that form for build contexts only: for ADD it is a local path);
 * - the `#ref:subdir` fragment (no ref: the remote's default branch, not docker's `master`);
 * - which commit `git ls-remote <remote> <ref> <ref>^{}` names (a branch before a tag, an
 *   annotated tag peeled to its commit), `--checksum` (a hex prefix of that commit) and the
 *   content key of the checkout (commit, `.git` when kept, subdirectory), with BuildKit's texts.
 */
import { invalid, notImplemented } from "../errors.js";
import { splitRefSubdir } from "./gitUrl.js";

export interface AddGitRef {
  /** What git fetches from: the source without its fragment. */
  remote: string;
  /** Branch, tag or commit; "" for the remote's default branch. */
  ref: string;
  /** The directory of the checkout that is copied; "" for its root. */
  subdir: string;
}

/** BuildKit's texts (source/git and the Dockerfile frontend). */
export const addGitMessages = {
  copyGitRef: "source can't be a git ref for COPY",
  notHexChecksum: (c: string) => `invalid checksum ${c} for Git URL, expected hex commit hash`,
  checksumMismatch: (want: string, got: string) => `expected checksum to match ${want}, got ${got}`,
  noSuchRef: (ref: string, output: string) =>
    `repository does not contain ref ${ref}, output: ${JSON.stringify(output)}`,
  invalidSha: (sha: string) => `invalid commit sha ${JSON.stringify(sha)}`,
  noDefaultBranch: (remote: string) => `could not find default branch for repository: ${remote}`,
  csvFragment: "the ##key=value form of a git URL's fragment is not supported by this builder",
};

/** The schemes gitutil.ParseURL accepts (`<alnum>://`). */
const gitSchemes = new Set(["http", "https", "git", "ssh"]);

/**
 * sshutil's scp-like form: `user@host:path[#fragment]`. The user is required (sshutil's
 * tests: `github.com:moby/buildkit.git` is not one), so a file named `a:b` stays a file.
 */
const scpLike = /^([a-zA-Z0-9_-]+)@([a-zA-Z0-9.-]+):(.*?)(?:#(.*))?$/s;

/** A ref or fragment split at the first colon, as gitutil's splitGitFragment. */
function splitFragment(fragment: string): { ref: string; subdir: string } {
  // BuildKit's newer `##ref=…,subdir=…` form: refused rather than fetched as a branch named "#…".
  if (fragment.startsWith("#")) throw notImplemented(addGitMessages.csvFragment);
  return splitRefSubdir(fragment);
}

/** `scheme://…`: undefined when the scheme is not git's or an http(s) path lacks `.git`. */
function parseSchemeUrl(src: string, scheme: string): AddGitRef | undefined {
  if (!gitSchemes.has(scheme)) return undefined;
  let url: URL;
  try {
    url = new URL(src);
  } catch {
    return undefined;
  }
  if ((scheme === "http" || scheme === "https") && !decodeURIComponent(url.pathname).endsWith(".git"))
    return undefined;
  const hash = src.indexOf("#");
  if (hash < 0) return { remote: src, ref: "", subdir: "" };
  let fragment: string;
  try {
    fragment = decodeURIComponent(src.slice(hash + 1));
  } catch {
    // Go's url.Parse fails on a bad escape: then it is no git ref at all.
    return undefined;
  }
  return { remote: src.slice(0, hash), ...splitFragment(fragment) };
}

/**
 * An scp-like remote, unless Go's url.Parse would read a scheme followed by a path (`x:/p`):
 * sshutil refuses those. Its fragment is taken as written.
 */
function parseScpLike(src: string): AddGitRef | undefined {
  const beforeHash = src.split("#", 1)[0] as string;
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:(.*)$/s.exec(beforeHash);
  if (scheme !== null && (scheme[1] === "" || (scheme[1] as string).startsWith("/"))) return undefined;
  const m = scpLike.exec(src);
  if (m === null) return undefined;
  const remote = `${m[1] as string}@${m[2] as string}:${m[3] as string}`;
  return { remote, ...splitFragment(m[4] ?? "") };
}

/**
 * The git ref an ADD source names, or undefined when it is a local path or a plain URL.
 * Throws only for a git URL this builder cannot take (the `##` fragment form).
 */
export function parseAddGitRef(src: string): AddGitRef | undefined {
  if (src.startsWith("./") || src.startsWith("../") || src.startsWith("github.com/")) return undefined;
  const proto = /^([a-zA-Z0-9]+):\/\//.exec(src);
  if (proto !== null) return parseSchemeUrl(src, (proto[1] as string).toLowerCase());
  return parseScpLike(src);
}

/** Whether an ADD source is a git repository (BuildKit's isGitSource). */
export function isAddGitSource(src: string): boolean {
  try {
    return parseAddGitRef(src) !== undefined;
  } catch {
    return true;
  }
}

/** A URL form git source (`<scheme>://`): COPY refuses those with BuildKit's text. */
export function isGitUrlSource(src: string): boolean {
  return /^[a-zA-Z0-9]+:\/\//.test(src) && isAddGitSource(src);
}

/** gitutil.IsCommitSHA: a full sha1 or sha256 object name. */
export function isCommitSha(s: string): boolean {
  return /^(?:[a-f0-9]{40}|[a-f0-9]{64})$/.test(s);
}

/** What a ref resolved to. */
export interface ResolvedGitRef {
  /** The object the ref names: a commit, or an annotated tag. */
  sha: string;
  /** The commit of an annotated tag (undefined for branches, lightweight tags, commits). */
  tagCommit?: string;
  /** The ref to fetch: the one asked for, or the default branch when none was. */
  ref: string;
}

/** The default branch from `git ls-remote --symref <remote> HEAD`. */
export function defaultBranchOf(output: string, remote: string): string {
  const m = /refs\/heads\/(\S+)/.exec(output);
  if (m === null) throw invalid(addGitMessages.noDefaultBranch(remote));
  return m[1] as string;
}

/**
 * The commit `ref` names in `git ls-remote <remote> <ref> <ref>^{}` output, as BuildKit picks
 * it: an exact `refs/…` match, else the branch, else the tag (and its peeled commit).
 */
export function pickRemoteRef(output: string, ref: string): ResolvedGitRef {
  const strip = (prefix: string) => (ref.startsWith(prefix) ? ref.slice(prefix.length) : ref);
  const partialRef = `refs/${strip("refs/")}`;
  const headRef = `refs/heads/${strip("refs/heads/")}`;
  const tagRef = `refs/tags/${strip("refs/tags/")}`;
  let sha = "";
  let headSha = "";
  let tagSha = "";
  let peeled = "";
  for (const line of output.split("\n")) {
    const tab = line.indexOf("\t");
    if (tab < 0) continue;
    const lineSha = line.slice(0, tab);
    const lineRef = line.slice(tab + 1);
    if (lineRef === headRef) headSha = lineSha;
    else if (lineRef === tagRef) tagSha = lineSha;
    else if (lineRef === `${tagRef}^{}`) peeled = lineSha;
    else if (lineRef === partialRef) sha = lineSha;
  }
  // git checkout prefers a branch when a name is both.
  if (sha === "") sha = headSha;
  if (sha !== "") peeled = "";
  else sha = tagSha;
  if (sha === "") throw invalid(addGitMessages.noSuchRef(ref, output));
  if (!isCommitSha(sha)) throw invalid(addGitMessages.invalidSha(sha));
  return { sha, ref, ...(peeled !== "" ? { tagCommit: peeled } : {}) };
}

/** BuildKit's `--checksum` check for a git source: a hex prefix of the commit (or the tag). */
export function checkGitChecksum(checksum: string, resolved: ResolvedGitRef): void {
  if (!/^[a-fA-F0-9]+$/.test(checksum)) throw invalid(addGitMessages.notHexChecksum(checksum));
  const { sha, tagCommit } = resolved;
  if (sha.startsWith(checksum) || (tagCommit?.startsWith(checksum) ?? false)) return;
  const got = tagCommit !== undefined ? `${sha} or ${tagCommit}` : sha;
  throw invalid(addGitMessages.checksumMismatch(checksum, got));
}

/** The commit a checkout must be at (an annotated tag's commit, not the tag). */
export function expectedCommit(resolved: ResolvedGitRef): string {
  return resolved.tagCommit ?? resolved.sha;
}

/**
 * The content key of a checkout (BuildKit's shaToCacheKey): the commit (the tag object when
 * `.git` is kept, since the tag is in it), `.git` when kept, `:subdir` when one is copied.
 * Never the URL alone: a branch moves.
 */
export function gitSourceKey(resolved: ResolvedGitRef, keepGitDir: boolean, subdir: string): string {
  let key = keepGitDir ? resolved.sha : expectedCommit(resolved);
  if (keepGitDir) key += ".git";
  if (subdir !== "") key += `:${subdir}`;
  return key;
}
