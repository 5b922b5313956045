/**
 * Networks through the real docker CLI and the berth CLI against a private
 * berthd with its own default bridge, subnet and iptables chains (the harness
 * picks them). User networks get subnets next to the default one, inside
 * 10.220-250.x. After stop, no bridge, address, chain or rule may be left.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { freeTestSubnet, leaks, startDaemon, stopClean, type TestDaemon } from "./harness/daemon.js";

const isRoot = process.getuid?.() === 0;
let d: TestDaemon;
/** The daemon's /24 (0) and the three free ones after it (1-3), as "10.b.c". */
let sub: (i: number) => string;
const created = new Set<string>();

function iptablesSave(): string {
  return spawnSync("iptables-save", [], { encoding: "utf8" }).stdout;
}

function bridgeAddresses(): string {
  return spawnSync("ip", ["-o", "-4", "addr", "show"], { encoding: "utf8" }).stdout;
}

before(async () => {
  if (!isRoot) return;
  d = await startDaemon({ extraArgs: ["--bip", freeTestSubnet(3)] });
  const [a, b, c] = d.network.bip.split(".").map(Number) as [number, number, number];
  sub = (i) => `${a}.${b}.${c + i}`;
});

after(async () => {
  if (!isRoot) return;
  await stopClean(d);
  // The user networks' bridges went too: nothing holds their addresses, no rule names their subnets.
  const addrs = bridgeAddresses();
  const rules = iptablesSave();
  for (const i of [1, 2, 3]) {
    assert.ok(!addrs.includes(` ${sub(i)}.`), `address of ${sub(i)}.0/24 left:\n${addrs}`);
    assert.ok(!rules.includes(`${sub(i)}.0/24`), `rule of ${sub(i)}.0/24 left`);
  }
  assert.ok(!addrs.includes(d.network.bip), "default bridge address left");
});

const skip = !isRoot && "needs root";

