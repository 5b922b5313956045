/** Registry endpoints: pull, push, login (/auth), search, distribution inspect. */
import type {
  AuthConfigWire,
  AuthResponseWire,
  DistributionInspectWire,
  SearchResultWire,
} from "../api/types/distribution.js";
import type { JsonMessageWire } from "../api/types/images.js";
import { imagePath } from "./images.js";
import { jsonLines, type Transport } from "./transport.js";

/** JSON in Go's base64.URLEncoding (padded): how the docker CLI encodes auth headers for dockerd. */
export function urlBase64Json(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

/** X-Registry-Auth: the auth config, as the docker CLI encodes it. */
export function encodeAuth(auth: AuthConfigWire | undefined): Record<string, string> {
  if (auth === undefined) return {};
  return { "X-Registry-Auth": urlBase64Json(auth) };
}

export class DistributionClient {
  constructor(private readonly t: Transport) {}

  /** POST /images/create?fromImage=&tag=: `tag` "" with a name-only image pulls every tag. */
  async *pull(opts: {
    image: string;
    tag: string;
    platform?: string;
    auth?: AuthConfigWire;
  }): AsyncGenerator<JsonMessageWire> {
    const res = await this.t.request("POST", "/images/create", {
      query: { fromImage: opts.image, tag: opts.tag, platform: opts.platform || undefined },
      headers: encodeAuth(opts.auth),
    });
    yield* jsonLines<JsonMessageWire>(res.body);
  }

  /** POST /images/{name}/push?tag=: `tag` "" pushes every tag of the repository. */
  async *push(opts: { name: string; tag: string; auth?: AuthConfigWire }): AsyncGenerator<JsonMessageWire> {
    const res = await this.t.request("POST", `/images/${imagePath(opts.name)}/push`, {
      query: { tag: opts.tag },
      // dockerd wants the header even for anonymous pushes.
      headers: encodeAuth(opts.auth ?? {}),
    });
    yield* jsonLines<JsonMessageWire>(res.body);
  }

  login(auth: AuthConfigWire): Promise<AuthResponseWire> {
    return this.t.json("POST", "/auth", { body: auth });
  }

  search(opts: {
    term: string;
    limit?: number;
    filters?: Record<string, string[]>;
    auth?: AuthConfigWire;
  }): Promise<SearchResultWire[]> {
    return this.t.json("GET", "/images/search", {
      query: {
        term: opts.term,
        limit: opts.limit,
        filters:
          opts.filters && Object.keys(opts.filters).length > 0 ? JSON.stringify(opts.filters) : undefined,
      },
      headers: encodeAuth(opts.auth),
    });
  }

  inspect(name: string, auth?: AuthConfigWire): Promise<DistributionInspectWire> {
    return this.t.json("GET", `/distribution/${imagePath(name)}/json`, { headers: encodeAuth(auth) });
  }
}
