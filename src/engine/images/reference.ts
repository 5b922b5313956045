/**
 * Docker's image reference grammar (distribution/reference), re-expressed:
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path-component ( "/" path-component )*
 *   domain    := host [ ":" port ]    (a first component with "." or ":", or "localhost")
 *
 * References are stored normalised (`docker.io/library/busybox:latest`) and
 * shown in their familiar form (`busybox:latest`).
 */
import { invalid } from "../errors.js";
import { messages } from "../messages.js";

export const defaultDomain = "docker.io";
const legacyDefaultDomain = "index.docker.io";
const officialRepoPrefix = "library/";
export const defaultTag = "latest";
const nameTotalLengthMax = 255;

const alphanumeric = "[a-z0-9]+";
const separator = "(?:[._]|__|[-]+)";
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainNameComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const ipv6address = "\\[(?:[a-fA-F0-9:]+)\\]";
const host = `(?:${domainNameComponent}(?:\\.${domainNameComponent})*|${ipv6address})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPattern = "[\\w][\\w.-]{0,127}";
const digestPattern = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}";
const namePattern = `(?:${domainAndPort}/)?${pathComponent}(?:/${pathComponent})*`;

const referenceRegexp = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const anchoredTag = new RegExp(`^${tagPattern}$`);
const anchoredName = new RegExp(`^${namePattern}$`);
const anchoredIdentifier = /^[a-f0-9]{64}$/;
const anchoredDomain = new RegExp(`^${domainAndPort}$`);

/** A parsed, normalised reference. `path` excludes the domain ("library/busybox"). */
export interface Reference {
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

/** The full repository name: "docker.io/library/busybox". */
export function repoName(r: Reference): string {
  return `${r.domain}/${r.path}`;
}

/** The normalised string form: "docker.io/library/busybox:latest". */
export function referenceString(r: Reference): string {
  return (
    repoName(r) + (r.tag !== undefined ? `:${r.tag}` : "") + (r.digest !== undefined ? `@${r.digest}` : "")
  );
}

/** The repository as users write it: "busybox", "me/app", "localhost:5000/app". */
export function familiarName(r: Reference): string {
  if (r.domain === defaultDomain) {
    const rest = r.path;
    if (rest.startsWith(officialRepoPrefix) && !rest.slice(officialRepoPrefix.length).includes("/")) {
      return rest.slice(officialRepoPrefix.length);
    }
    return rest;
  }
  return repoName(r);
}

export function familiarString(r: Reference): string {
  return (
    familiarName(r) +
    (r.tag !== undefined ? `:${r.tag}` : "") +
    (r.digest !== undefined ? `@${r.digest}` : "")
  );
}

/** Adds ":latest" when the reference has neither tag nor digest (Docker's TagNameOnly). */
export function withDefaultTag(r: Reference): Reference {
  return r.tag === undefined && r.digest === undefined ? { ...r, tag: defaultTag } : r;
}

function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const i = name.indexOf("/");
  let domain: string;
  let remainder: string;
  const first = i < 0 ? "" : name.slice(0, i);
  if (i < 0 || (!/[.:]/.test(first) && first !== "localhost" && first.toLowerCase() === first)) {
    domain = defaultDomain;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === legacyDefaultDomain) domain = defaultDomain;
  if (domain === defaultDomain && !remainder.includes("/")) remainder = officialRepoPrefix + remainder;
  return { domain, remainder };
}

/** Parses a fully qualified reference string (distribution's Parse). */
function parseStrict(s: string): Reference {
  const m = referenceRegexp.exec(s);
  if (m === null) {
    if (s === "") throw invalid("repository name must have at least one component");
    if (referenceRegexp.test(s.toLowerCase())) throw invalid("repository name must be lowercase");
    throw invalid(messages.invalidReferenceFormat());
  }
  const name = m[1]!;
  if (name.length > nameTotalLengthMax) {
    throw invalid(`repository name must not be more than ${nameTotalLengthMax} characters`);
  }
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  const hasDomain = slash >= 0 && anchoredDomain.test(first) && (/[.:]/.test(first) || first === "localhost");
  const r: Reference = hasDomain
    ? { domain: first, path: name.slice(slash + 1) }
    : { domain: "", path: name };
  if (m[2] !== undefined) r.tag = m[2];
  if (m[3] !== undefined) r.digest = validateDigest(m[3]);
  return r;
}

function validateDigest(d: string): string {
  const colon = d.indexOf(":");
  const alg = d.slice(0, colon);
  const hex = d.slice(colon + 1);
  if (alg === "sha256") {
    if (!/^[a-f0-9]{64}$/.test(hex)) throw invalid("invalid checksum digest length");
    return d;
  }
  if (alg === "sha512") {
    if (!/^[a-f0-9]{128}$/.test(hex)) throw invalid("invalid checksum digest length");
    return d;
  }
  throw invalid("unsupported digest algorithm");
}

/**
 * Parses what a user typed into a normalised reference, with Docker's errors
 * (ParseNormalizedNamed). A 64-hex string is refused: it would read as an ID.
 */
export function parseNormalizedNamed(s: string): Reference {
  if (anchoredIdentifier.test(s)) {
    throw invalid(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDockerDomain(s);
  const tagSep = remainder.indexOf(":");
  const remote = tagSep >= 0 ? remainder.slice(0, tagSep) : remainder;
  if (remote.toLowerCase() !== remote) throw invalid(messages.invalidReference(remote));
  const r = parseStrict(`${domain}/${remainder}`);
  if (r.domain === "") throw invalid(messages.invalidReferenceFormat());
  return r;
}

export type AnyReference = { kind: "id"; id: string } | { kind: "named"; ref: Reference };

/** A full image ID ("sha256:<64 hex>" or bare 64 hex) or a name (ParseAnyReference). */
export function parseAnyReference(s: string): AnyReference {
  if (anchoredIdentifier.test(s)) return { kind: "id", id: `sha256:${s}` };
  if (/^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:/.test(s) && !s.includes("/")) {
    const colon = s.indexOf(":");
    const alg = s.slice(0, colon);
    if ((alg === "sha256" && /^[a-f0-9]{64}$/.test(s.slice(colon + 1))) || alg === "sha512") {
      return { kind: "id", id: validateDigest(s) };
    }
  }
  return { kind: "named", ref: parseNormalizedNamed(s) };
}

/**
 * Docker's repo + tag query pair (`POST /images/{name}/tag?repo=&tag=`,
 * import's repo/tag): a tag given apart replaces one inside `repo`.
 */
export function parseRepoTag(repo: string, tag: string): Reference {
  const r = parseNormalizedNamed(repo);
  if (r.digest !== undefined) throw invalid("cannot import digest reference");
  if (tag === "") return r;
  if (!anchoredTag.test(tag)) throw invalid("invalid tag format");
  return { ...r, tag };
}

export function isValidTag(tag: string): boolean {
  return anchoredTag.test(tag);
}

export function isValidName(name: string): boolean {
  return anchoredName.test(name);
}

/**
 * Matches a reference against a shell-style pattern
 * as Docker's `reference=` filter does (path.Match on the familiar string, then the familiar name).
 */
export function matchReferencePattern(pattern: string, r: Reference): boolean {
  const re = globToRegExp(pattern);
  return re.test(familiarString(r)) || re.test(familiarName(r));
}

function globToRegExp(glob: string): RegExp {
  let out = "^";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) out += "\\[";
      else {
        let cls = glob.slice(i + 1, end);
        if (cls.startsWith("^")) cls = "!" + cls.slice(1);
        out += "[" + (cls.startsWith("!") ? "^" + cls.slice(1) : cls).replace(/\\/g, "\\\\") + "]";
        i = end;
      }
    } else if (c === "\\" && i + 1 < glob.length) {
      out += "\\" + glob[++i]!;
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(out + "$");
}
