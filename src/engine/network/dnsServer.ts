/**
 * The embedded DNS server of one network (what aardvark-dns or Docker's
 * resolver does), on UDP and TCP at one address: A, AAAA (empty, no IPv6 yet)
 * and PTR for the names of the network's endpoints, answered with Docker's
 * TTL of 600 s; everything else is relayed as-is to the upstream resolvers
 * the caller names, in order, each with a timeout; when none answers the
 * client gets SERVFAIL, and NXDOMAIN when there is no upstream at all (an
 * internal network). Malformed packets get FORMERR or are dropped, never a crash.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import * as dnsPacket from "dns-packet";
import { ptrToIp, type DnsTable } from "./dnsTable.js";

export const dnsTtl = 600;

export interface Upstream {
  address: string;
  port: number;
}

export interface DnsServerOptions {
  address: string;
  /** 0 for any free port (tests). */
  port: number;
  table: DnsTable;
  /** Read on each query, so resolver changes apply at once. */
  upstreams: () => readonly Upstream[];
  /** Per upstream; default 2 s. */
  timeoutMs?: number;
}

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4 } as const;

/** A header-only reply carrying the query's ID, opcode and RD bit. */
function errorReply(query: Buffer, rcode: number): Buffer | undefined {
  if (query.length < 12) return undefined;
  const out = Buffer.alloc(12);
  out.writeUInt16BE(query.readUInt16BE(0), 0);
  const flags = query.readUInt16BE(2);
  out.writeUInt16BE(0x8000 | (flags & 0x7900) | 0x0080 | rcode, 2);
  return out;
}

export class DnsServer {
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  private readonly conns = new Set<Socket>();

  constructor(private readonly opts: DnsServerOptions) {}

  /** Binds UDP then TCP on the same port; resolves with that port. */
  async start(): Promise<number> {
    const udp = createSocket("udp4");
    udp.on("message", (msg, rinfo) => {
      void this.answer(msg, "udp").then((reply) => {
        if (reply) udp.send(reply, rinfo.port, rinfo.address);
      });
    });
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(this.opts.port, this.opts.address, () => {
        udp.off("error", reject);
        resolve();
      });
    });
    udp.on("error", () => undefined);
    this.udp = udp;
    const port = udp.address().port;
    const tcp = createServer((sock) => this.serveTcp(sock));
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen({ host: this.opts.address, port, exclusive: true }, () => {
          tcp.off("error", reject);
          resolve();
        });
      });
    } catch (e) {
      udp.close();
      this.udp = undefined;
      throw e;
    }
    this.tcp = tcp;
    return port;
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
    this.udp = undefined;
    this.tcp = undefined;
  }

  private serveTcp(sock: Socket): void {
    this.conns.add(sock);
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on("close", () => this.conns.delete(sock));
    sock.on("error", () => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        void this.answer(msg, "tcp").then((reply) => {
          if (!reply || sock.destroyed) return;
          const head = Buffer.alloc(2);
          head.writeUInt16BE(reply.length);
          sock.write(Buffer.concat([head, reply]));
        });
      }
    });
  }

  /** The reply to one query message, or undefined to stay silent. */
  async answer(msg: Buffer, transport: "udp" | "tcp"): Promise<Buffer | undefined> {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return errorReply(msg, RCODE.FORMERR);
    }
    if (query.flag_qr) return undefined;
    if (((query.flags ?? 0) >> 11) & 0xf) return errorReply(msg, RCODE.NOTIMP);
    const q = query.questions?.[0];
    if (!q || query.questions?.length !== 1) return errorReply(msg, RCODE.FORMERR);
    const local = this.localAnswer(q);
    if (local) {
      try {
        return dnsPacket.encode({
          type: "response",
          id: query.id ?? 0,
          flags:
            dnsPacket.AUTHORITATIVE_ANSWER |
            dnsPacket.RECURSION_AVAILABLE |
            (query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0),
          questions: [q],
          answers: local,
        });
      } catch {
        return errorReply(msg, RCODE.SERVFAIL);
      }
    }
    const upstreams = this.opts.upstreams();
    if (upstreams.length === 0) return errorReply(msg, RCODE.NXDOMAIN);
    for (const up of upstreams) {
      const reply = await (transport === "udp" ? this.forwardUdp(msg, up) : this.forwardTcp(msg, up));
      if (reply && reply.length >= 12 && reply.readUInt16BE(0) === msg.readUInt16BE(0)) return reply;
    }
    return errorReply(msg, RCODE.SERVFAIL);
  }

  /** Answers for a name this network knows, or undefined to forward the question. */
  private localAnswer(q: dnsPacket.Question): dnsPacket.Answer[] | undefined {
    if (q.class !== "IN" && q.class !== undefined) return undefined;
    if (q.type === "PTR") {
      const ip = ptrToIp(q.name);
      const names = ip === undefined ? [] : this.opts.table.reverse(ip);
      if (names.length === 0) return undefined;
      return names.map((data) => ({ type: "PTR", name: q.name, ttl: dnsTtl, class: "IN", data }));
    }
    const ips = this.opts.table.lookup(q.name);
    if (!ips) return undefined;
    if (q.type !== "A") return [];
    return ips.map((data) => ({ type: "A", name: q.name, ttl: dnsTtl, class: "IN", data }));
  }

  private forwardUdp(msg: Buffer, up: Upstream): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const sock = createSocket("udp4");
      let finished = false;
      const done = (reply: Buffer | undefined) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        sock.close();
        resolve(reply);
      };
      const timer = setTimeout(() => done(undefined), this.opts.timeoutMs ?? 2000);
      sock.on("error", () => done(undefined));
      sock.on("message", (reply, rinfo) => {
        if (rinfo.address === up.address && rinfo.port === up.port) done(reply);
      });
      sock.send(msg, up.port, up.address);
    });
  }

  private forwardTcp(msg: Buffer, up: Upstream): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const sock = createConnection({ host: up.address, port: up.port });
      let buf = Buffer.alloc(0);
      const done = (reply: Buffer | undefined) => {
        clearTimeout(timer);
        sock.destroy();
        resolve(reply);
      };
      const timer = setTimeout(() => done(undefined), this.opts.timeoutMs ?? 2000);
      sock.on("error", () => done(undefined));
      sock.on("close", () => done(undefined));
      sock.on("data", (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0))
          done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      });
      const head = Buffer.alloc(2);
      head.writeUInt16BE(msg.length);
      sock.write(Buffer.concat([head, msg]));
    });
  }
}
