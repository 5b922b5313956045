/**
 * The Engine API over HTTP: strips the `/v1.xx` prefix, checks the version,
 * dispatches to the route tables, and turns thrown errors into Docker's JSON.
 * Upgrade requests (attach, exec start) reach the same handlers with the raw
 * socket available for hijacking.
 */
import { createServer, type IncomingMessage, type Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { invalid, notFound } from "../engine/errors.js";
import { log } from "../engine/log.js";
import { messages } from "../engine/messages.js";
import { RequestContext } from "./context.js";
import { writeError } from "./errors.js";
import type { Route } from "./router.js";
import { Router } from "./router.js";
import { compareVersions, maxApiVersion, minApiVersion } from "./version.js";

const versionPrefix = /^\/v(\d+\.\d+)(\/.*)$/;

export function createApiServer(tables: readonly (readonly Route[])[], serverHeader: string): Server {
  const router = new Router(tables);

  const dispatch = async (
    req: IncomingMessage,
    res: ServerResponse,
    upgrade?: { socket: Duplex; head: Buffer },
  ) => {
    res.setHeader("Server", serverHeader);
    res.setHeader("Api-Version", maxApiVersion);
    res.setHeader("Docker-Experimental", "false");
    res.setHeader("Ostype", "linux");
    const url = new URL(req.url ?? "/", "http://berth");
    let path = url.pathname;
    let version = maxApiVersion;
    const m = versionPrefix.exec(path);
    if (m !== null) {
      version = m[1]!;
      path = m[2]!;
    }
    log.debug("API call", { method: req.method, uri: req.url });
    try {
      if (compareVersions(version, maxApiVersion) > 0)
        throw invalid(messages.apiVersionTooNew(version, maxApiVersion));
      if (compareVersions(version, minApiVersion) < 0)
        throw invalid(messages.unsupportedApiVersion(version, minApiVersion));
      const match = router.match(req.method ?? "GET", path);
      if (match === "not-found") throw notFound(messages.pageNotFound());
      if (match.route.minVersion !== undefined && compareVersions(version, match.route.minVersion) < 0) {
        throw notFound(messages.pageNotFound());
      }
      const ctx = new RequestContext(req, res, match.params, url, version, upgrade);
      await match.route.handler(ctx);
    } catch (err) {
      writeError(res, err);
    }
  };

  const server = createServer({ requestTimeout: 0, keepAliveTimeout: 30_000 }, (req, res) => {
    void dispatch(req, res);
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Until a handler hijacks it, the upgrade socket answers like any response.
    const res = new ServerResponse(req);
    res.assignSocket(socket as Socket);
    res.shouldKeepAlive = false;
    res.on("finish", () => socket.end());
    void dispatch(req, res, { socket, head });
  });
  return server;
}
