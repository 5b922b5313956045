import { test } from "node:test";
import assert from "node:assert/strict";
import {
  desiredRules,
  isOwnTag,
  ownChains,
  parseSave,
  restoreText,
  ruleKey,
  type BridgeRules,
  type LocalhostMode,
  type PortRule,
} from "./firewallPlan.js";
import { Firewall } from "./firewall.js";
import type { IptablesHost } from "../host/iptables.js";

const nets: BridgeRules[] = [
  { bridge: "berth0", subnet: "172.17.0.0/16", internal: false, icc: true, masquerade: true },
  { bridge: "br-0123456789ab", subnet: "172.18.0.0/16", internal: true, icc: true, masquerade: true },
];
const ports = new Map<string, PortRule[]>([
  [
    "c0ffee",
    [
      {
        bridge: "berth0",
        containerIp: "172.17.0.2",
        containerPort: 80,
        hostIp: "0.0.0.0",
        hostPort: 8080,
        proto: "tcp",
      },
      {
        bridge: "berth0",
        containerIp: "172.17.0.2",
        containerPort: 53,
        hostIp: "127.0.0.1",
        hostPort: 5353,
        proto: "udp",
      },
    ],
  ],
]);

function plan(localhost: LocalhostMode): string {
  const cfg = { prefix: "BERTH", localhost };
  return restoreText({ newChains: ownChains("BERTH"), add: desiredRules(cfg, nets, ports) });
}

const goldenRouteLocalnet = `*nat
:BERTH - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment "BERTH" -j BERTH
-A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment "BERTH" -j BERTH
-A POSTROUTING -s 172.17.0.0/16 ! -o berth0 -m comment --comment "BERTH:net:berth0" -j MASQUERADE
-A POSTROUTING -o berth0 -m addrtype --src-type LOCAL -m comment --comment "BERTH:net:berth0" -j MASQUERADE
-A BERTH -p tcp -m tcp --dport 8080 -m comment --comment "BERTH:port:c0ffee" -j DNAT --to-destination 172.17.0.2:80
-A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -m comment --comment "BERTH:port:c0ffee" -j MASQUERADE
-A BERTH -d 127.0.0.1/32 -p udp -m udp --dport 5353 -m comment --comment "BERTH:port:c0ffee" -j DNAT --to-destination 172.17.0.2:53
-A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p udp -m udp --dport 53 -m comment --comment "BERTH:port:c0ffee" -j MASQUERADE
COMMIT
*filter
:BERTH-USER - [0:0]
:BERTH-FORWARD - [0:0]
:BERTH-ISOLATION-STAGE-1 - [0:0]
:BERTH-ISOLATION-STAGE-2 - [0:0]
:BERTH - [0:0]
-A FORWARD -m comment --comment "BERTH" -j BERTH-USER
-A FORWARD -m comment --comment "BERTH" -j BERTH-ISOLATION-STAGE-1
-A FORWARD -m comment --comment "BERTH" -j BERTH-FORWARD
-A BERTH-USER -m comment --comment "BERTH" -j RETURN
-A BERTH-FORWARD -o berth0 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "BERTH:net:berth0" -j ACCEPT
-A BERTH-FORWARD -o berth0 -m comment --comment "BERTH:net:berth0" -j BERTH
-A BERTH-FORWARD -i berth0 ! -o berth0 -m comment --comment "BERTH:net:berth0" -j ACCEPT
-A BERTH-FORWARD -i berth0 -o berth0 -m comment --comment "BERTH:net:berth0" -j ACCEPT
-A BERTH-ISOLATION-STAGE-1 -i berth0 ! -o berth0 -m comment --comment "BERTH:net:berth0" -j BERTH-ISOLATION-STAGE-2
-A BERTH-ISOLATION-STAGE-2 -o berth0 -m comment --comment "BERTH:net:berth0" -j DROP
-A BERTH-ISOLATION-STAGE-1 ! -s 172.18.0.0/16 -o br-0123456789ab -m comment --comment "BERTH:net:br-0123456789ab" -j DROP
-A BERTH-ISOLATION-STAGE-1 ! -d 172.18.0.0/16 -i br-0123456789ab -m comment --comment "BERTH:net:br-0123456789ab" -j DROP
-A BERTH-FORWARD -i br-0123456789ab -o br-0123456789ab -m comment --comment "BERTH:net:br-0123456789ab" -j ACCEPT
-A BERTH -d 172.17.0.2/32 ! -i berth0 -o berth0 -p tcp -m tcp --dport 80 -m comment --comment "BERTH:port:c0ffee" -j ACCEPT
-A BERTH -d 172.17.0.2/32 ! -i berth0 -o berth0 -p udp -m udp --dport 53 -m comment --comment "BERTH:port:c0ffee" -j ACCEPT
COMMIT
`;

