import { test } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { createConnection, createServer } from "node:net";
import * as dnsPacket from "dns-packet";
import { DnsServer, type Upstream } from "./dnsServer.js";
import { DnsTable, ptrToIp } from "./dnsTable.js";

type Reply = dnsPacket.DecodedPacket & { rcode?: string };

function udpQuery(port: number, msg: Buffer, timeoutMs = 3000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = createSocket("udp4");
    const t = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, timeoutMs);
    s.on("message", (m) => {
      clearTimeout(t);
      s.close();
      resolve(m);
    });
    s.send(msg, port, "127.0.0.1");
  });
}

const q = (name: string, type: dnsPacket.RecordType = "A", id = 42) =>
  dnsPacket.encode({
    type: "query",
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: "IN" }],
  });

async function ask(port: number, name: string, type: dnsPacket.RecordType = "A"): Promise<Reply> {
  const reply = await udpQuery(port, q(name, type));
  assert.ok(reply, `no reply for ${name}`);
  return dnsPacket.decode(reply);
}

/** A fake upstream on 127.0.0.1: answers upstream.test, NXDOMAIN otherwise, on UDP and TCP. */
async function fakeUpstream(): Promise<{ up: Upstream; seen: string[]; close: () => void }> {
  const seen: string[] = [];
  const respond = (msg: Buffer): Buffer => {
    const p = dnsPacket.decode(msg);
    const name = p.questions?.[0]?.name ?? "";
    seen.push(name);
    const known = name === "upstream.test";
    return dnsPacket.encode({
      type: "response",
      id: p.id ?? 0,
      flags: known ? 0 : 3,
      questions: p.questions ?? [],
      answers: known ? [{ type: "A", name, ttl: 30, class: "IN", data: "10.99.0.1" }] : [],
    });
  };
  const udp = createSocket("udp4");
  udp.on("message", (m, r) => udp.send(respond(m), r.port, r.address));
  await new Promise<void>((r) => udp.bind(0, "127.0.0.1", r));
  const port = udp.address().port;
  const tcp = createServer((s) => {
    s.on("data", (b: Buffer) => {
      const out = respond(b.subarray(2, 2 + b.readUInt16BE(0)));
      const head = Buffer.alloc(2);
      head.writeUInt16BE(out.length);
      s.end(Buffer.concat([head, out]));
    });
  });
  await new Promise<void>((r) => tcp.listen(port, "127.0.0.1", r));
  return { up: { address: "127.0.0.1", port }, seen, close: () => (udp.close(), tcp.close()) };
}

async function withServer(upstreams: Upstream[], fn: (port: number, table: DnsTable) => Promise<void>) {
  const table = new DnsTable("mynet");
  table.set({ owner: "c1", ipv4: "10.211.0.2", names: ["busybox-2", "0123456789ab", "db"] });
  table.set({ owner: "c2", ipv4: "10.211.0.3", names: ["web"] });
  const server = new DnsServer({
    address: "127.0.0.1",
    port: 0,
    table,
    upstreams: () => upstreams,
    timeoutMs: 300,
  });
  const port = await server.start();
  try {
    await fn(port, table);
  } finally {
    await server.close();
  }
}

test("A records for names, short IDs and aliases, any case, TTL 600; AAAA empty", async () => {
  await withServer([], async (port) => {
    for (const name of ["busybox-2", "BusyBox-2.", "0123456789ab", "db"]) {
      const r = await ask(port, name);
      assert.equal(r.rcode, "NOERROR");
      assert.equal(r.id, 42);
      assert.ok(r.flag_aa);
      assert.deepEqual(
        r.answers?.map((a) => [
          a.type,
          (a as dnsPacket.StringAnswer).data,
          (a as dnsPacket.StringAnswer).ttl,
        ]),
        [["A", "10.211.0.2", 600]],
      );
    }
    const aaaa = await ask(port, "web", "AAAA");
    assert.equal(aaaa.rcode, "NOERROR");
    assert.deepEqual(aaaa.answers, []);
  });
});

test("PTR for container addresses gives name.network", async () => {
  assert.equal(ptrToIp("2.0.211.10.in-addr.arpa"), "10.211.0.2");
  assert.equal(ptrToIp("example.com"), undefined);
  await withServer([], async (port) => {
    const r = await ask(port, "3.0.211.10.in-addr.arpa", "PTR");
    assert.deepEqual(
      r.answers?.map((a) => (a as dnsPacket.StringAnswer).data),
      ["web.mynet"],
    );
  });
});

test("unknown names go to the upstream (UDP and TCP); without upstreams NXDOMAIN", async () => {
  const fake = await fakeUpstream();
  try {
    await withServer([fake.up], async (port, table) => {
      const r = await ask(port, "upstream.test");
      assert.deepEqual(
        r.answers?.map((a) => (a as dnsPacket.StringAnswer).data),
        ["10.99.0.1"],
      );
      assert.equal((await ask(port, "nothing.test")).rcode, "NXDOMAIN");
      table.remove("c2");
      assert.equal((await ask(port, "web")).rcode, "NXDOMAIN", "removed names are forwarded, not answered");
      assert.deepEqual(fake.seen, ["upstream.test", "nothing.test", "web"]);
      // TCP
      const reply = await new Promise<Buffer>((resolve, reject) => {
        const s = createConnection({ host: "127.0.0.1", port });
        const msg = q("upstream.test", "A", 7);
        const head = Buffer.alloc(2);
        head.writeUInt16BE(msg.length);
        let buf = Buffer.alloc(0);
        s.on("data", (b: Buffer) => {
          buf = Buffer.concat([buf, b]);
          if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
            s.end();
            resolve(buf.subarray(2));
          }
        });
        s.on("error", reject);
        s.write(Buffer.concat([head, msg]));
      });
      const p = dnsPacket.decode(reply);
      assert.equal(p.id, 7);
      assert.deepEqual(
        p.answers?.map((a) => (a as dnsPacket.StringAnswer).data),
        ["10.99.0.1"],
      );
    });
    await withServer([], async (port) => assert.equal((await ask(port, "upstream.test")).rcode, "NXDOMAIN"));
  } finally {
    fake.close();
  }
});

test("a silent upstream gives SERVFAIL after the timeout; the next upstream is tried", async () => {
  const silent = createSocket("udp4");
  await new Promise<void>((r) => silent.bind(0, "127.0.0.1", r));
  const fake = await fakeUpstream();
  try {
    const dead = { address: "127.0.0.1", port: silent.address().port };
    await withServer([dead], async (port) => {
      const t0 = Date.now();
      assert.equal((await ask(port, "upstream.test")).rcode, "SERVFAIL");
      assert.ok(Date.now() - t0 < 2000);
    });
    await withServer([dead, fake.up], async (port) => {
      assert.equal((await ask(port, "upstream.test")).answers?.length, 1);
    });
  } finally {
    silent.close();
    fake.close();
  }
});

test("malformed packets get FORMERR or silence, and the server keeps serving", async () => {
  await withServer([], async (port) => {
    assert.equal(await udpQuery(port, Buffer.from([1, 2, 3]), 300), undefined);
    const garbage = Buffer.concat([q("web").subarray(0, 12), Buffer.from([0xff, 0xff, 0xff])]);
    const r = await udpQuery(port, garbage);
    assert.ok(r);
    assert.equal(r.readUInt16BE(0), 42);
    assert.equal(r.readUInt16BE(2) & 0xf, 1, "FORMERR");
    assert.deepEqual((await ask(port, "web")).answers?.length, 1);
  });
});
