/**
 * Git repositories for tests: a git runner without user or system config, bare copies with the
 * files git's "dumb" HTTP protocol needs, and a read-only static file server on 127.0.0.1 that
 * serves them (the engine only contacts loopback addresses).
 */
import { execFile } from "node:child_process";
import { readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve, sep } from "node:path";
import { promisify } from "node:util";

/** The test's own git (async: a file server may run in the same process), HOME at `home`. */
export async function gitIn(home: string, cwd: string, ...args: string[]): Promise<string> {
  const r = await promisify(execFile)("git", ["-c", "protocol.file.allow=always", ...args], {
    cwd,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.invalid",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.invalid",
    },
  });
  return r.stdout.trim();
}

/** A bare copy of `src` as `<served>/<name>`, with the files dumb HTTP needs (again after a push). */
export async function publishRepo(home: string, src: string, served: string, name: string): Promise<void> {
  const bare = join(served, name);
  rmSync(bare, { recursive: true, force: true });
  await gitIn(home, home, "clone", "-q", "--bare", src, bare);
  await gitIn(home, bare, "update-server-info");
}

export interface StaticServer {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** `METHOD /path` of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * GET and HEAD of files under `root`, nothing outside it, on 127.0.0.1. Paths under `hangPrefix`
 * never get an answer (the client gives up, or the test closes the server).
 */
export async function serveStatic(root: string, hangPrefix?: string): Promise<StaticServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    requests.push(`${req.method} ${path}`);
    if (hangPrefix !== undefined && path.startsWith(hangPrefix)) return;
    const file = resolve(root, `.${path}`);
    let body: Buffer | undefined;
    if ((req.method === "GET" || req.method === "HEAD") && file.startsWith(root + sep)) {
      try {
        if (statSync(file).isFile()) body = readFileSync(file);
      } catch {
        body = undefined;
      }
    }
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Length": body.length });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    server,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    },
  };
}
