import { test } from "node:test";
import assert from "node:assert/strict";
import { isEngineError } from "../engine/errors.js";
import type { Endpoint, Network, NetworkId } from "../engine/network/index.js";
import { filterNetworks, matchLabels, toCreateSpec, toNetworkWire } from "./networks.js";
import { parseFilters } from "./query.js";

const id = (c: string) => c.repeat(64) as NetworkId;

function bridgeNet(name: string, extra: Partial<Network> = {}, userSubnet = false): Network {
  return {
    id: id(name[0] ?? "0"),
    name,
    driver: "bridge",
    created: "2024-05-01T10:00:00.120Z",
    internal: false,
    labels: {},
    options: {},
    bridge: {
      name: name === "bridge" ? "berth0" : `br-${name}`,
      subnet: "172.18.0.0/16",
      gateway: "172.18.0.1",
      mtu: 1500,
      icc: true,
      masquerade: true,
      isDefault: name === "bridge",
      ...(userSubnet ? { userSubnet: true } : {}),
    },
    ...extra,
  };
}

const pseudo = (name: string, driver: "host" | "null"): Network => ({
  id: id(driver === "host" ? "e" : "f"),
  name,
  driver,
  created: "2024-05-01T10:00:00Z",
  internal: false,
  labels: {},
  options: {},
});

test("the default bridge shows Docker's options and a null IPAM options map", () => {
  const w = toNetworkWire(bridgeNet("bridge"), []);
  assert.equal(w.Created, "2024-05-01T10:00:00.12Z");
  assert.deepEqual(w.IPAM, {
    Driver: "default",
    Options: null,
    Config: [{ Subnet: "172.18.0.0/16", Gateway: "172.18.0.1" }],
  });
  assert.equal(w.Options["com.docker.network.bridge.name"], "berth0");
  assert.equal(w.Options["com.docker.network.bridge.default_bridge"], "true");
  assert.equal(w.Scope, "local");
});

test("user networks echo the IPAM config given; containers carry address/prefix", () => {
  const n = bridgeNet("web", { options: { "com.docker.network.driver.mtu": "1400" } }, true);
  const ep: Endpoint = {
    networkId: n.id,
    containerId: "a".repeat(64),
    containerName: "app",
    endpointId: "e".repeat(64),
    aliases: [],
    ip: "172.18.0.2",
    prefixLen: 16,
    mac: "02:42:ac:12:00:02",
  };
  const w = toNetworkWire(n, [ep]);
  assert.deepEqual(w.IPAM, { Driver: "default", Options: {}, Config: [{ Subnet: "172.18.0.0/16" }] });
  assert.deepEqual(w.Options, { "com.docker.network.driver.mtu": "1400" });
  assert.deepEqual(w.Containers["a".repeat(64)], {
    Name: "app",
    EndpointID: "e".repeat(64),
    MacAddress: "02:42:ac:12:00:02",
    IPv4Address: "172.18.0.2/16",
    IPv6Address: "",
  });
  assert.deepEqual(toNetworkWire(pseudo("none", "null"), []).IPAM, {
    Driver: "default",
    Options: null,
    Config: [],
  });
});

test("filters: type, dangling, label, name regexps, driver; bad values are refused", () => {
  const nets = [
    bridgeNet("bridge"),
    pseudo("host", "host"),
    pseudo("none", "null"),
    bridgeNet("web", { labels: { tier: "front" } }),
    bridgeNet("db1"),
  ];
  const used = new Set(["db1"]);
  const names = (raw: string) =>
    filterNetworks(nets, parseFilters(raw), (n) => used.has(n.name)).map((n) => n.name);
  assert.deepEqual(names('{"type":["custom"]}'), ["web", "db1"]);
  assert.deepEqual(names('{"type":["builtin"]}'), ["bridge", "host", "none"]);
  assert.deepEqual(names('{"dangling":["true"]}'), ["web"]);
  assert.deepEqual(names('{"dangling":["0"]}'), ["bridge", "host", "none", "db1"]);
  assert.deepEqual(names('{"label":["tier=front"]}'), ["web"]);
  assert.deepEqual(names('{"label":["tier=back"]}'), []);
  assert.deepEqual(names('{"name":["^d.[0-9]$"]}'), ["db1"]);
  assert.deepEqual(names('{"driver":["null","host"]}'), ["host", "none"]);
  assert.deepEqual(names('{"scope":["local"]}').length, 5);
  assert.deepEqual(names('{"id":["^ccc"]}'), []);
  assert.deepEqual(names('{"id":["^ddd"]}'), ["db1"]);
  assert.throws(() => names('{"type":["x"]}'), /invalid filter: 'type'='x'/);
  assert.throws(() => names('{"dangling":["maybe"]}'), /invalid value for filter 'dangling'/);
  assert.throws(() => names('{"dangling":["1","0"]}'), /more than one value/);
});

test("matchLabels is Docker's MatchKVList", () => {
  assert.ok(matchLabels(["a", "b=2"], { a: "", b: "2" }));
  assert.ok(!matchLabels(["b=3"], { b: "2" }));
  assert.ok(!matchLabels(["c"], { b: "2" }));
  assert.ok(matchLabels([], {}));
});

test("create body: bridge by default, unsupported parts refused with 501 or Docker's 404", () => {
  assert.deepEqual(
    toCreateSpec({
      Name: "n",
      IPAM: { Driver: "default", Config: [{ Subnet: "10.1.0.0/24", Gateway: "10.1.0.9" }], Options: {} },
      Labels: { a: "b" },
      Options: { "com.docker.network.bridge.name": "brx" },
      Attachable: true,
      CheckDuplicate: true,
    }),
    {
      name: "n",
      driver: "bridge",
      internal: false,
      attachable: true,
      subnet: "10.1.0.0/24",
      gateway: "10.1.0.9",
      labels: { a: "b" },
      options: { "com.docker.network.bridge.name": "brx" },
    },
  );
  const kind = (body: Parameters<typeof toCreateSpec>[0]) => {
    try {
      toCreateSpec(body);
      return "ok";
    } catch (e) {
      return isEngineError(e) ? `${e.kind}: ${e.message}` : "other";
    }
  };
  assert.equal(kind({ Name: "n", IPAM: { Driver: "dhcp" } }), 'not-found: plugin "dhcp" not found');
  assert.match(kind({ Name: "n", EnableIPv6: true }), /^not-implemented/);
  assert.match(kind({ Name: "n", Ingress: true }), /^not-implemented/);
  assert.match(kind({ Name: "n", Scope: "swarm" }), /^not-implemented/);
  assert.match(
    kind({ Name: "n", IPAM: { Config: [{ Subnet: "10.1.0.0/24" }, { Subnet: "10.2.0.0/24" }] } }),
    /^not-implemented/,
  );
  assert.match(kind({ Name: "n", IPAM: { Config: [{ Subnet: "fd00::/64" }] } }), /^not-implemented/);
  assert.equal(kind({ Name: "n", Scope: "local", IPAM: null, Options: null, Labels: null }), "ok");
});
