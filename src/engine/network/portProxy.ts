/**
 * A userland proxy for one published port (Docker's docker-proxy, in process):
 * listens on hostIp:hostPort and relays to the container's address. It serves
 * what iptables DNAT cannot without route_localnet: connections to 127.0.0.1.
 * TCP keeps half-close (one side's FIN is passed on while the other still
 * sends); UDP keeps one upstream socket per client address, dropped when idle.
 */
import { createConnection, createServer, type Socket } from "node:net";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import type { Proto } from "./firewallPlan.js";

export interface ProxySpec {
  proto: Proto;
  hostIp: string;
  hostPort: number;
  targetIp: string;
  targetPort: number;
  /** UDP flows without traffic for this long are closed; default 60 s. */
  udpIdleMs?: number;
}

export interface PortProxy {
  close(): Promise<void>;
}

export function startPortProxy(spec: ProxySpec): Promise<PortProxy> {
  return spec.proto === "tcp" ? startTcp(spec) : startUdp(spec);
}

/** Bytes read from the container per read(2); libuv's own read size. */
const RELAY_BUFFER = 64 * 1024;

function startTcp(spec: ProxySpec): Promise<PortProxy> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    // Container -> client is the bulk direction of most published ports: it reads into one buffer
    // per connection instead of a new Buffer and a stream event per chunk. The buffer is read into
    // again only once the client socket took the bytes (libuv writes synchronously when it can;
    // otherwise reading pauses until the write completes, which is also the backpressure).
    const buffer = Buffer.allocUnsafe(RELAY_BUFFER);
    let paused = false;
    const resume = () => {
      if (!paused) return;
      paused = false;
      upstream.resume();
    };
    const upstream = createConnection({
      host: spec.targetIp,
      port: spec.targetPort,
      allowHalfOpen: true,
      noDelay: true,
      onread: {
        buffer,
        callback: (n, buf) => {
          client.write(buf.subarray(0, n), resume);
          if (client.writableLength === 0) return true;
          paused = true;
          return false;
        },
      },
    });
    // The container's FIN is passed on once its bytes are written (half-close).
    upstream.on("end", () => client.end());
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      // A reset on one side resets the other; errors are the peers' business, not the daemon's.
      s.on("error", () => (s === client ? upstream : client).destroy());
    }
    client.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: spec.hostIp, port: spec.hostPort, exclusive: true }, () => {
      server.off("error", reject);
      resolve({
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

function startUdp(spec: ProxySpec): Promise<PortProxy> {
  const idleMs = spec.udpIdleMs ?? 60_000;
  const front = createSocket("udp4");
  const flows = new Map<string, { sock: UdpSocket; timer: NodeJS.Timeout }>();
  const drop = (key: string) => {
    const f = flows.get(key);
    if (!f) return;
    clearTimeout(f.timer);
    f.sock.close();
    flows.delete(key);
  };
  front.on("message", (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let flow = flows.get(key);
    if (!flow) {
      const sock = createSocket("udp4");
      sock.on("message", (reply) => {
        front.send(reply, rinfo.port, rinfo.address);
        const f = flows.get(key);
        f?.timer.refresh();
      });
      sock.on("error", () => drop(key));
      flow = { sock, timer: setTimeout(() => drop(key), idleMs) };
      flow.timer.unref();
      flows.set(key, flow);
    } else {
      flow.timer.refresh();
    }
    flow.sock.send(msg, spec.targetPort, spec.targetIp);
  });
  front.on("error", () => undefined);
  return new Promise((resolve, reject) => {
    front.once("error", reject);
    front.bind(spec.hostPort, spec.hostIp, () => {
      front.off("error", reject);
      resolve({
        close: () =>
          new Promise<void>((done) => {
            for (const key of [...flows.keys()]) drop(key);
            front.close(() => done());
          }),
      });
    });
  });
}
