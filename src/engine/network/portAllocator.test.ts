import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { isEngineError } from "../errors.js";
import { bindProbe, PortAllocator, readEphemeralRange, type PortProbe } from "./portAllocator.js";

const free: PortProbe = async () => undefined;

test("ephemeral ports are handed out in order from the range start, like Docker's 32768, 32769…", async () => {
  const a = new PortAllocator(() => [32768, 32770], free);
  const got = [];
  for (const o of ["a", "b", "c"]) got.push((await a.allocate(o, { proto: "tcp" })).hostPort);
  assert.deepEqual(got, [32768, 32769, 32770]);
  await assert.rejects(a.allocate("d", { proto: "tcp" }), (e) => isEngineError(e, "unavailable"));
  a.release("b");
  assert.equal((await a.allocate("d", { proto: "tcp" })).hostPort, 32769);
});

test("a specific port held on 0.0.0.0 or the same address conflicts with Docker's text", async () => {
  const a = new PortAllocator(() => [40000, 40010], free);
  await a.allocate("a", { hostPort: 8080, proto: "tcp" });
  await assert.rejects(
    a.allocate("b", { hostPort: 8080, proto: "tcp" }),
    (e) =>
      isEngineError(e, "conflict") && e.message === "Bind for 0.0.0.0:8080 failed: port is already allocated",
  );
  await assert.rejects(
    a.allocate("b", { hostIp: "127.0.0.1", hostPort: 8080, proto: "tcp" }),
    /Bind for 127.0.0.1:8080/,
  );
  assert.equal(
    (await a.allocate("b", { hostPort: 8080, proto: "udp" })).hostPort,
    8080,
    "udp is another space",
  );
  await a.allocate("c", { hostIp: "127.0.0.1", hostPort: 9090, proto: "tcp" });
  assert.equal((await a.allocate("d", { hostIp: "127.0.0.2", hostPort: 9090, proto: "tcp" })).hostPort, 9090);
  assert.deepEqual(a.heldBy("a"), [{ hostIp: "0.0.0.0", hostPort: 8080, proto: "tcp" }]);
});

test("ranges take the first free port and fail when all are taken", async () => {
  const a = new PortAllocator(() => [40000, 40010], free);
  await a.allocate("a", { hostPort: 8000, proto: "tcp" });
  assert.equal((await a.allocate("b", { hostPort: 8000, hostPortEnd: 8002, proto: "tcp" })).hostPort, 8001);
  await a.allocate("c", { hostPort: 8002, proto: "tcp" });
  await assert.rejects(
    a.allocate("d", { hostPort: 8000, hostPortEnd: 8002, proto: "tcp" }),
    /port is already allocated/,
  );
});

test("a port busy on the host (bound by someone else) is refused or skipped", async () => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  try {
    assert.match((await bindProbe("127.0.0.1", port, "tcp")) ?? "", /EADDRINUSE/);
    const a = new PortAllocator(() => [port, port + 1]);
    await assert.rejects(
      a.allocate("a", { hostIp: "127.0.0.1", hostPort: port, proto: "tcp" }),
      /address already in use|EADDRINUSE/,
    );
    const got = await a.allocate("a", { hostIp: "127.0.0.1", proto: "tcp" });
    assert.notEqual(got.hostPort, port);
  } finally {
    srv.close();
  }
});

test("the kernel's ephemeral range is read", () => {
  const [lo, hi] = readEphemeralRange();
  assert.ok(lo > 0 && hi >= lo && hi <= 65535);
});
