/** Listings: tags and the catalog (paginated with n/last and a Link header), and referrers. */
import { regError } from "../errors.js";
import { mediaTypes } from "../manifests.js";
import { parseBlobDigest } from "../names.js";
import { queryValue, replyJson, type Exchange, type RepoExchange } from "./exchange.js";

/** Catalog pages hold at most this many names when the client gives no `n`. */
const defaultCatalogPage = 1000;

export interface Page {
  items: string[];
  /** The query of the next page, when there is one. */
  next?: { n: number; last: string };
}

/** Items after `last`, at most `n` of them (items are in lexical order). */
export function paginate(all: readonly string[], n: number | undefined, last: string | undefined): Page {
  const after = last === undefined ? [...all] : all.filter((t) => t > last);
  if (n === undefined || after.length <= n) return { items: after };
  const items = after.slice(0, n);
  return n === 0 ? { items } : { items, next: { n, last: items[items.length - 1]! } };
}

function pageQuery(x: Exchange, fallback?: number): { n: number | undefined; last: string | undefined } {
  const raw = queryValue(x.url, "n");
  let n = fallback;
  if (raw !== undefined) {
    if (!/^\d+$/.test(raw)) throw regError("PAGINATION_NUMBER_INVALID", { n: raw });
    n = Number(raw);
  }
  return { n, last: queryValue(x.url, "last") };
}

function link(path: string, next: Page["next"]): Record<string, string> {
  if (!next) return {};
  const q = new URLSearchParams({ n: String(next.n), last: next.last });
  return { Link: `<${path}?${q.toString()}>; rel="next"` };
}

export async function getTags(x: RepoExchange): Promise<void> {
  const { n, last } = pageQuery(x);
  const page = paginate(await x.registry.listTags(x.name), n, last);
  replyJson(x.res, 200, { name: x.name, tags: page.items }, link(`/v2/${x.name}/tags/list`, page.next));
}

export async function getCatalog(x: Exchange): Promise<void> {
  const { n, last } = pageQuery(x, defaultCatalogPage);
  const page = paginate(await x.registry.listRepos(), n, last);
  replyJson(x.res, 200, { repositories: page.items }, link("/v2/_catalog", page.next));
}

export async function getReferrers(x: RepoExchange): Promise<void> {
  const subject = parseBlobDigest(x.param);
  const artifactType = queryValue(x.url, "artifactType");
  const manifests = await x.registry.referrers(x.name, subject, artifactType);
  const headers: Record<string, string> =
    artifactType !== undefined ? { "OCI-Filters-Applied": "artifactType" } : {};
  const index = { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests };
  replyJson(x.res, 200, index, headers, mediaTypes.ociIndex);
}
