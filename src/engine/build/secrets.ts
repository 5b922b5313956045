/**
 * What a build session hands the builder besides the context: secret values (`--secret`) and
 * ssh agent sockets (`--ssh`). They live in memory for one build only: never in the context,
 * an image, its history or a cache key (BuildKit's rule).
 */
import { invalid } from "../errors.js";

/** BuildKit's limit for one secret (secretsprovider's MaxSecretSize). */
export const MAX_SECRET_SIZE = 500 * 1024;

export interface BuildSecrets {
  /** Secret bytes by id. */
  secrets: ReadonlyMap<string, Buffer>;
  /** Agent socket path (on this host) by ssh id. */
  ssh: ReadonlyMap<string, string>;
}

const idPattern = /^[A-Za-z0-9_.\-]{1,256}$/;

export function checkSecretId(id: unknown, what: "secret" | "ssh"): string {
  if (typeof id !== "string" || !idPattern.test(id))
    throw invalid(`invalid ${what} id ${JSON.stringify(id)}: use letters, digits, '.', '-' or '_'`);
  return id;
}

/** Validates the session's secrets and ssh sockets (ids unique, sizes, absolute socket paths). */
export function buildSecrets(
  secrets: readonly { id: unknown; data: Buffer }[],
  ssh: readonly { id: unknown; path: unknown }[],
): BuildSecrets {
  const s = new Map<string, Buffer>();
  for (const { id, data } of secrets) {
    const name = checkSecretId(id, "secret");
    if (s.has(name)) throw invalid(`secret ${name} is given twice`);
    if (data.length > MAX_SECRET_SIZE) throw invalid(`secret ${name} too big. max size 500KB`);
    s.set(name, data);
  }
  const a = new Map<string, string>();
  for (const { id, path } of ssh) {
    const name = checkSecretId(id, "ssh");
    if (a.has(name)) throw invalid(`ssh ${name} is given twice`);
    if (typeof path !== "string" || !path.startsWith("/") || path.includes("\0"))
      throw invalid(`ssh ${name}: the agent socket must be an absolute path`);
    a.set(name, path);
  }
  return { secrets: s, ssh: a };
}

/** Overwrites secret bytes once the build is done with them. */
export function wipeSecrets(b: BuildSecrets): void {
  for (const v of b.secrets.values()) v.fill(0);
}
