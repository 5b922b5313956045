/**
 * Git build contexts, the pure part: which strings are git URLs (docker's urlutil.IsGitURL,
 * shared by the berth CLI and the daemon), and how one splits into the remote to fetch, the
 * ref to check out and the subdirectory used as the context (moby's parseRemoteURL):
 * `<remote>#<ref>:<subdir>`, ref `master` when none is given, as Docker does.
 */
import { isLoopbackHost } from "../loopback.js";

export interface GitRemote {
  /** What `git remote add origin` gets: the URL without its fragment. */
  remote: string;
  /** Branch, tag, or commit to fetch and check out. */
  ref: string;
  /** The context's directory inside the checkout; "" for its root. */
  subdir: string;
}

/** Docker's texts for a git context that cannot be parsed. */
export const gitUrlMessages = {
  invalidRefspec: (ref: string) => `invalid refspec: ${ref}`,
  invalidEscape: (url: string, escape: string) => `parse "${url}": invalid URL escape "${escape}"`,
  notLoopback: (host: string) =>
    `cloning from ${host} is not allowed: this engine only fetches from loopback addresses`,
};

export class GitUrlError extends Error {
  override readonly name = "GitUrlError";
}

/** http(s) URLs count only when they end in `.git`, optionally followed by a fragment. */
const httpGitPath = /\.git(?:#.+)?$/;

/**
 * docker's IsGitURL: `http(s)://….git[#fragment]`, or a `git://`, `git@`, `ssh://` or
 * `github.com/` prefix. Callers with a local directory check that it does not exist first.
 */
export function isGitUrl(s: string): boolean {
  if ((s.startsWith("http://") || s.startsWith("https://")) && httpGitPath.test(s)) return true;
  return ["git://", "github.com/", "git@", "ssh://"].some((p) => s.startsWith(p));
}

/** The URL's scheme, lowercased, when it has one (Go's url.Parse reads `scheme:`). */
function schemeOf(s: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(s);
  return m?.[1]?.toLowerCase() ?? "";
}

/** moby's isGitTransport: anything else is taken as an https URL without its scheme. */
function isGitTransport(s: string): boolean {
  return s.startsWith("git@") || ["git", "http", "https", "ssh"].includes(schemeOf(s));
}

/** Go's url unescaping of a fragment: %XX escapes become bytes; a bad escape is an error. */
function unescapeFragment(url: string, fragment: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < fragment.length;) {
    const c = fragment[i] as string;
    if (c === "%") {
      const hex = fragment.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex))
        throw new GitUrlError(gitUrlMessages.invalidEscape(url, fragment.slice(i, i + 3)));
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      bytes.push(...Buffer.from(c, "utf8"));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** A fragment's `<ref>:<subdir>`, split at the first colon; both may be empty. */
export function splitRefSubdir(fragment: string): { ref: string; subdir: string } {
  const colon = fragment.indexOf(":");
  return colon < 0
    ? { ref: fragment, subdir: "" }
    : { ref: fragment.slice(0, colon), subdir: fragment.slice(colon + 1) };
}

/** Splits a git URL as moby's parseRemoteURL does; throws GitUrlError with Docker's text. */
export function parseGitUrl(url: string): GitRemote {
  const full = isGitTransport(url) ? url : `https://${url}`;
  const hash = full.indexOf("#");
  const remote = hash < 0 ? full : full.slice(0, hash);
  const raw = hash < 0 ? "" : full.slice(hash + 1);
  // git@host:path is not a URL: its fragment is taken as written.
  const fragment = full.startsWith("git@") ? raw : unescapeFragment(full, raw);
  const split = splitRefSubdir(fragment);
  const { subdir } = split;
  const ref = split.ref === "" ? "master" : split.ref; // Docker's default, not the remote's HEAD
  // A ref that git would read as an option.
  if (ref.startsWith("-")) throw new GitUrlError(gitUrlMessages.invalidRefspec(ref));
  return { remote, ref, subdir };
}

/**
 * The host a git remote contacts: a URL's host, or the host of scp-like `[user@]host:path`;
 * undefined for a local path (git's own `protocol.file.allow=never` refuses those).
 */
export function gitRemoteHost(remote: string): string | undefined {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(remote)) {
    try {
      return new URL(remote).hostname.replace(/^\[|\]$/g, "");
    } catch {
      // Not parseable as a URL: keep git from guessing a host out of it.
      return remote;
    }
  }
  const scp = /^(?:[^@/:]+@)?(\[[^\]]*\]|[^/:]+):/.exec(remote);
  if (scp?.[1] !== undefined) return scp[1].replace(/^\[|\]$/g, "");
  return undefined;
}

/** The host other than loopback the remote would contact, if any. */
export function nonLoopbackHost(remote: string): string | undefined {
  const host = gitRemoteHost(remote);
  return host !== undefined && !isLoopbackHost(host) ? host : undefined;
}
