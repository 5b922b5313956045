/**
 * Users from an htpasswd file with bcrypt entries (`user:$2y$…`), checked
 * with bcryptjs. bcrypt is slow on purpose, and a push makes dozens of
 * requests, so a successful check is remembered for a minute (keyed by a
 * SHA-256 of the password, never the password). The file is read again when
 * it changes.
 */
import bcrypt from "bcryptjs";
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";

const cacheMs = 60_000;

export class Htpasswd {
  private users = new Map<string, string>();
  private loadedMtime = -1;
  private readonly verified = new Map<string, { key: string; until: number }>();

  constructor(private readonly file: string) {}

  /** Reads the file; throws when it is missing or holds no bcrypt entry. */
  async load(): Promise<void> {
    const st = await stat(this.file);
    if (st.mtimeMs === this.loadedMtime) return;
    const users = parseHtpasswd(await readFile(this.file, "utf8"));
    if (users.size === 0) throw new Error(`${this.file}: no bcrypt entries (user:$2y$…)`);
    this.users = users;
    this.verified.clear();
    this.loadedMtime = st.mtimeMs;
  }

  async verify(user: string, password: string): Promise<boolean> {
    await this.load();
    const hash = this.users.get(user);
    if (hash === undefined) return false;
    const key = createHash("sha256").update(`${user}\0${password}`).digest("hex");
    const hit = this.verified.get(user);
    if (hit && hit.key === key && hit.until > Date.now()) return true;
    const ok = await bcrypt.compare(password, hash);
    if (ok) this.verified.set(user, { key, until: Date.now() + cacheMs });
    return ok;
  }
}

/** `user:hash` lines; comments, blanks and non-bcrypt entries are skipped. */
export function parseHtpasswd(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const hash = line.slice(colon + 1);
    if (/^\$2[aby]\$\d\d\$/.test(hash)) users.set(line.slice(0, colon), hash);
  }
  return users;
}

/** The user and password of an `Authorization: Basic …` header. */
export function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}