test("the predefined networks: bridge on --bip with Docker's options, host and none", { skip }, async () => {
  const ls = await d.docker(["network", "ls"]);
  assert.equal(ls.code, 0, ls.stderr);
  const lines = ls.stdout.trimEnd().split("\n");
  assert.equal(lines[0], "NETWORK ID     NAME      DRIVER    SCOPE");
  assert.deepEqual(
    lines.slice(1).map((l) => l.split(/\s+/).slice(1)),
    [
      ["bridge", "bridge", "local"],
      ["host", "host", "local"],
      ["none", "null", "local"],
    ],
  );
  assert.match(lines[1]!, /^[0-9a-f]{12}   bridge    bridge    local$/);
  const r = await d.docker(["network", "inspect", "bridge"]);
  assert.equal(r.code, 0, r.stderr);
  const [bridge] = JSON.parse(r.stdout) as [Record<string, unknown>];
  const gateway = d.network.bip.split("/")[0]!;
  assert.deepEqual(bridge.IPAM, {
    Driver: "default",
    Options: null,
    Config: [{ Subnet: `${sub(0)}.0/24`, Gateway: gateway }],
  });
  assert.deepEqual(bridge.Options, {
    "com.docker.network.bridge.default_bridge": "true",
    "com.docker.network.bridge.enable_icc": "true",
    "com.docker.network.bridge.enable_ip_masquerade": "true",
    "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0",
    "com.docker.network.bridge.name": d.network.bridge,
    "com.docker.network.driver.mtu": "1500",
  });
  assert.equal(bridge.Scope, "local");
  assert.match(String(bridge.Created), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.ok(existsSync(`/sys/class/net/${d.network.bridge}`));
  assert.match(
    bridgeAddresses(),
    new RegExp(`${d.network.bridge}\\s+inet ${d.network.bip.replaceAll(".", "\\.")}`),
  );
  assert.match(iptablesSave(), new RegExp(`^:${d.network.chainPrefix}-FORWARD `, "m"));
  const none = await d.docker([
    "network",
    "inspect",
    "none",
    "host",
    "--format",
    "{{.Driver}} {{json .IPAM}}",
  ]);
  assert.equal(
    none.stdout,
    'null {"Driver":"default","Options":null,"Config":[]}\nhost {"Driver":"default","Options":null,"Config":[]}\n',
  );
});

test("create, inspect, duplicate names, rm with docker's texts and exit codes", { skip }, async () => {
  const name = `h10-net-${process.pid}`;
  const c = await d.docker([
    "network",
    "create",
    "--subnet",
    `${sub(1)}.0/24`,
    "--label",
    "team=a",
    "-o",
    "com.docker.network.driver.mtu=1400",
    "--attachable",
    name,
  ]);
  assert.equal(c.code, 0, c.stderr);
  created.add(name);
  const id = c.stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const r = await d.docker(["network", "inspect", name]);
  const [n] = JSON.parse(r.stdout) as [Record<string, unknown>];
  assert.equal(n.Id, id);
  assert.equal(n.Driver, "bridge");
  assert.equal(n.Attachable, true);
  assert.equal(n.Internal, false);
  assert.deepEqual(n.IPAM, { Driver: "default", Options: {}, Config: [{ Subnet: `${sub(1)}.0/24` }] });
  assert.deepEqual(n.Options, { "com.docker.network.driver.mtu": "1400" });
  assert.deepEqual(n.Labels, { team: "a" });
  assert.deepEqual(n.Containers, {});
  // By short ID prefix too, with a template.
  const byPrefix = await d.docker([
    "network",
    "inspect",
    id.slice(0, 10),
    "-f",
    "{{.Name}} {{.Labels.team}}",
  ]);
  assert.equal(byPrefix.stdout, `${name} a\n`);
  // The bridge is up with the gateway address and MTU, and its rules are in place.
  const addrs = bridgeAddresses();
  assert.match(addrs, new RegExp(`inet ${sub(1).replaceAll(".", "\\.")}\\.1/24`));
  assert.ok(iptablesSave().includes(`-s ${sub(1)}.0/24 `));

  const dup = await d.docker(["network", "create", name]);
  assert.equal(dup.code, 1);
  assert.equal(dup.stderr.trim(), `Error response from daemon: network with name ${name} already exists`);
  const badDriver = await d.docker(["network", "create", "-d", "nope", `${name}-x`]);
  assert.equal(badDriver.stderr.trim(), 'Error response from daemon: plugin "nope" not found');
  const predefined = await d.docker(["network", "create", "host"]);
  assert.equal(
    predefined.stderr.trim(),
    "Error response from daemon: operation is not permitted on predefined host network",
  );

  const rm = await d.docker(["network", "rm", name]);
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(rm.stdout, `${name}\n`);
  created.delete(name);
  assert.ok(!bridgeAddresses().includes(` ${sub(1)}.1/24`), "bridge removed with the network");
  assert.ok(!iptablesSave().includes(`${sub(1)}.0/24`), "rules removed with the network");
  const again = await d.docker(["network", "inspect", name]);
  assert.equal(again.code, 1);
  assert.equal(again.stdout, "[]\n");
  assert.match(again.stderr, new RegExp(`network ${name} not found`));
});

test("predefined networks cannot be removed; rm goes on past failures", { skip }, async () => {
  const r = await d.docker(["network", "rm", "bridge", "no-such-net-h10", "none"]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /bridge is a pre-defined network and cannot be removed/);
  assert.match(r.stderr, /network no-such-net-h10 not found/);
  assert.match(r.stderr, /none is a pre-defined network and cannot be removed/);
  const forced = await d.docker(["network", "rm", "-f", "no-such-net-h10"]);
  assert.equal(forced.code, 0, forced.stderr);
  const berth = await d.berth(["network", "remove", "host"]);
  assert.equal(berth.code, 1);
  assert.equal(
    berth.stderr,
    "Error response from daemon: host is a pre-defined network and cannot be removed\nexit status 1\n",
  );
});

test("ls filters and formats, docker and berth alike", { skip }, async () => {
  const a = `h10-ls-a-${process.pid}`;
  const b = `h10-ls-b-${process.pid}`;
  for (const [name, args] of [
    [a, ["--subnet", `${sub(2)}.0/24`, "--label", "tier=web", "--internal"]],
    [b, ["--subnet", `${sub(3)}.0/24`, "--gateway", `${sub(3)}.254`]],
  ] as const) {
    const r = await d.berth(["network", "create", ...args, name]);
    assert.equal(r.code, 0, r.stderr);
    created.add(name);
  }
  const names = async (cli: "docker" | "berth", ...args: string[]) => {
    const r = await d[cli](["network", "ls", "--format", "{{.Name}}", ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim().split("\n").filter(Boolean);
  };
  for (const cli of ["docker", "berth"] as const) {
    assert.deepEqual(await names(cli, "-f", "type=custom"), [a, b]);
    assert.deepEqual(await names(cli, "-f", "type=builtin"), ["bridge", "host", "none"]);
    assert.deepEqual(await names(cli, "-f", "label=tier=web"), [a]);
    assert.deepEqual(await names(cli, "-f", "label=tier"), [a]);
    assert.deepEqual(await names(cli, "-f", "driver=null"), ["none"]);
    assert.deepEqual(await names(cli, "-f", `name=h10-ls-b`), [b]);
    assert.deepEqual(await names(cli, "-f", "dangling=true"), [a, b]);
    assert.deepEqual(await names(cli, "-f", "scope=swarm"), []);
  }
  const q = await d.docker(["network", "ls", "-q", "-f", `name=${a}`]);
  assert.match(q.stdout, /^[0-9a-f]{12}\n$/);
  const byId = await d.berth(["network", "ls", "-q", "--no-trunc", "-f", `id=${q.stdout.trim()}`]);
  assert.match(byId.stdout, new RegExp(`^${q.stdout.trim()}[0-9a-f]{52}\\n$`));
  const table = await d.berth([
    "network",
    "ls",
    "--format",
    "table {{.Name}}\t{{.Internal}}\t{{.Labels}}",
    "-f",
    "type=custom",
  ]);
  assert.equal(
    table.stdout,
    `NAME${" ".repeat(a.length - 1)}INTERNAL   LABELS\n${a}   true       tier=web\n${b}   false      \n`,
  );
  // Both CLIs print the same default table.
  const [dl, bl] = [await d.docker(["network", "ls"]), await d.berth(["network", "ls"])];
  assert.equal(bl.stdout, dl.stdout);
  const badType = await d.docker(["network", "ls", "-f", "type=x"]);
  assert.equal(badType.code, 1);
  assert.match(badType.stderr, /invalid filter: 'type'='x'/);
  const badKey = await d.docker(["network", "ls", "-f", "color=red"]);
  assert.match(badKey.stderr, /invalid filter 'color'/);
  // The gateway given is echoed, the auto one is used otherwise.
  const gw = await d.docker(["network", "inspect", b, "-f", "{{json .IPAM.Config}}"]);
  assert.equal(gw.stdout, `[{"Subnet":"${sub(3)}.0/24","Gateway":"${sub(3)}.254"}]\n`);
});

test("prune: prompt, label filters, predefined networks stay", { skip }, async () => {
  const declined = await d.docker(["network", "prune"], { input: "n\n" });
  assert.equal(declined.code, 0);
  assert.equal(
    declined.stdout,
    "WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ",
  );
  const keep = await d.docker(["network", "prune", "-f", "--filter", "label!=tier=web"]);
  assert.equal(keep.code, 0, keep.stderr);
  const b = `h10-ls-b-${process.pid}`;
  assert.equal(keep.stdout, `Deleted Networks:\n${b}\n\n`);
  created.delete(b);
  const none = await d.berth(["network", "prune", "-f", "--filter", "until=2000-01-01T00:00:00Z"]);
  assert.equal(none.stdout, "");
  const all = await d.berth(["network", "prune"], { input: "y\n" });
  assert.match(all.stdout, new RegExp(`Deleted Networks:\nh10-ls-a-${process.pid}\n\n$`));
  created.clear();
  const left = await d.docker(["network", "ls", "--format", "{{.Name}}"]);
  assert.equal(left.stdout, "bridge\nhost\nnone\n");
});

test("connect and disconnect of a missing container: Docker's not-found", { skip }, async () => {
  // Real connects are tested in container-net.test.ts.
  const r = await d.docker(["network", "connect", "bridge", "some-container"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /No such container: some-container/);
  const x = await d.berth(["network", "disconnect", "-f", "bridge", "some-container"]);
  assert.equal(x.code, 1);
  assert.match(x.stderr, /No such container: some-container/);
});

test("network events: create and destroy with name and type", { skip }, async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const name = `h10-ev-${process.pid}`;
  await d.docker(["network", "create", "--subnet", `${sub(1)}.0/24`, name]);
  await d.docker(["network", "rm", name]);
  const r = await d.docker([
    "events",
    "--since",
    String(since),
    "--until",
    String(Math.floor(Date.now() / 1000) + 1),
    "--filter",
    "type=network",
    "--format",
    "{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.type}}",
  ]);
  assert.equal(r.code, 0, r.stderr);
  // `since` has whole seconds: earlier tests' events may come first.
  const mine = r.stdout.split("\n").filter((l) => l.includes(` ${name} `));
  assert.deepEqual(mine, [`network create ${name} bridge`, `network destroy ${name} bridge`]);
});

test("--iptables=false: bridges and networks, but no chain and no rule", { skip }, async () => {
  const quiet = await startDaemon({ extraArgs: ["--iptables=false"] });
  try {
    const name = `h10-noipt-${process.pid}`;
    const c = await quiet.docker(["network", "create", name]);
    assert.equal(c.code, 0, c.stderr);
    assert.ok(existsSync(`/sys/class/net/${quiet.network.bridge}`));
    const rules = iptablesSave();
    assert.ok(!rules.includes(quiet.network.chainPrefix), "no chain or rule with the daemon's prefix");
    const rm = await quiet.docker(["network", "rm", name]);
    assert.equal(rm.code, 0, rm.stderr);
  } finally {
    await quiet.stop();
  }
  assert.deepEqual(leaks(quiet), []);
});
