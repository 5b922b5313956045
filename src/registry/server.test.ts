import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCommand } from "../engine/host/command.js";
import { isLoopbackHost as isLoopback } from "../engine/loopback.js";
import { parseAddr, startRegistry } from "./server.js";

test("parseAddr and isLoopback", () => {
  assert.deepEqual(parseAddr("127.0.0.1:5000"), { host: "127.0.0.1", port: 5000 });
  assert.deepEqual(parseAddr("[::1]:0"), { host: "::1", port: 0 });
  assert.deepEqual(parseAddr(":5000"), { host: "0.0.0.0", port: 5000 });
  assert.throws(() => parseAddr("127.0.0.1"));
  assert.throws(() => parseAddr("127.0.0.1:99999"));
  assert.ok(
    isLoopback("127.0.0.1") && isLoopback("127.5.0.9") && isLoopback("::1") && isLoopback("localhost"),
  );
  assert.ok(!isLoopback("0.0.0.0") && !isLoopback("10.0.0.1") && !isLoopback("::"));
});

test("a non-loopback address without TLS is refused before anything listens", async () => {
  const root = await mkdtemp(join(tmpdir(), "berth-registry-addr-"));
  try {
    await assert.rejects(startRegistry({ root, addr: "0.0.0.0:0" }), /without TLS/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

const openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].find((p) => existsSync(p));

test("serves over TLS", { skip: openssl === undefined ? "openssl is not installed" : false }, async () => {
  const root = await mkdtemp(join(tmpdir(), "berth-registry-tls-"));
  const reg: { close: () => Promise<void> } = { close: async () => undefined };
  try {
    const certFile = join(root, "cert.pem");
    const keyFile = join(root, "key.pem");
    await runCommand([
      openssl!,
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"],
      ...["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", keyFile, "-out", certFile],
    ]);
    const running = await startRegistry({
      root: join(root, "data"),
      addr: "127.0.0.1:0",
      tls: { certFile, keyFile },
    });
    reg.close = () => running.close();
    assert.match(running.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = await readFile(certFile);
    const { status, header } = await new Promise<{ status: number; header: string | undefined }>(
      (resolve, reject) => {
        const req = request(`${running.url}/v2/`, { ca }, (res) => {
          res.resume();
          resolve({
            status: res.statusCode ?? 0,
            header: res.headers["docker-distribution-api-version"] as string,
          });
        });
        req.on("error", reject);
        req.end();
      },
    );
    assert.equal(status, 200);
    assert.equal(header, "registry/2.0");
  } finally {
    await reg.close();
    await rm(root, { recursive: true, force: true });
  }
});
