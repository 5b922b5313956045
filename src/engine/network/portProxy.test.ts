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
