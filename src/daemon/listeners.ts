/**
 * The API listeners named by -H: unix sockets (mode 0660) and TCP. Plain TCP
 * on a non-loopback address gives root to the network, so it is refused
 * unless TLS was explicitly turned off, with Docker's warning.
 */
import { chmodSync, mkdirSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { connect } from "node:net";
import { dirname } from "node:path";
import { log } from "../engine/log.js";
import { isLoopbackHost } from "../engine/loopback.js";
import { ConfigError } from "./config.js";

export type ListenAddress = { kind: "unix"; path: string } | { kind: "tcp"; host: string; port: number };

export function parseHost(host: string): ListenAddress {
  if (host.startsWith("unix://")) {
    const path = host.slice("unix://".length);
    if (path === "") throw new ConfigError(`invalid bind address (${host}): empty socket path`);
    return { kind: "unix", path };
  }
  if (host.startsWith("tcp://")) {
    const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]*)(?::(\d+))?\/?$/.exec(host);
    if (m === null) throw new ConfigError(`invalid bind address (${host})`);
    const h = (m[1] ?? "").replace(/^\[|\]$/g, "") || "127.0.0.1";
    return { kind: "tcp", host: h, port: m[2] ? Number(m[2]) : 2375 };
  }
  if (host.startsWith("/")) return { kind: "unix", path: host };
  throw new ConfigError(`invalid bind address (${host}): unsupported proto`);
}

export function checkTcpSafety(addr: ListenAddress, tlsDisabledExplicitly: boolean): void {
  if (addr.kind !== "tcp" || isLoopbackHost(addr.host)) return;
  const where = `http://${addr.host}:${addr.port}`;
  const warning =
    `Binding to IP address without --tlsverify is insecure and gives root access on this machine to everyone who has access to your network.` +
    ` host="tcp://${addr.host}:${addr.port}"`;
  if (!tlsDisabledExplicitly) {
    throw new ConfigError(
      `API is accessible on ${where} without encryption.\n${warning}\n` +
        `Refusing to start: pass --tls=false to listen without TLS anyway.`,
    );
  }
  log.warn(warning);
}

/** Is something already answering on this unix socket? */
function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export async function listen(server: Server, addr: ListenAddress): Promise<() => void> {
  if (addr.kind === "unix") {
    mkdirSync(dirname(addr.path), { recursive: true, mode: 0o755 });
    if (await socketInUse(addr.path)) throw new ConfigError(`address already in use: ${addr.path}`);
    rmSync(addr.path, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(addr.path, () => {
        server.off("error", reject);
        resolve();
      });
    });
    chmodSync(addr.path, 0o660);
    log.info("API listen on " + addr.path);
    return () => rmSync(addr.path, { force: true });
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(addr.port, addr.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  log.info(`API listen on ${addr.host}:${addr.port}`);
  return () => undefined;
}
