/**
 * Route tables. Each resource file exports one table (method, path, handler,
 * minimum API version); the router compiles them into patterns. `{name}`
 * matches one path segment, `{name*}` any text (image names contain "/").
 */
import type { RequestContext } from "./context.js";

export type Handler = (ctx: RequestContext) => Promise<void>;

export interface Route {
  method: "GET" | "HEAD" | "POST" | "PUT" | "DELETE";
  path: string;
  handler: Handler;
  minVersion?: string;
}

interface Compiled {
  route: Route;
  pattern: RegExp;
  names: string[];
}

export interface Match {
  route: Route;
  params: Record<string, string>;
}

export class Router {
  private readonly compiled: Compiled[] = [];

  constructor(tables: readonly (readonly Route[])[]) {
    for (const table of tables) for (const route of table) this.compiled.push(compile(route));
  }

  /** The first route whose method and path pattern match. */
  match(method: string, path: string): Match | "not-found" {
    for (const c of this.compiled) {
      if (c.route.method !== method) continue;
      const m = c.pattern.exec(path);
      if (m === null) continue;
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? "")));
      return { route: c.route, params };
    }
    return "not-found";
  }
}

function compile(route: Route): Compiled {
  const names: string[] = [];
  const source = route.path
    .split(/(\{[a-zA-Z]+\*?\})/)
    .map((part) => {
      const m = /^\{([a-zA-Z]+)(\*?)\}$/.exec(part);
      if (m === null) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(m[1]!);
      return m[2] === "*" ? "(.+)" : "([^/]+)";
    })
    .join("");
  return { route, pattern: new RegExp(`^${source}/?$`), names };
}
