/**
 * Host ports of published container ports, like Docker's port allocator: a
 * given port, the first free one of a range, or the next one of the kernel's
 * ephemeral range (32768, 32769… in order). A port is taken when another
 * mapping holds it on the same address or on 0.0.0.0 (either side), and must
 * also be free on the host, checked by binding it.
 */
import { createServer } from "node:net";
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { conflict, invalid, unavailable } from "../errors.js";
import { netMessages } from "./messages.js";
import type { Proto } from "./firewallPlan.js";

export interface HostPortRequest {
  /** Default "0.0.0.0". */
  hostIp?: string;
  /** 0 or absent: any ephemeral port. */
  hostPort?: number;
  /** With hostPort: the first free port of hostPort..hostPortEnd. */
  hostPortEnd?: number;
  proto: Proto;
}

export interface HostPort {
  hostIp: string;
  hostPort: number;
  proto: Proto;
}

/** Tries to bind ip:port; resolves with the error text when that fails. */
export type PortProbe = (ip: string, port: number, proto: Proto) => Promise<string | undefined>;

export function readEphemeralRange(): [number, number] {
  const [lo, hi] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
    .trim()
    .split(/\s+/)
    .map(Number);
  return lo && hi && lo <= hi ? [lo, hi] : [32768, 60999];
}

export const bindProbe: PortProbe = (ip, port, proto) =>
  new Promise((resolve) => {
    if (proto === "udp") {
      const sock = createSocket("udp4");
      sock.once("error", (e) => resolve(e.message));
      sock.bind(port, ip, () => sock.close(() => resolve(undefined)));
      return;
    }
    const srv = createServer();
    srv.once("error", (e) => resolve(e.message));
    srv.listen({ port, host: ip, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });

interface Held extends HostPort {
  owner: string;
}

export class PortAllocator {
  private readonly held: Held[] = [];
  private last: number | undefined;

  constructor(
    private readonly ephemeralRange: () => [number, number] = readEphemeralRange,
    private readonly probe: PortProbe = bindProbe,
  ) {}

  /** Marks a port as held without checks (state restored at daemon start). */
  restore(owner: string, p: HostPort): void {
    this.held.push({ ...p, owner });
  }

  async allocate(owner: string, req: HostPortRequest): Promise<HostPort> {
    const hostIp = req.hostIp ?? "0.0.0.0";
    const fixed = req.hostPort !== undefined && req.hostPort !== 0;
    if (fixed && (req.hostPort! < 1 || req.hostPort! > 65535))
      throw invalid(`invalid host port: ${req.hostPort}`);
    if (fixed && req.hostPortEnd === undefined) {
      const port = req.hostPort!;
      if (this.taken(hostIp, port, req.proto)) throw conflict(netMessages.portAllocated(hostIp, port));
      const why = await this.probe(hostIp, port, req.proto);
      // The port may have been taken meanwhile by another allocate of ours.
      if (this.taken(hostIp, port, req.proto)) throw conflict(netMessages.portAllocated(hostIp, port));
      if (why !== undefined) throw conflict(netMessages.portBusyOnHost(hostIp, port, why));
      return this.hold(owner, { hostIp, hostPort: port, proto: req.proto });
    }
    const [lo, hi] = fixed ? [req.hostPort!, req.hostPortEnd!] : this.ephemeralRange();
    if (lo > hi || hi > 65535) throw invalid(`invalid host port range: ${lo}-${hi}`);
    const count = hi - lo + 1;
    const start = !fixed && this.last !== undefined && this.last >= lo && this.last < hi ? this.last + 1 : lo;
    for (let i = 0; i < count; i++) {
      const port = lo + ((start - lo + i) % count);
      if (this.taken(hostIp, port, req.proto)) continue;
      if ((await this.probe(hostIp, port, req.proto)) !== undefined) continue;
      if (this.taken(hostIp, port, req.proto)) continue;
      if (!fixed) this.last = port;
      return this.hold(owner, { hostIp, hostPort: port, proto: req.proto });
    }
    if (fixed) throw conflict(netMessages.portAllocated(hostIp, lo));
    throw unavailable(netMessages.noFreePort());
  }

  /** Frees every port held by owner. */
  release(owner: string): void {
    for (let i = this.held.length - 1; i >= 0; i--) if (this.held[i]?.owner === owner) this.held.splice(i, 1);
  }

  heldBy(owner: string): HostPort[] {
    return this.held
      .filter((h) => h.owner === owner)
      .map(({ hostIp, hostPort, proto }) => ({ hostIp, hostPort, proto }));
  }

  private taken(ip: string, port: number, proto: Proto): boolean {
    return this.held.some(
      (h) =>
        h.hostPort === port &&
        h.proto === proto &&
        (h.hostIp === ip || h.hostIp === "0.0.0.0" || ip === "0.0.0.0"),
    );
  }

  private hold(owner: string, p: HostPort): HostPort {
    this.held.push({ ...p, owner });
    return p;
  }
}
