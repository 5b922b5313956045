import assert from "node:assert/strict";
import { test } from "node:test";
import { bridgeUpPlan } from "./linkPlan.js";

test("a bridge is created with its own 02:42 MAC, then addressed and brought up", () => {
  const plan = bridgeUpPlan(
    { name: "br-x", mtu: 1500, gatewayCidr: "172.18.0.1/16" },
    Buffer.from([0x0a, 0xff, 0x00, 0x7b]),
  );
  assert.deepEqual(plan, [
    ["link", "add", "br-x", "address", "02:42:0a:ff:00:7b", "mtu", "1500", "type", "bridge"],
    ["addr", "add", "172.18.0.1/16", "dev", "br-x"],
    ["link", "set", "br-x", "up"],
  ]);
  const a = bridgeUpPlan({ name: "b", mtu: 1500, gatewayCidr: "10.0.0.1/24" })[0]![4];
  const b = bridgeUpPlan({ name: "b", mtu: 1500, gatewayCidr: "10.0.0.1/24" })[0]![4];
  assert.notEqual(a, b);
});
