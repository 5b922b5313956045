import { test } from "node:test";
import assert from "node:assert/strict";
import { createConnection, createServer, type AddressInfo } from "node:net";
import { createSocket } from "node:dgram";
import { startPortProxy } from "./portProxy.js";
import { bindProbe } from "./portAllocator.js";

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

test("tcp proxy relays both ways and passes a half-close on", async () => {
  const backend = createServer({ allowHalfOpen: true }, (s) => {
    const chunks: Buffer[] = [];
    s.on("data", (b: Buffer) => chunks.push(b));
    s.on("end", () => s.end(Buffer.concat(chunks).toString().toUpperCase()));
  });
  await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
  const hostPort = await freePort();
  const proxy = await startPortProxy({
    proto: "tcp",
    hostIp: "127.0.0.1",
    hostPort,
    targetIp: "127.0.0.1",
    targetPort: (backend.address() as AddressInfo).port,
  });
  try {
    const reply = await new Promise<string>((resolve, reject) => {
      const c = createConnection({ host: "127.0.0.1", port: hostPort, allowHalfOpen: true });
      const got: Buffer[] = [];
      c.on("data", (b: Buffer) => got.push(b));
      c.on("end", () => resolve(Buffer.concat(got).toString()));
      c.on("error", reject);
      c.end("hello berth");
    });
    assert.equal(reply, "HELLO BERTH");
  } finally {
    await proxy.close();
    backend.close();
  }
  assert.equal(await bindProbe("127.0.0.1", hostPort, "tcp"), undefined, "port released");
});

test("tcp proxy relays a bulk stream intact to a slow reader (reused read buffer, backpressure)", async () => {
  // 8 MiB of distinct bytes: a reused buffer overwritten before its write left would corrupt them.
  const payload = Buffer.alloc(8 << 20);
  for (let i = 0; i < payload.length; i += 4) payload.writeUInt32LE(i, i);
  const backend = createServer((s) => s.end(payload));
  await new Promise<void>((r) => backend.listen(0, "127.0.0.1", r));
  const hostPort = await freePort();
  const proxy = await startPortProxy({
    proto: "tcp",
    hostIp: "127.0.0.1",
    hostPort,
    targetIp: "127.0.0.1",
    targetPort: (backend.address() as AddressInfo).port,
  });
  try {
    const got = await new Promise<Buffer>((resolve, reject) => {
      const c = createConnection({ host: "127.0.0.1", port: hostPort });
      const chunks: Buffer[] = [];
      let reads = 0;
      c.on("data", (b: Buffer) => {
        chunks.push(b);
        // Reads slowly now and then so the proxy's writes to this client back up.
        if (++reads % 16 === 0) {
          c.pause();
          setTimeout(() => c.resume(), 5);
        }
      });
      c.on("end", () => resolve(Buffer.concat(chunks)));
      c.on("error", reject);
    });
    assert.equal(got.length, payload.length);
    assert.ok(got.equals(payload), "bytes arrive unchanged and in order");
  } finally {
    await proxy.close();
    backend.close();
  }
});

test("udp proxy relays datagrams and replies per client", async () => {
  const backend = createSocket("udp4");
  backend.on("message", (m, r) => backend.send(Buffer.from(`echo:${m.toString()}`), r.port, r.address));
  await new Promise<void>((r) => backend.bind(0, "127.0.0.1", r));
  const hostPort = await freePort();
  const proxy = await startPortProxy({
    proto: "udp",
    hostIp: "127.0.0.1",
    hostPort,
    targetIp: "127.0.0.1",
    targetPort: backend.address().port,
  });
  const client = createSocket("udp4");
  try {
    const reply = await new Promise<string>((resolve) => {
      client.on("message", (m) => resolve(m.toString()));
      client.send("ping", hostPort, "127.0.0.1");
    });
    assert.equal(reply, "echo:ping");
  } finally {
    client.close();
    await proxy.close();
    backend.close();
  }
});
