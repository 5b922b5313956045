import { test } from "node:test";
import assert from "node:assert/strict";
import { isEngineError } from "../errors.js";
import { endpointsFor, hostnameOf, inCidr, isInsecure, validateRegistryConfig } from "./endpoints.js";

const none = { insecureRegistries: [], mirrors: [] };

test("loopback registries are insecure by default: HTTPS without verification, then HTTP", async () => {
  assert.deepEqual(await endpointsFor("127.0.0.1:5000", none, "pull"), [
    { base: "https://127.0.0.1:5000", skipVerify: true, mirror: false },
    { base: "http://127.0.0.1:5000", skipVerify: false, mirror: false },
  ]);
  assert.equal(await isInsecure("localhost:5000", none), true);
});

test("other registries are HTTPS only unless listed (by name or CIDR)", async () => {
  assert.deepEqual(await endpointsFor("10.1.2.3:5000", none, "push"), [
    { base: "https://10.1.2.3:5000", skipVerify: false, mirror: false },
  ]);
  assert.equal(
    await isInsecure("10.1.2.3:5000", { insecureRegistries: ["10.1.2.3:5000"], mirrors: [] }),
    true,
  );
  assert.equal(await isInsecure("10.1.2.3:5000", { insecureRegistries: ["10.0.0.0/8"], mirrors: [] }), true);
  assert.equal(
    await isInsecure("10.1.2.3:5000", { insecureRegistries: ["192.168.0.0/16"], mirrors: [] }),
    false,
  );
});

test("docker.io without a mirror fails before any connection; with one, pulls go to it", async () => {
  await assert.rejects(
    endpointsFor("docker.io", none, "pull"),
    (e) => isEngineError(e, "unavailable") && /registry-mirrors/.test(e.message),
  );
  await assert.rejects(
    endpointsFor("docker.io", { insecureRegistries: [], mirrors: ["http://127.0.0.1:5001"] }, "push"),
    /push needs a registry/,
  );
  assert.deepEqual(
    await endpointsFor("docker.io", { insecureRegistries: [], mirrors: ["http://127.0.0.1:5001"] }, "pull"),
    [{ base: "http://127.0.0.1:5001", skipVerify: true, mirror: true }],
  );
});

test("config validation", () => {
  assert.throws(
    () => validateRegistryConfig({ insecureRegistries: [], mirrors: ["ftp://x"] }),
    /unsupported scheme/,
  );
  assert.throws(
    () => validateRegistryConfig({ insecureRegistries: [], mirrors: ["http://x/path"] }),
    /path must be empty/,
  );
  assert.throws(
    () => validateRegistryConfig({ insecureRegistries: ["http://x"], mirrors: [] }),
    /should not contain/,
  );
  validateRegistryConfig({ insecureRegistries: ["x:5000", "10.0.0.0/8"], mirrors: ["https://mirror.local"] });
});

test("host parts and CIDRs", () => {
  assert.equal(hostnameOf("127.0.0.1:5000"), "127.0.0.1");
  assert.equal(hostnameOf("[::1]:5000"), "::1");
  assert.equal(hostnameOf("registry.local"), "registry.local");
  assert.equal(inCidr("127.8.9.1", "127.0.0.0/8"), true);
  assert.equal(inCidr("128.0.0.1", "127.0.0.0/8"), false);
  assert.equal(inCidr("1.2.3.4", "0.0.0.0/0"), true);
});
