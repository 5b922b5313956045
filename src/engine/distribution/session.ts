/**
 * One conversation with one registry: pick the endpoint that answers `/v2/`
 * (HTTPS first, plain HTTP for insecure registries), learn its challenge,
 * then send requests with Basic credentials or a Bearer token for the
 * session's scopes (fetched anonymously when there are no credentials).
 */
import type { Readable } from "node:stream";
import { unauthorized, unavailable } from "../errors.js";
import { distributionMessages } from "./messages.js";
import { parseChallenges, type Challenge } from "./challenge.js";
import type { Endpoint } from "./endpoints.js";
import { header, headerAll, readBody, send, type HttpResponse } from "./http.js";
import { RegistryError, httpStatusText, registryError } from "./registryError.js";
import type { AuthConfig } from "./types.js";

export interface RequestOptions {
  headers?: Record<string, string>;
  /** A buffer, or a factory when the body is a stream (called once per attempt). */
  body?: Buffer | (() => Readable);
  /** Statuses that are not errors; default 2xx. */
  ok?: (status: number) => boolean;
  signal?: AbortSignal;
}

export class RegistrySession {
  private chosen: Endpoint | undefined;
  private challenges: Challenge[] = [];
  private authorization: string | undefined;
  private readonly scopes: Set<string>;
  /** The refresh token a login got (identity token), if the token server gave one. */
  refreshToken: string | undefined;

  constructor(
    private readonly endpoints: readonly Endpoint[],
    private readonly auth: AuthConfig | undefined,
    scopes: readonly string[],
    private readonly offline = false,
  ) {
    this.scopes = new Set(scopes);
  }

  get endpoint(): Endpoint {
    if (this.chosen === undefined) throw new Error("session used before ping");
    return this.chosen;
  }

  /** GET /v2/ on each endpoint until one speaks HTTP; remembers its challenge. */
  async ping(): Promise<HttpResponse> {
    let lastErr: unknown;
    for (const ep of this.endpoints) {
      let res: HttpResponse;
      try {
        res = await send(`${ep.base}/v2/`, { method: "GET", skipVerify: ep.skipVerify });
      } catch (err) {
        lastErr = err;
        continue;
      }
      res.body.resume();
      if (res.status !== 200 && res.status !== 401) {
        lastErr = new Error(
          `${ep.base}/v2/: unexpected status code ${res.status} ${httpStatusText(res.status)}`,
        );
        continue;
      }
      this.chosen = ep;
      this.challenges = parseChallenges(headerAll(res, "WWW-Authenticate"));
      return res;
    }
    const last = this.endpoints[this.endpoints.length - 1];
    const why = lastErr instanceof Error ? lastErr.message : String(lastErr);
    throw unavailable(distributionMessages.pingFailed(last?.base ?? "", why), lastErr);
  }

  /** The Authorization header for the session's scopes (fetching a token when needed). */
  async authorize(): Promise<void> {
    if (this.chosen === undefined) await this.ping();
    if (this.auth?.registryToken) {
      this.authorization = `Bearer ${this.auth.registryToken}`;
      return;
    }
    const bearer = this.challenges.find((c) => c.scheme === "bearer");
    const basic = this.challenges.find((c) => c.scheme === "basic");
    if (bearer !== undefined) this.authorization = `Bearer ${await this.fetchToken(bearer)}`;
    else if (basic !== undefined && this.auth?.username) {
      const raw = `${this.auth.username}:${this.auth.password ?? ""}`;
      this.authorization = `Basic ${Buffer.from(raw).toString("base64")}`;
    } else if (basic !== undefined) this.authorization = undefined;
  }