const goldenProxy = `*nat
:BERTH - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment "BERTH" -j BERTH
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -m comment --comment "BERTH" -j BERTH
-A POSTROUTING -s 172.17.0.0/16 ! -o berth0 -m comment --comment "BERTH:net:berth0" -j MASQUERADE
-A BERTH -i berth0 -m comment --comment "BERTH:net:berth0" -j RETURN
-A BERTH ! -i berth0 -p tcp -m tcp --dport 8080 -m comment --comment "BERTH:port:c0ffee" -j DNAT --to-destination 172.17.0.2:80
-A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -m comment --comment "BERTH:port:c0ffee" -j MASQUERADE
-A BERTH -d 127.0.0.1/32 ! -i berth0 -p udp -m udp --dport 5353 -m comment --comment "BERTH:port:c0ffee" -j DNAT --to-destination 172.17.0.2:53
-A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p udp -m udp --dport 53 -m comment --comment "BERTH:port:c0ffee" -j MASQUERADE
COMMIT
*filter
:BERTH-USER - [0:0]
:BERTH-FORWARD - [0:0]
:BERTH-ISOLATION-STAGE-1 - [0:0]
:BERTH-ISOLATION-STAGE-2 - [0:0]
:BERTH - [0:0]
-A FORWARD -m comment --comment "BERTH" -j BERTH-USER
-A FORWARD -m comment --comment "BERTH" -j BERTH-ISOLATION-STAGE-1
-A FORWARD -m comment --comment "BERTH" -j BERTH-FORWARD
-A BERTH-USER -m comment --comment "BERTH" -j RETURN
-A BERTH-FORWARD -o berth0 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "BERTH:net:berth0" -j ACCEPT
-A BERTH-FORWARD -o berth0 -m comment --comment "BERTH:net:berth0" -j BERTH
-A BERTH-FORWARD -i berth0 ! -o berth0 -m comment --comment "BERTH:net:berth0" -j ACCEPT
-A BERTH-FORWARD -i berth0 -o berth0 -m comment --comment "BERTH:net:berth0" -j ACCEPT
-A BERTH-ISOLATION-STAGE-1 -i berth0 ! -o berth0 -m comment --comment "BERTH:net:berth0" -j BERTH-ISOLATION-STAGE-2
-A BERTH-ISOLATION-STAGE-2 -o berth0 -m comment --comment "BERTH:net:berth0" -j DROP
-A BERTH-ISOLATION-STAGE-1 ! -s 172.18.0.0/16 -o br-0123456789ab -m comment --comment "BERTH:net:br-0123456789ab" -j DROP
-A BERTH-ISOLATION-STAGE-1 ! -d 172.18.0.0/16 -i br-0123456789ab -m comment --comment "BERTH:net:br-0123456789ab" -j DROP
-A BERTH-FORWARD -i br-0123456789ab -o br-0123456789ab -m comment --comment "BERTH:net:br-0123456789ab" -j ACCEPT
-A BERTH -d 172.17.0.2/32 ! -i berth0 -o berth0 -p tcp -m tcp --dport 80 -m comment --comment "BERTH:port:c0ffee" -j ACCEPT
-A BERTH -d 172.17.0.2/32 ! -i berth0 -o berth0 -p udp -m udp --dport 53 -m comment --comment "BERTH:port:c0ffee" -j ACCEPT
COMMIT
`;

test("golden: full plan with route_localnet", () =>
  assert.equal(plan("route_localnet"), goldenRouteLocalnet));
test("golden: full plan with the userland proxy", () => assert.equal(plan("proxy"), goldenProxy));

test("prefixes are validated and tags do not match a longer prefix", () => {
  assert.throws(() => ownChains("berth"), /bad iptables chain prefix/);
  assert.throws(() => ownChains("TOOLONGPREFIX1"), /bad iptables chain prefix/);
  assert.ok(isOwnTag("BT1", "BT1:net:x"));
  assert.ok(isOwnTag("BT1", "BT1"));
  assert.ok(!isOwnTag("BT1", "BT12:net:x"));
  assert.ok(!isOwnTag("BT1", undefined));
});

