/**
 * Holds a published host port while the kernel's DNAT serves it (no userland
 * proxy): a socket bound to hostIp:hostPort, as Docker's port mapper keeps one.
 * Without it nothing on the host owns the port, so another daemon (whose bind
 * probe then succeeds) or any process could take the same port, and a second
 * DNAT rule for it would steal or split the first one's connections. While the
 * rules are in place no connection reaches this socket; one that does (rules
 * flushed by a firewall reload) is closed at once rather than left hanging.
 */
import { createServer } from "node:net";
import { createSocket } from "node:dgram";
import { conflict } from "../errors.js";
import type { Proto } from "./firewallPlan.js";
import { netMessages } from "./messages.js";
import type { PortProxy } from "./portProxy.js";

export function reservePort(proto: Proto, hostIp: string, hostPort: number): Promise<PortProxy> {
  return new Promise((resolve, fail) => {
    // Taken between the allocator's probe and here: the same answer the probe would have given.
    const reject = (e: Error) => fail(conflict(netMessages.portBusyOnHost(hostIp, hostPort, e.message)));
    if (proto === "udp") {
      const sock = createSocket("udp4");
      sock.once("error", reject);
      sock.bind({ port: hostPort, address: hostIp, exclusive: true }, () => {
        sock.off("error", reject);
        sock.on("error", () => undefined);
        resolve({ close: () => new Promise<void>((done) => sock.close(() => done())) });
      });
      return;
    }
    const server = createServer((s) => s.destroy());
    server.once("error", reject);
    server.listen({ host: hostIp, port: hostPort, exclusive: true }, () => {
      server.off("error", reject);
      server.on("error", () => undefined);
      resolve({ close: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}
