/**
 * Bearer tokens the registry issues and checks itself: JWT-shaped
 * (HS256 over `header.payload`) with the granted access list, signed by a
 * random key kept at `<root>/auth/token.key` (created on first use, mode
 * 0600). Clients treat tokens as opaque; only this server reads them.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { errnoCode } from "../../engine/errors.js";
import { writeFileAtomic } from "../storage/atomic.js";
import type { Access } from "./scope.js";

export interface TokenClaims {
  sub: string;
  aud: string;
  iss: string;
  iat: number;
  exp: number;
  jti: string;
  access: Access[];
}

export class TokenSigner {
  constructor(private readonly key: Buffer) {}

  /** Loads the key at `path`, creating a new random one if there is none. */
  static async open(path: string, tmpDir: string): Promise<TokenSigner> {
    try {
      const key = Buffer.from((await readFile(path, "utf8")).trim(), "base64");
      if (key.length >= 32) return new TokenSigner(key);
    } catch (err) {
      if (errnoCode(err) !== "ENOENT") throw err;
    }
    const key = randomBytes(32);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFileAtomic(tmpDir, path, key.toString("base64") + "\n", 0o600);
    return new TokenSigner(key);
  }

  issue(claims: Omit<TokenClaims, "iat" | "exp" | "jti">, ttlSeconds: number): string {
    const now = Math.floor(Date.now() / 1000);
    const full: TokenClaims = {
      ...claims,
      iat: now,
      exp: now + ttlSeconds,
      jti: randomBytes(8).toString("hex"),
    };
    const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const body = b64url(JSON.stringify(full));
    return `${head}.${body}.${this.sign(`${head}.${body}`)}`;
  }

  /** The claims of a valid, unexpired token for `audience`, else undefined. */
  verify(token: string, audience: string): TokenClaims | undefined {
    const parts = token.split(".");
    if (parts.length !== 3) return undefined;
    const [head, body, sig] = parts as [string, string, string];
    const want = Buffer.from(this.sign(`${head}.${body}`));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as TokenClaims;
    } catch {
      return undefined;
    }
    if (typeof claims.exp !== "number" || claims.exp <= Math.floor(Date.now() / 1000)) return undefined;
    if (claims.aud !== audience || !Array.isArray(claims.access)) return undefined;
    return claims;
  }

  private sign(data: string): string {
    return createHmac("sha256", this.key).update(data).digest("base64url");
  }
}

function b64url(s: string): string {
  return Buffer.from(s).toString("base64url");
}
