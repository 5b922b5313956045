/**
 * Starting a registry: open the storage, build the auth mode, listen on
 * plain HTTP or TLS. Refuses to listen beyond loopback without TLS unless
 * told to (`insecurePublic`).
 */
import { readFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { invalid } from "../engine/errors.js";
import { isLoopbackHost } from "../engine/loopback.js";
import { Authorizer, Htpasswd, TokenSigner, type AuthConfig } from "./auth/index.js";
import { createHandler } from "./http/handler.js";
import { Registry } from "./registry.js";
import { openStorage } from "./storage/index.js";

export type AuthOptions =
  | { mode: "none" }
  | { mode: "basic"; htpasswd: string }
  | {
      mode: "token";
      /** Users who may get tokens from this server's /token; without it there is no issuer. */
      htpasswd?: string;
      /** Where clients get tokens; default: this server's /token. */
      realm?: string;
      /** Default "berth-registry". */
      service?: string;
      /** Default 300. */
      ttlSeconds?: number;
    };

export interface RegistryOptions {
  /** Storage directory. */
  root: string;
  /** host:port; default 127.0.0.1:5000. Port 0 picks a free port. */
  addr?: string;
  auth?: AuthOptions;
  tls?: { certFile: string; keyFile: string };
  /** Allow a non-loopback address without TLS. */
  insecurePublic?: boolean;
  /** Access log and error lines; default: none. */
  log?: (line: string) => void;
}

export interface RunningRegistry {
  /** "http://127.0.0.1:5000" (or https). */
  url: string;
  host: string;
  port: number;
  registry: Registry;
  close(): Promise<void>;
}

export const defaultAddr = "127.0.0.1:5000";

export async function startRegistry(opts: RegistryOptions): Promise<RunningRegistry> {
  const { host, port } = parseAddr(opts.addr ?? defaultAddr);
  if (!isLoopbackHost(host) && !opts.tls && !opts.insecurePublic) {
    throw invalid(`refusing to serve on ${host} without TLS: use --tls-cert/--tls-key or --insecure-public`);
  }
  const storage = await openStorage(opts.root);
  const registry = new Registry(storage);
  const auth = new Authorizer(await authConfig(opts.auth ?? { mode: "none" }, opts.root));
  const handler = createHandler({ registry, auth, log: opts.log ?? (() => undefined) });
  const server: Server = opts.tls
    ? createHttpsServer(
        { cert: await readFile(opts.tls.certFile), key: await readFile(opts.tls.keyFile) },
        handler,
      )
    : createHttpServer(handler);
  // Layer uploads can be slow; the default 5-minute request timeout would cut them off.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const shownHost = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
  return {
    url: `${opts.tls ? "https" : "http"}://${shownHost}:${bound.port}`,
    host: bound.address,
    port: bound.port,
    registry,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function authConfig(a: AuthOptions, root: string): Promise<AuthConfig> {
  switch (a.mode) {
    case "none":
      return { mode: "none" };
    case "basic": {
      const htpasswd = new Htpasswd(a.htpasswd);
      await htpasswd.load();
      return { mode: "basic", htpasswd };
    }
    case "token": {
      const signer = await TokenSigner.open(join(root, "auth", "token.key"), join(root, "tmp"));
      const cfg: AuthConfig = {
        mode: "token",
        signer,
        service: a.service ?? "berth-registry",
        ttlSeconds: a.ttlSeconds ?? 300,
      };
      if (a.realm !== undefined) cfg.realm = a.realm;
      if (a.htpasswd !== undefined) {
        cfg.htpasswd = new Htpasswd(a.htpasswd);
        await cfg.htpasswd.load();
      }
      return cfg;
    }
  }
}

/** "127.0.0.1:5000", "[::1]:5000", "localhost:5000", ":5000" (all interfaces). */
export function parseAddr(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port > 65535)
    throw invalid(`invalid address "${addr}": want host:port`);
  const host = m[1] ?? m[2] ?? "";
  return { host: host === "" ? "0.0.0.0" : host, port };
}
