/**
 * The URL space of the distribution API. Repository names hold slashes, so
 * each route is matched by its fixed tail and the name is what remains; the
 * name is validated afterwards (NAME_INVALID, not 404). Pure: a path and a
 * method in, a route and the access it needs out.
 */
import type { Access } from "../auth/index.js";
import { regError } from "../errors.js";
import { parseRepoName, type RepoName } from "../names.js";

export type RouteKind =
  "base" | "catalog" | "token" | "tags" | "manifest" | "blob" | "uploads" | "upload" | "referrers";

export interface Route {
  kind: RouteKind;
  /** Absent for base, catalog and token. */
  name?: RepoName;
  /** The last path segment: a reference, digest or upload ID (still unparsed). */
  param?: string;
}

const methods: Record<RouteKind, readonly string[]> = {
  base: ["GET", "HEAD"],
  catalog: ["GET"],
  token: ["GET"],
  tags: ["GET"],
  manifest: ["GET", "HEAD", "PUT", "DELETE"],
  blob: ["GET", "HEAD", "DELETE"],
  uploads: ["POST"],
  upload: ["GET", "PATCH", "PUT", "DELETE"],
  referrers: ["GET"],
};

const repoRoutes: [RegExp, RouteKind][] = [
  [/^\/v2\/(.+)\/tags\/list$/, "tags"],
  [/^\/v2\/(.+)\/manifests\/([^/]+)$/, "manifest"],
  [/^\/v2\/(.+)\/blobs\/uploads\/?$/, "uploads"],
  [/^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, "upload"],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, "blob"],
  [/^\/v2\/(.+)\/referrers\/([^/]+)$/, "referrers"],
];

/** The route for `path`, or 404 for none and 405 for a method it lacks. */
export function matchRoute(method: string, path: string): Route {
  let route: Route | undefined;
  if (path === "/v2/" || path === "/v2") route = { kind: "base" };
  else if (path === "/v2/_catalog") route = { kind: "catalog" };
  else if (path === "/token") route = { kind: "token" };
  else {
    for (const [re, kind] of repoRoutes) {
      const m = re.exec(path);
      if (!m) continue;
      route = { kind, name: parseRepoName(decodeSegment(m[1]!)) };
      if (m[2] !== undefined) route.param = decodeSegment(m[2]);
      break;
    }
  }
  if (!route) throw regError("NOT_FOUND", { path: path.slice(0, 200) });
  if (!methods[route.kind].includes(method))
    throw regError("UNSUPPORTED", { method, path: path.slice(0, 200) });
  return route;
}

/** The access a request needs; token requests check credentials themselves. */
export function neededAccess(method: string, route: Route): Access[] | undefined {
  if (route.kind === "token") return undefined;
  if (route.kind === "base") return [];
  if (route.kind === "catalog") return [{ type: "registry", name: "catalog", actions: ["*"] }];
  const name = route.name!;
  if (method === "GET" || method === "HEAD") return [{ type: "repository", name, actions: ["pull"] }];
  if (method === "DELETE") return [{ type: "repository", name, actions: ["delete"] }];
  return [{ type: "repository", name, actions: ["pull", "push"] }];
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
