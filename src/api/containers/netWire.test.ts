import assert from "node:assert/strict";
import { test } from "node:test";
import { containerRecord } from "../../engine/containers/testdata.js";
import type { NetworkState } from "../../engine/containers/index.js";
import { mountsWire, networkSettingsWire, portsWire, summaryPortsWire } from "./netWire.js";

const live: NetworkState = {
  endpoints: [
    {
      networkId: "n1",
      networkName: "bridge",
      endpointId: "e1",
      aliases: [],
      ip: "172.17.0.2",
      prefixLen: 16,
      mac: "02:42:ac:11:00:02",
      gateway: "172.17.0.1",
    },
    {
      networkId: "n2",
      networkName: "mynet",
      endpointId: "e2",
      aliases: ["al"],
      ip: "172.18.0.2",
      prefixLen: 16,
      mac: "02:42:ac:12:00:02",
      gateway: "172.18.0.1",
      dnsNames: ["web", "a10000000000", "al"],
    },
  ],
  ports: [{ containerPort: 80, proto: "tcp", hostIp: "0.0.0.0", hostPort: 8080 }],
  sandboxKey: "/run/berth/netns/abc",
};

interface Ep {
  EndpointID: string;
  Aliases: unknown;
  IPAMConfig: unknown;
  DNSNames: unknown;
  NetworkID: string;
  IPAddress: string;
}
interface Settings {
  IPAddress: string;
  Gateway: string;
  SandboxKey: string;
  Ports: unknown;
  Networks: Record<string, Ep>;
}
const settings = (s: NetworkState): Settings => networkSettingsWire(web(), s) as unknown as Settings;

function web() {
  const c = containerRecord("a1", "web", {
    networks: [
      { name: "bridge", id: "n1", aliases: [] },
      { name: "mynet", id: "n2", aliases: ["al"], ipv4: "172.18.0.2" },
    ],
  });
  c.config.exposedPorts = { "80/tcp": {}, "443/tcp": {} };
  return c;
}

test("running: top-level fields from the default bridge, every network with its endpoint", () => {
  const ns = settings(live);
  assert.equal(ns.IPAddress, "172.17.0.2");
  assert.equal(ns.Gateway, "172.17.0.1");
  assert.equal(ns.SandboxKey, "/run/berth/netns/abc");
  assert.deepEqual(ns.Ports, { "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }], "443/tcp": null });
  assert.equal(ns.Networks.mynet?.EndpointID, "e2");
  assert.deepEqual(ns.Networks.mynet?.Aliases, ["al"]);
  assert.deepEqual(ns.Networks.mynet?.IPAMConfig, { IPv4Address: "172.18.0.2" });
  assert.deepEqual(ns.Networks.mynet?.DNSNames, ["web", "a10000000000", "al"]);
  assert.equal(ns.Networks.bridge?.DNSNames, null);
});

test("stopped: networks stay with empty addresses, Ports is empty", () => {
  const ns = settings({ endpoints: [], ports: [] });
  assert.deepEqual(ns.Ports, {});
  assert.equal(ns.IPAddress, "");
  assert.deepEqual(Object.keys(ns.Networks), ["bridge", "mynet"]);
  assert.equal(ns.Networks.mynet?.NetworkID, "n2");
  assert.equal(ns.Networks.mynet?.IPAddress, "");
});

test("list Ports: published, then exposed without a binding, by port", () => {
  assert.deepEqual(summaryPortsWire(web(), live), [
    { IP: "0.0.0.0", PrivatePort: 80, PublicPort: 8080, Type: "tcp" },
    { PrivatePort: 443, Type: "tcp" },
  ]);
  assert.deepEqual(portsWire(web(), { endpoints: [], ports: [] }), { "80/tcp": null, "443/tcp": null });
  // Not running (or on none/host): dockerd has no NetworkSettings.Ports to list.
  assert.deepEqual(summaryPortsWire(web(), { endpoints: [], ports: [] }), []);
});

test("Mounts: volumes carry Name and Driver", () => {
  const c = web();
  c.spec.host.mounts = [
    {
      type: "volume",
      name: "v",
      source: "/d/v/_data",
      target: "/data",
      readOnly: true,
      anonymous: false,
      noCopy: false,
      mode: "z",
    },
  ];
  assert.deepEqual(mountsWire(c), [
    {
      Type: "volume",
      Name: "v",
      Source: "/d/v/_data",
      Destination: "/data",
      Driver: "local",
      Mode: "z",
      RW: false,
      Propagation: "",
    },
  ]);
});
