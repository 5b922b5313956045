/**
 * Who may do what. Three modes:
 *   none   everyone may do everything (loopback development)
 *   basic  htpasswd users, `WWW-Authenticate: Basic realm="berth-registry"`
 *   token  Bearer tokens signed by this server; the challenge names the
 *          realm (by default this server's own /token endpoint, which
 *          trades htpasswd Basic credentials for a token) and the scope.
 * Any authenticated user gets every action they ask for: the registry has
 * users, not per-repository permissions.
 */
import { regError } from "../errors.js";
import { Htpasswd, parseBasic } from "./htpasswd.js";
import { covers, formatScope, parseScope, type Access } from "./scope.js";
import type { TokenSigner } from "./token.js";

export { Htpasswd, parseHtpasswd } from "./htpasswd.js";
export { TokenSigner } from "./token.js";
export { parseScope, formatScope, type Access } from "./scope.js";

export const basicRealm = "berth-registry";
const grantable = new Set(["pull", "push", "delete", "*"]);

export type AuthConfig =
  | { mode: "none" }
  | { mode: "basic"; htpasswd: Htpasswd }
  | {
      mode: "token";
      signer: TokenSigner;
      service: string;
      /** The token endpoint clients are sent to; default: this server's /token. */
      realm?: string;
      /** Users who may obtain tokens here; without it /token is disabled. */
      htpasswd?: Htpasswd;
      ttlSeconds: number;
    };

/** What the auth layer needs from a request. */
export interface AuthRequest {
  authorization?: string;
  /** Host header, to build the default token realm. */
  host?: string;
  secure: boolean;
}

export interface Grant {
  user?: string;
  allows(a: Access): boolean;
}

export interface TokenResponse {
  token: string;
  access_token: string;
  expires_in: number;
  issued_at: string;
}

export class Authorizer {
  constructor(private readonly cfg: AuthConfig) {}

  get mode(): AuthConfig["mode"] {
    return this.cfg.mode;
  }

  /** The caller's grant, or a 401 whose challenge asks for `need`. */
  async check(req: AuthRequest, need: Access[]): Promise<Grant> {
    const cfg = this.cfg;
    switch (cfg.mode) {
      case "none":
        return { allows: () => true };
      case "basic": {
        const creds = parseBasic(req.authorization);
        if (creds && (await cfg.htpasswd.verify(creds.user, creds.password))) {
          return { user: creds.user, allows: () => true };
        }
        throw regError("UNAUTHORIZED", need.map(detailOf), {
          "WWW-Authenticate": `Basic realm="${basicRealm}"`,
        });
      }
      case "token": {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(req.authorization ?? "");
        const claims = m ? cfg.signer.verify(m[1]!, cfg.service) : undefined;
        if (claims && need.every((n) => covers(claims.access, n))) {
          return { user: claims.sub, allows: (a) => covers(claims.access, a) };
        }
        let challenge = `Bearer realm="${this.realm(req)}",service="${cfg.service}"`;
        if (need.length > 0) challenge += `,scope="${need.map(formatScope).join(" ")}"`;
        if (claims) challenge += `,error="insufficient_scope"`;
        throw regError("UNAUTHORIZED", need.map(detailOf), { "WWW-Authenticate": challenge });
      }
    }
  }

  /**
   * GET /token: checks Basic credentials against the htpasswd file and
   * returns a token for the requested scopes (only pull/push/delete/*).
   */
  async issueToken(req: AuthRequest, query: URLSearchParams): Promise<TokenResponse> {
    const cfg = this.cfg;
    if (cfg.mode !== "token" || cfg.htpasswd === undefined) throw regError("NOT_FOUND", "no token issuer");
    const creds = parseBasic(req.authorization);
    if (!creds || !(await cfg.htpasswd.verify(creds.user, creds.password))) {
      throw regError("UNAUTHORIZED", "token requires valid credentials", {
        "WWW-Authenticate": `Basic realm="${basicRealm}"`,
      });
    }
    const service = query.get("service");
    if (service !== null && service !== cfg.service) throw regError("DENIED", { service });
    const access: Access[] = [];
    for (const s of query.getAll("scope").flatMap((v) => v.split(" "))) {
      const a = parseScope(s);
      if (!a) continue;
      const actions = a.actions.filter((x) => grantable.has(x));
      if (actions.length > 0) access.push({ ...a, actions });
    }
    const token = cfg.signer.issue(
      { sub: creds.user, aud: cfg.service, iss: basicRealm, access },
      cfg.ttlSeconds,
    );
    return { token, access_token: token, expires_in: cfg.ttlSeconds, issued_at: new Date().toISOString() };
  }

  private realm(req: AuthRequest): string {
    if (this.cfg.mode === "token" && this.cfg.realm) return this.cfg.realm;
    // The Host header only shapes this client's own challenge, but keep it a plain host[:port].
    const host = req.host !== undefined && /^[A-Za-z0-9.:[\]-]+$/.test(req.host) ? req.host : "127.0.0.1";
    return `${req.secure ? "https" : "http"}://${host}/token`;
  }
}

function detailOf(a: Access): { Type: string; Name: string; Action: string } {
  return { Type: a.type, Name: a.name, Action: a.actions.join(",") };
}
