import { test } from "node:test";
import assert from "node:assert/strict";
import { createConnection, createServer, type AddressInfo } from "node:net";
import { bindProbe } from "./portAllocator.js";
import { reservePort } from "./portReservation.js";

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

for (const proto of ["tcp", "udp"] as const) {
  test(`a reserved ${proto} port cannot be bound by others until closed`, async () => {
    const port = await freePort();
    const held = await reservePort(proto, "127.0.0.1", port);
    try {
      assert.notEqual(await bindProbe("127.0.0.1", port, proto), undefined, "held");
      await assert.rejects(reservePort(proto, "127.0.0.1", port), (e: Error) => {
        assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
        return true;
      });
    } finally {
      await held.close();
    }
    assert.equal(await bindProbe("127.0.0.1", port, proto), undefined, "released");
  });
}

test("a connection reaching a reserved tcp port (no DNAT) is closed, not left hanging", async () => {
  const port = await freePort();
  const held = await reservePort("tcp", "127.0.0.1", port);
  try {
    await new Promise<void>((resolve, reject) => {
      const c = createConnection({ host: "127.0.0.1", port });
      c.on("error", () => resolve());
      c.on("close", () => resolve());
      c.setTimeout(5000, () => reject(new Error("connection left open")));
      c.resume();
    });
  } finally {
    await held.close();
  }
});
