import assert from "node:assert/strict";
import { test } from "node:test";
import { networksOf, parsePortKey, portRequests, sharedNetnsOf } from "./sandbox.js";
import { containerRecord, hostSpec } from "./testdata.js";

test("port keys: tcp by default, udp, malformed ones refused", () => {
  assert.deepEqual(parsePortKey("80"), { port: 80, proto: "tcp" });
  assert.deepEqual(parsePortKey("53/UDP"), { port: 53, proto: "udp" });
  assert.equal(parsePortKey("0/tcp"), undefined);
  assert.equal(parsePortKey("70000"), undefined);
  assert.equal(parsePortKey("80/icmp"), undefined);
});

test("-p bindings come first; -P adds the other exposed ports on ephemeral host ports", () => {
  const c = containerRecord("a1", "web", {
    spec: {
      image: "busybox",
      env: [],
      labels: {},
      tty: false,
      openStdin: false,
      stdinOnce: false,
      host: hostSpec({
        portBindings: [
          { containerPort: 80, proto: "tcp", hostIp: "", hostPort: 8080 },
          { containerPort: 80, proto: "tcp", hostIp: "127.0.0.1", hostPort: 0 },
          { containerPort: 9000, proto: "tcp", hostIp: "", hostPort: 9000, hostPortEnd: 9010 },
        ],
        publishAll: true,
      }),
    },
  });
  c.config.exposedPorts = { "80/tcp": {}, "53/udp": {} };
  assert.deepEqual(portRequests(c), [
    { containerPort: 80, proto: "tcp", hostPort: 8080 },
    { containerPort: 80, proto: "tcp", hostIp: "127.0.0.1" },
    { containerPort: 9000, proto: "tcp", hostPort: 9000, hostPortEnd: 9010 },
    { containerPort: 53, proto: "udp" },
  ]);
  c.spec.host.publishAll = false;
  assert.equal(portRequests(c).length, 3);
});

test("networks of a record: its list, or the one its network mode names (old records)", () => {
  const old = containerRecord("b1", "old", {});
  old.spec.host.networkMode = "bridge";
  assert.deepEqual(networksOf(old), [{ name: "bridge", id: "", aliases: [] }]);
  for (const mode of ["none", "host", `container:${"c".repeat(64)}`]) {
    old.spec.host.networkMode = mode;
    assert.deepEqual(networksOf(old), []);
  }
  const rec = containerRecord("b2", "new", { networks: [{ name: "n1", id: "x", aliases: ["a"] }] });
  assert.deepEqual(networksOf(rec), [{ name: "n1", id: "x", aliases: ["a"] }]);
  assert.equal(sharedNetnsOf("container:abc"), "abc");
  assert.equal(sharedNetnsOf("bridge"), undefined);
});