test("parseSave reads chains, rules and quoted or bare comments", () => {
  const saved = parseSave(
    "filter",
    [
      "*filter",
      ":FORWARD ACCEPT [0:0]",
      ":BT1-USER - [0:0]",
      '-A FORWARD -m comment --comment "BT1" -j BT1-USER',
      "-A BT1-USER -s 10.0.0.0/8 -j DROP",
      "COMMIT",
    ].join("\n"),
  );
  assert.deepEqual([...saved.chains], ["FORWARD", "BT1-USER"]);
  assert.equal(saved.rules[0]?.comment, "BT1");
  assert.equal(saved.rules[1]?.comment, undefined);
  assert.equal(ruleKey(saved.rules[0]), "filter FORWARD -m comment --comment BT1 -j BT1-USER");
});

/** An iptables that keeps rules as saved text, enough to check what rebuild sends. */
class FakeIptables implements IptablesHost {
  chains: Record<string, string[]> = { nat: ["PREROUTING", "OUTPUT", "POSTROUTING"], filter: ["FORWARD"] };
  rules: Record<string, string[]> = { nat: [], filter: [] };
  sent: string[] = [];
  async save(table: "nat" | "filter") {
    return [
      `*${table}`,
      ...this.chains[table]!.map((c) => `:${c} - [0:0]`),
      ...this.rules[table]!,
      "COMMIT",
    ].join("\n");
  }
  async restore(text: string) {
    this.sent.push(text);
    let table = "";
    for (const line of text.split("\n")) {
      if (line.startsWith("*")) table = line.slice(1);
      else if (line.startsWith(":")) this.chains[table]!.push(line.slice(1).split(" ")[0]!);
      else if (line.startsWith("-A ")) this.rules[table]!.push(line.replaceAll('"', ""));
      else if (line.startsWith("-I "))
        this.rules[table]!.unshift(line.replace(/^-I (\S+) 1 /, "-A $1 ").replaceAll('"', ""));
      else if (line.startsWith("-F ")) {
        const ch = line.slice(3);
        this.rules[table] = this.rules[table]!.filter((r) => !r.startsWith(`-A ${ch} `));
      } else if (line.startsWith("-X "))
        this.chains[table] = this.chains[table]!.filter((c) => c !== line.slice(3));
      else if (line.startsWith("-D ")) {
        const want = line.replace(/^-D /, "-A ").replaceAll('"', "");
        const i = this.rules[table]!.indexOf(want);
        assert.ok(i >= 0, `deleting a rule that is not there: ${line}`);
        this.rules[table]!.splice(i, 1);
      }
    }
  }
}

test("rebuild adds what is missing, drops stale rules, keeps user rules, and is then a no-op", async () => {
  const host = new FakeIptables();
  host.chains.filter!.push("BT1-USER");
  host.rules.filter!.push(
    "-A BT1-USER -s 10.9.0.0/16 -j DROP",
    "-A FORWARD -m comment --comment BT1:net:gone -j ACCEPT",
  );
  const fw = new Firewall(host, { prefix: "BT1", localhost: "route_localnet" });
  await fw.rebuild(
    [nets[0]!].map((n) => ({ ...n, bridge: "bt0" })),
    new Map(),
  );
  assert.ok(host.rules.filter!.includes("-A BT1-USER -s 10.9.0.0/16 -j DROP"), "user rule kept");
  assert.ok(!host.rules.filter!.some((r) => r.includes("BT1:net:gone")), "stale rule removed");
  assert.deepEqual(
    host.rules.filter!.filter((r) => r.startsWith("-A FORWARD")),
    [
      "-A FORWARD -m comment --comment BT1 -j BT1-USER",
      "-A FORWARD -m comment --comment BT1 -j BT1-ISOLATION-STAGE-1",
      "-A FORWARD -m comment --comment BT1 -j BT1-FORWARD",
    ],
  );
  assert.ok(
    !host.sent[0]!.includes(":BT1-USER "),
    "an existing chain is never redeclared (that would flush it)",
  );
  const before = host.sent.length;
  await fw.rebuild(
    [nets[0]!].map((n) => ({ ...n, bridge: "bt0" })),
    new Map(),
  );
  assert.equal(host.sent.length, before, "second rebuild changes nothing");
  await fw.removeAll();
  assert.deepEqual(host.rules, { nat: [], filter: [] });
  assert.deepEqual(host.chains, { nat: ["PREROUTING", "OUTPUT", "POSTROUTING"], filter: ["FORWARD"] });
});
