/**
 * Containers on networks through the real docker CLI (the book's chapter 8):
 * the default bridge, user-defined networks with DNS, connect/disconnect,
 * isolation between networks, published ports reached from the host's
 * loopback and from a test-made namespace, -P and `docker port`, and the
 * generated /etc files. Traffic stays on loopback and on bridges and
 * namespaces this test made.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { freeTestSubnet, startDaemon, stopClean, type TestDaemon } from "./harness/daemon.js";

let d: TestDaemon;
const created: string[] = [];
const networks: string[] = [];

async function ok(args: string[]): Promise<string> {
  const r = await d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

async function runD(name: string, args: string[]): Promise<void> {
  created.push(name);
  await ok(["run", "-d", "--name", name, ...args]);
}

async function network(name: string): Promise<void> {
  networks.push(name);
  await ok(["network", "create", name]);
}

const ipOf = async (name: string, net = "bridge") =>
  (await ok(["inspect", "-f", `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, name])).trim();

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path: "/", timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    }).on("error", reject);
  });
}

const httpd = [
  "busybox",
  "sh",
  "-c",
  "mkdir -p /www && echo hello-$HOSTNAME > /www/index.html && exec httpd -f -p 80 -h /www",
];

before(async () => {
  d = await startDaemon({ busybox: true });
});

/** Interfaces still enslaved to a bridge, and netns files left, once every container is gone. */
async function sandboxLeaks(): Promise<string[]> {
  const found: string[] = [];
  const ids = (await ok(["network", "ls", "-q", "--no-trunc", "--filter", "driver=bridge"]))
    .trim()
    .split("\n");
  for (const id of ids.filter((x) => x !== "")) {
    const name = JSON.parse(await ok(["network", "inspect", id]))[0].Options?.[
      "com.docker.network.bridge.name"
    ];
    const bridge = name ?? (id.length > 0 ? `br-${id.slice(0, 12)}` : "");
    for (const br of [bridge, d.network.bridge]) {
      if (existsSync(`/sys/class/net/${br}/brif`))
        for (const port of readdirSync(`/sys/class/net/${br}/brif`)) found.push(`veth ${port} on ${br}`);
    }
  }
  const nsDir = join(d.execRoot, "netns");
  if (existsSync(nsDir)) for (const f of readdirSync(nsDir)) found.push(`netns ${f}`);
  return [...new Set(found)];
}

after(async () => {
  if (created.length > 0) await d.docker(["rm", "-f", ...created]);
  assert.deepEqual(await sandboxLeaks(), []);
  for (const n of networks) await d.docker(["network", "rm", n]);
  await stopClean(d);
});

