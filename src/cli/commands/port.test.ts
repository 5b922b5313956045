import assert from "node:assert/strict";
import { test } from "node:test";
import { portLines } from "./port.js";

const ports = {
  "443/tcp": [{ HostIp: "0.0.0.0", HostPort: "8443" }],
  "80/tcp": [
    { HostIp: "127.0.0.1", HostPort: "9090" },
    { HostIp: "0.0.0.0", HostPort: "8080" },
  ],
  "53/udp": null,
};

test("every mapping, in docker's natural order; unpublished ports print nothing", () => {
  assert.deepEqual(portLines("web", ports), [
    "80/tcp -> 0.0.0.0:8080",
    "80/tcp -> 127.0.0.1:9090",
    "443/tcp -> 0.0.0.0:8443",
  ]);
});

test("one private port: the host sides; tcp is the default protocol", () => {
  assert.deepEqual(portLines("web", ports, "80"), ["0.0.0.0:8080", "127.0.0.1:9090"]);
  assert.deepEqual(portLines("web", ports, "443/tcp"), ["0.0.0.0:8443"]);
});

test("a port without a binding is docker's error", () => {
  assert.throws(() => portLines("web", ports, "53/udp"), /No public port '53\/udp' published for web/);
  assert.throws(() => portLines("web", ports, "x"), /invalid port/);
});