  /** A request relative to the endpoint ("/v2/name/manifests/tag"), retried once on a new challenge. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    if (this.chosen === undefined) await this.authorize();
    const ok = opts.ok ?? ((s: number) => s >= 200 && s < 300);
    for (let attempt = 0; ; attempt++) {
      const url =
        path.startsWith("http://") || path.startsWith("https://") ? path : `${this.endpoint.base}${path}`;
      const headers: Record<string, string> = { ...opts.headers };
      if (this.authorization !== undefined && sameHost(url, this.endpoint.base)) {
        headers.Authorization = this.authorization;
      }
      const body = typeof opts.body === "function" ? opts.body() : opts.body;
      const res = await send(url, {
        method,
        headers,
        body,
        skipVerify: this.endpoint.skipVerify,
        signal: opts.signal,
      });
      if (ok(res.status)) return res;
      if (res.status === 401 && attempt === 0 && (await this.reauthorize(res))) {
        res.body.resume();
        continue;
      }
      if (
        res.status === 401 &&
        this.authorization === undefined &&
        this.challenges.some((c) => c.scheme === "basic")
      ) {
        res.body.resume();
        throw unauthorized(distributionMessages.noBasicAuth(method, url));
      }
      throw await registryError(res, method);
    }
  }

  /** After a 401: learn a wider bearer scope, or credentials we did not send yet. */
  private async reauthorize(res: HttpResponse): Promise<boolean> {
    const challenges = parseChallenges(headerAll(res, "WWW-Authenticate"));
    const bearer = challenges.find((c) => c.scheme === "bearer");
    if (bearer === undefined) return false;
    const before = this.scopes.size;
    for (const s of (bearer.params.scope ?? "").split(" ").filter(Boolean)) this.scopes.add(s);
    const hadToken = this.authorization?.startsWith("Bearer ") === true;
    if (hadToken && this.scopes.size === before) return false;
    this.challenges = challenges;
    this.authorization = `Bearer ${await this.fetchToken(bearer)}`;
    return true;
  }

  /** Docker's token handler: GET with Basic credentials, or POST a refresh token (identity token). */
  private async fetchToken(c: Challenge): Promise<string> {
    const realm = c.params.realm;
    if (realm === undefined) throw unauthorized("bearer challenge without a realm");
    const scopes = [...this.scopes];
    let res: HttpResponse;
    if (this.auth?.identityToken) {
      const form = new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: this.auth.identityToken,
        client_id: "docker",
        access_type: this.offline ? "offline" : "online",
      });
      if (c.params.service !== undefined) form.set("service", c.params.service);
      if (scopes.length > 0) form.set("scope", scopes.join(" "));
      res = await send(realm, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: Buffer.from(form.toString()),
        skipVerify: this.endpoint.skipVerify,
      });
    } else {
      const u = new URL(realm);
      if (c.params.service !== undefined) u.searchParams.set("service", c.params.service);
      for (const s of scopes) u.searchParams.append("scope", s);
      const headers: Record<string, string> = {};
      if (this.auth?.username) {
        u.searchParams.set("account", this.auth.username);
        headers.Authorization = `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password ?? ""}`).toString("base64")}`;
      }
      if (this.offline) {
        u.searchParams.set("offline_token", "true");
        u.searchParams.set("client_id", "docker");
      }
      res = await send(u.toString(), { method: "GET", headers, skipVerify: this.endpoint.skipVerify });
    }
    if (res.status !== 200) {
      const err = await registryError(res, "GET");
      throw new RegistryError(err.kind, err.message, err.code || "UNAUTHORIZED", err.status, err.detail);
    }
    const body = JSON.parse((await readBody(res)).toString("utf8")) as {
      token?: unknown;
      access_token?: unknown;
      refresh_token?: unknown;
    };
    const token = typeof body.token === "string" && body.token !== "" ? body.token : body.access_token;
    if (typeof token !== "string" || token === "")
      throw unauthorized("authorization server did not include a token in the response");
    if (typeof body.refresh_token === "string") this.refreshToken = body.refresh_token;
    return token;
  }

  /** The registry's Docker-Content-Digest header, if any. */
  static contentDigest(res: HttpResponse): string | undefined {
    return header(res, "Docker-Content-Digest");
  }

  /** Whether the registry challenged at all (login without auth succeeds). */
  get challenged(): boolean {
    return this.challenges.length > 0;
  }

  get hasBasicChallenge(): boolean {
    return this.challenges.some((c) => c.scheme === "basic");
  }
}

function sameHost(url: string, base: string): boolean {
  return new URL(url).host === new URL(base).host;
}

export const scope = {
  pull: (repo: string) => `repository:${repo}:pull`,
  push: (repo: string) => `repository:${repo}:pull,push`,
};
