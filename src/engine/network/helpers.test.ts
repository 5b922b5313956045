import { test } from "node:test";
import assert from "node:assert/strict";
import { bipPool, chooseSubnet, defaultPools, formatSubnet, parseResolvConf, parseSubnet } from "./index.js";

test("--bip gives the default network's subnet and gateway", () => {
  assert.deepEqual(bipPool("10.200.3.1/24"), { subnet: "10.200.3.0/24", gateway: "10.200.3.1" });
  assert.deepEqual(bipPool("192.168.5.77/16"), { subnet: "192.168.0.0/16", gateway: "192.168.5.77" });
  assert.throws(() => bipPool("10.200.3.0/24"), /invalid bip/);
  assert.throws(() => bipPool("10.200.3.255/24"), /invalid bip/);
  assert.throws(() => bipPool("10.200.3.1"), /invalid bip/);
  assert.throws(() => bipPool("10.200.3.1/31"), /invalid bip/);
});

test("default-address-pool cuts each base into subnets of its size, in order", () => {
  const pools = [
    { base: "10.10.0.0/22", size: 24 },
    { base: "10.20.0.0/16", size: 16 },
  ];
  assert.deepEqual([...defaultPools(pools)].map(formatSubnet), [
    "10.10.0.0/24",
    "10.10.1.0/24",
    "10.10.2.0/24",
    "10.10.3.0/24",
    "10.20.0.0/16",
  ]);
  const taken = [parseSubnet("10.10.0.0/23")];
  assert.equal(formatSubnet(chooseSubnet(taken, pools)!), "10.10.2.0/24");
  assert.equal(formatSubnet(chooseSubnet([])!), "172.17.0.0/16", "Docker's pools without a list");
  assert.throws(() => [...defaultPools([{ base: "10.0.0.0/16", size: 8 }])], /invalid default address pool/);
});

test("resolv.conf nameservers become IPv4 upstreams on port 53", () => {
  const text =
    "# comment\nnameserver 10.0.0.53\nsearch x\nnameserver ::1\n  nameserver 127.0.0.53 \noptions ndots:2\n";
  assert.deepEqual(parseResolvConf(text), [
    { address: "10.0.0.53", port: 53 },
    { address: "127.0.0.53", port: 53 },
  ]);
});