test("default bridge: containers ping each other by IP, not by name", async () => {
  await runD("bb1", ["busybox", "sleep", "300"]);
  await runD("bb2", ["busybox", "sleep", "300"]);
  const ip1 = await ipOf("bb1");
  assert.match(ip1, /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(ip1.split(".").slice(0, 3).join("."), d.network.bip.split(".").slice(0, 3).join("."));
  const ping = await d.docker(["exec", "bb2", "ping", "-c2", "-W2", ip1]);
  assert.equal(ping.code, 0, ping.stdout + ping.stderr);
  const byName = await d.docker(["exec", "bb2", "ping", "-c1", "-W1", "bb1"]);
  assert.notEqual(byName.code, 0);
  const resolv = await ok(["exec", "bb2", "cat", "/etc/resolv.conf"]);
  assert.doesNotMatch(resolv, /nameserver 127\./);
  const hosts = await ok(["exec", "bb2", "cat", "/etc/hosts"]);
  assert.match(hosts, /^127\.0\.0\.1\tlocalhost$/m);
  assert.match(hosts, new RegExp(`^${(await ipOf("bb2")).replace(/\./g, "\\.")}\\t[0-9a-f]{12}$`, "m"));
  const insp = JSON.parse(await ok(["inspect", "bb1"]))[0];
  const ns = insp.NetworkSettings;
  assert.equal(ns.IPAddress, ip1);
  assert.equal(ns.Gateway, d.network.bip.split("/")[0]);
  assert.equal(ns.IPPrefixLen, 24);
  assert.match(ns.MacAddress, /^02:42:/);
  assert.match(ns.Networks.bridge.EndpointID, /^[0-9a-f]{64}$/);
  assert.equal(ns.Networks.bridge.DNSNames, null);
});

test("user-defined network: names and aliases resolve; connect adds eth1; disconnect removes it", async () => {
  await network("h16net");
  await runD("un1", ["--network", "h16net", "--network-alias", "alpha", "busybox", "sleep", "300"]);
  await runD("un2", ["--network", "h16net", "busybox", "sleep", "300"]);
  for (const target of ["un1", "alpha"]) {
    const r = await d.docker(["exec", "un2", "ping", "-c2", "-W2", target]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  }
  const insp = JSON.parse(await ok(["inspect", "un1"]))[0];
  const ep = insp.NetworkSettings.Networks.h16net;
  assert.deepEqual(ep.Aliases, ["alpha"]);
  assert.deepEqual(ep.DNSNames, ["un1", insp.Id.slice(0, 12), "alpha"]);
  assert.equal(insp.NetworkSettings.IPAddress, "");
  const gw = ep.Gateway as string;
  assert.equal((await ok(["exec", "un2", "cat", "/etc/resolv.conf"])).includes(`nameserver ${gw}`), true);
  const netInsp = JSON.parse(await ok(["network", "inspect", "h16net"]))[0];
  assert.equal(netInsp.Containers[insp.Id].Name, "un1");

  // A container on the default bridge joins the network: a second interface, and names resolve.
  await ok(["network", "connect", "h16net", "bb1"]);
  const addrs = await ok(["exec", "bb1", "ip", "-o", "-4", "addr"]);
  assert.match(addrs, /eth1\s+inet /);
  // As with dockerd, a container started on the default bridge keeps the host's resolvers: by address.
  const un1 = await ipOf("un1", "h16net");
  assert.equal((await d.docker(["exec", "bb1", "ping", "-c2", "-W2", un1])).code, 0);
  const connected = await d.docker(["network", "connect", "h16net", "bb1"]);
  assert.notEqual(connected.code, 0);
  assert.match(connected.stderr, /endpoint with name bb1 already exists in network h16net/);
  await ok(["network", "disconnect", "h16net", "bb1"]);
  assert.doesNotMatch(await ok(["exec", "bb1", "ip", "-o", "-4", "addr"]), /eth1/);
});

test("containers on two different networks cannot reach each other", async () => {
  await network("h16other");
  await runD("iso1", ["--network", "h16other", "busybox", "sleep", "300"]);
  const ip = await ipOf("un1", "h16net");
  const r = await d.docker(["exec", "iso1", "ping", "-c1", "-W1", ip]);
  assert.notEqual(r.code, 0, "a container of another network answered");
  assert.notEqual((await d.docker(["exec", "iso1", "ping", "-c1", "-W1", "un1"])).code, 0);
});

test("a stopped container keeps connect, static IP and alias; start joins them", async () => {
  await ok(["network", "create", "--subnet", "10.99.77.0/24", "h16static"]);
  networks.push("h16static");
  created.push("st1");
  await ok([
    "create",
    "--name",
    "st1",
    "--network",
    "h16static",
    "--ip",
    "10.99.77.50",
    "busybox",
    "sleep",
    "300",
  ]);
  await ok(["network", "connect", "--alias", "beta", "h16net", "st1"]);
  const before = JSON.parse(await ok(["inspect", "st1"]))[0].NetworkSettings.Networks;
  assert.deepEqual(Object.keys(before).sort(), ["h16net", "h16static"]);
  assert.equal(before.h16static.IPAddress, "");
  assert.deepEqual(before.h16static.IPAMConfig, { IPv4Address: "10.99.77.50" });
  await ok(["start", "st1"]);
  await ok(["restart", "-t", "0", "st1"]);
  assert.equal(await ipOf("st1", "h16static"), "10.99.77.50");
  const ping = await d.docker(["exec", "un2", "ping", "-c2", "-W2", "beta"]);
  assert.equal(ping.code, 0, ping.stdout + ping.stderr);
  await ok(["rm", "-f", "st1"]);
});

test("a missing network fails the run with Docker's text and exit 125", async () => {
  created.push("nonet");
  const miss = await d.docker([
    "run",
    "-d",
    "--name",
    "nonet",
    "--network",
    "h16-missing",
    "busybox",
    "true",
  ]);
  assert.equal(miss.code, 125);
  assert.match(miss.stderr, /network h16-missing not found/);
});

test("published ports answer on loopback and from another namespace; -P and docker port", async () => {
  await runD("web", ["-p", "127.0.0.1:0:80", "-p", "18481:80", ...httpd]);
  const port = await ok(["port", "web", "80/tcp"]);
  const berthPort = await d.berth(["port", "web", "80/tcp"]);
  assert.equal(berthPort.stdout, port, berthPort.stderr);
  const lines = port.trim().split("\n").sort();
  assert.equal(lines.length, 2, port);
  assert.ok(lines.includes("0.0.0.0:18481"), port);
  const loop = lines.find((l) => l.startsWith("127.0.0.1:"));
  assert.ok(loop, port);
  let body = "";
  for (let i = 0; i < 50 && body === ""; i++) {
    body = await httpGet(Number(loop.split(":")[1])).catch(() => "");
    if (body === "") await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(body, /^hello-[0-9a-f]{12}\n$/);
  assert.match(await httpGet(18481), /^hello-/);

  // A client in a namespace of its own, linked to the host by a veth pair, uses the host's side address.
  const ns = `h16c${randomBytes(3).toString("hex")}`;
  const host = `h16h${randomBytes(3).toString("hex")}`;
  const [base] = freeTestSubnet().split("/");
  const hostIp = base!;
  const peerIp = base!.replace(/\.1$/, ".2");
  const sh = (cmd: string[]) => spawnSync(cmd[0]!, cmd.slice(1), { encoding: "utf8" });
  try {
    for (const cmd of [
      ["ip", "netns", "add", ns],
      ["ip", "link", "add", host, "type", "veth", "peer", "name", "eth0", "netns", ns],
      ["ip", "addr", "add", `${hostIp}/24`, "dev", host],
      ["ip", "link", "set", host, "up"],
      ["ip", "-n", ns, "addr", "add", `${peerIp}/24`, "dev", "eth0"],
      ["ip", "-n", ns, "link", "set", "eth0", "up"],
      ["ip", "-n", ns, "link", "set", "lo", "up"],
    ]) {
      const r = sh(cmd);
      assert.equal(r.status, 0, `${cmd.join(" ")}: ${r.stderr}`);
    }
    // Node is the client: the host's static busybox wget crashes outside a container (NSS).
    const client = `require("http").get("http://${hostIp}:18481/", (r) => r.pipe(process.stdout)).on("error", (e) => { console.error(e.message); process.exit(1); });`;
    const w = sh(["ip", "netns", "exec", ns, process.execPath, "-e", client]);
    assert.equal(w.status, 0, `${w.stderr} ${String(w.error)} ${String(w.signal)}`);
    assert.match(w.stdout, /^hello-/);
  } finally {
    sh(["ip", "link", "del", host]);
    sh(["ip", "netns", "del", ns]);
  }

  const ps = JSON.parse((await ok(["ps", "--filter", "name=^web$", "--format", "{{json .}}"])).trim());
  assert.match(ps.Ports, /0\.0\.0\.0:18481->80\/tcp/);
  const insp = JSON.parse(await ok(["inspect", "web"]))[0];
  assert.deepEqual(
    insp.HostConfig.PortBindings["80/tcp"].map((b: { HostPort: string }) => b.HostPort).sort(),
    ["0", "18481"],
  );

  const taken = await d.docker(["run", "-d", "--name", "web2", "-p", "18481:80", ...httpd]);
  created.push("web2");
  assert.equal(taken.code, 125);
  assert.match(taken.stderr, /Bind for 0\.0\.0\.0:18481 failed: port is already allocated/);

  await runD("pall", ["-P", "--expose", "81", "--expose", "82/udp", "busybox", "sleep", "300"]);
  const all = (await ok(["port", "pall"])).trim().split("\n").sort();
  assert.equal(all.length, 2, all.join("\n"));
  assert.match(all[0]!, /^81\/tcp -> 0\.0\.0\.0:\d+$/);
  assert.match(all[1]!, /^82\/udp -> 0\.0\.0\.0:\d+$/);
  await ok(["stop", "-t", "0", "pall"]);
  assert.equal((await ok(["port", "pall"])).trim(), "");
});

test("/etc files: --add-host host-gateway, --hostname, --domainname, --dns-search, --dns-option", async () => {
  const out = await ok([
    "run",
    "--rm",
    "--network",
    "h16net",
    "--hostname",
    "myhost",
    "--domainname",
    "example.test",
    "--add-host",
    "gw.test:host-gateway",
    "--add-host",
    "other.test:10.1.2.3",
    "--dns-search",
    "corp.test",
    "--dns-option",
    "ndots:2",
    "busybox",
    "sh",
    "-c",
    "cat /etc/hosts /etc/resolv.conf; hostname",
  ]);
  const gw = d.network.bip.split("/")[0]!;
  assert.match(out, new RegExp(`^${gw.replace(/\./g, "\\.")}\\tgw\\.test$`, "m"));
  assert.match(out, /^10\.1\.2\.3\tother\.test$/m);
  assert.match(out, /\tmyhost\.example\.test myhost$/m);
  assert.match(out, /^search corp\.test$/m);
  assert.match(out, /^options ndots:2$/m);
  assert.match(out, /^nameserver \d+\.\d+\.\d+\.1$/m);
  assert.match(out, /^myhost$/m);
});

test("--network container: shares the other container's interfaces", async () => {
  const mine = await ok(["exec", "un1", "ip", "-o", "-4", "addr", "show", "eth0"]);
  const shared = await ok([
    "run",
    "--rm",
    "--network",
    "container:un1",
    "busybox",
    "ip",
    "-o",
    "-4",
    "addr",
    "show",
    "eth0",
  ]);
  assert.equal(shared.split(/\s+/)[3], mine.split(/\s+/)[3]);
});

test("30 containers on one network all resolve each other", async () => {
  await network("h16many");
  const names = Array.from({ length: 30 }, (_, i) => `m${String(i).padStart(2, "0")}x`);
  for (let i = 0; i < names.length; i += 6) {
    await Promise.all(
      names.slice(i, i + 6).map((n) => runD(n, ["--network", "h16many", "busybox", "sleep", "300"])),
    );
  }
  const script = `for n in ${names.join(" ")}; do nslookup $n >/dev/null 2>&1 || echo MISS $n; done`;
  for (let i = 0; i < names.length; i += 6) {
    const outs = await Promise.all(
      names.slice(i, i + 6).map((n) => d.docker(["exec", n, "sh", "-c", script])),
    );
    for (const o of outs) assert.equal(o.stdout, "", o.stdout + o.stderr);
  }
  await ok(["rm", "-f", ...names]);
});
