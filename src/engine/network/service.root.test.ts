/**
 * Real bridges, netns, veths and iptables rules (root only), under unique
 * test names: bridges bt<rand>*, chain prefix BT<RAND>, subnets 10.211.x.0/24,
 * netns files in a temp exec-root. Traffic stays on 127.0.0.1 and inside the
 * namespaces and bridges made here. Everything is removed in `finally`, and
 * the test checks that nothing is left.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tcpConnect } from "node:net";
import { createSocket } from "node:dgram";
import { randomBytes } from "node:crypto";
import * as dnsPacket from "dns-packet";
import { openDatabase } from "../store/index.js";
import { realIp } from "../host/ip.js";
import { realNetns } from "../host/netns.js";
import { realIptables } from "../host/iptables.js";
import { isEngineError } from "../errors.js";
import {
  NetworkService,
  networkSchemas,
  readHostRoutes,
  type LocalhostMode,
  type Upstream,
} from "./index.js";
import { overlaps, parseSubnet } from "./ipv4.js";

const isRoot = process.getuid?.() === 0;

function pickSubnets(count: number): number {
  const routes = readHostRoutes();
  for (;;) {
    const x = 20 + Math.floor(Math.random() * 200);
    const ok = [...Array(count).keys()].every(
      (i) => !routes.some((r) => overlaps(r, parseSubnet(`10.211.${x + i}.0/24`))),
    );
    if (ok) return x;
  }
}

/** Connects to ip:port (from the host) and returns all bytes received. */
function fetchTcp(ip: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host: ip, port });
    const got: Buffer[] = [];
    s.setTimeout(3000, () => s.destroy(new Error(`timeout ${ip}:${port}`)));
    s.on("data", (b: Buffer) => got.push(b));
    s.on("end", () => resolve(Buffer.concat(got).toString()));
    s.on("error", reject);
  });
}

/** A TCP server on port, started with Node inside the netns, answering `hello from <tag>`. */
const serverCode = (port: number, tag: string) =>
  `require("net").createServer(s=>s.end("hello from ${tag}\\n")).listen(${port},"0.0.0.0",()=>console.log("up"))`;

const clientCode = (ip: string, port: number) =>
  `const s=require("net").connect(${port},"${ip}");let d="";s.on("data",b=>d+=b);s.on("end",()=>{process.stdout.write(d)});` +
  `s.setTimeout(3000,()=>{console.error("timeout");process.exit(2)});s.on("error",e=>{console.error(e.message);process.exit(1)})`;

async function waitListening(nsPath: string, port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { stdout } = await realNetns.exec(nsPath, ["/bin/busybox", "netstat", "-ltn"]);
    if (stdout.includes(`:${port} `)) return;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error("server in netns did not start");
}

for (const localhost of ["route_localnet", "proxy"] as LocalhostMode[]) {
  test(`bridge networking end to end (${localhost})`, { skip: !isRoot && "needs root" }, async (t) => {
    const rand = randomBytes(3).toString("hex");
    const prefix = `BT${rand.toUpperCase()}`;
    const x = pickSubnets(3);
    const execRoot = mkdtempSync(join(tmpdir(), "bt-net-"));
    const db = openDatabase(join(execRoot, "db.sqlite"), networkSchemas);
    const clientNs = join(execRoot, "netns", `bt-${rand}-client`);
    const clientVeth = `bt${rand}h`;
    const upstreams: Upstream[] = [];
    const timings: Record<string, number> = {};
    const svc = new NetworkService({
      db,
      ip: realIp,
      netns: realNetns,
      iptables: realIptables,
      execRoot,
      chainPrefix: prefix,
      defaultBridge: `bt${rand}d`,
      defaultSubnet: `10.211.${x}.0/24`,
      bridgePrefix: `bt${rand}`,
      localhost,
      hostRoutes: readHostRoutes,
      upstreams: () => upstreams,
    });
    const ids = ["c1", "c2", "c3", "c4"].map((n) =>
      (n + randomBytes(31).toString("hex")).replace(/^c/, "a").slice(0, 64),
    );
    const [c1, c2, c3, c4] = ids as [string, string, string, string];
    const servers: { kill: () => void; exited: Promise<unknown> }[] = [];
    try {
      await svc.init();
      const n2 = await svc.create({ name: `bt-${rand}-net`, subnet: `10.211.${x + 1}.0/24` });
      assert.equal(n2.bridge?.gateway, `10.211.${x + 1}.1`);
      await assert.rejects(svc.create({ name: `bt-${rand}-net` }), (e) => isEngineError(e, "conflict"));
      await assert.rejects(svc.remove("bridge"), /pre-defined network and cannot be removed/);

      const bridgeMac = () => readFileSync(`/sys/class/net/${n2.bridge!.name}/address`, "utf8").trim();
      const macAtCreate = bridgeMac();
      assert.match(macAtCreate, /^02:42(:[0-9a-f]{2}){4}$/);
      let t0 = performance.now();
      const e1 = await svc.connect(c1, n2.id, { containerName: "busybox-1" });
      timings.connectNewNetns = performance.now() - t0;
      t0 = performance.now();
      const e2 = await svc.connect(c2, n2.name, { containerName: "busybox-2", aliases: ["db"] });
      timings.connectNewNetns2 = performance.now() - t0;
      t0 = performance.now();
      const e3 = await svc.connect(c3, "bridge", { containerName: "busybox-3" });
      timings.connectDefaultBridge = performance.now() - t0;
      // Ports joining do not change the gateway's MAC under the containers' ARP caches.
      assert.equal(bridgeMac(), macAtCreate);
      assert.equal(e1.ip, `10.211.${x + 1}.2`);
      assert.equal(e2.ip, `10.211.${x + 1}.3`);
      assert.equal(e1.mac, `02:42:0a:d3:${(x + 1).toString(16).padStart(2, "0")}:02`);
      assert.equal(e3.ip, `10.211.${x}.2`);
      assert.equal(e1.dnsServer, n2.bridge?.gateway);
      assert.equal(e3.dnsServer, undefined, "no embedded DNS on the default bridge");
      assert.equal(e1.netnsPath, join(execRoot, "netns", c1));
      const ping = (ns: string, ip: string) =>
        realNetns.exec(ns, ["/bin/busybox", "ping", "-c1", "-W1", ip]).then(
          () => true,
          () => false,
        );

      await t.test(
        "same bridge: ping by IP works; inside, eth0 carries the MAC and default route",
        async () => {
          t0 = performance.now();
          assert.ok(await ping(e1.netnsPath!, e2.ip!));
          timings.firstPing = performance.now() - t0;
          const { stdout } = await realNetns.exec(e1.netnsPath!, ["ip", "-o", "link", "show", "eth0"]);
          assert.match(stdout, new RegExp(e1.mac!));
          const routes = await realNetns.exec(e1.netnsPath!, ["ip", "route"]);
          assert.match(routes.stdout, new RegExp(`default via ${n2.bridge!.gateway} dev eth0`));
        },
      );

      await t.test("different bridges are isolated", async () => {
        assert.equal(await ping(e1.netnsPath!, e3.ip!), false);
        assert.equal(await ping(e3.netnsPath!, e1.ip!), false);
      });

      await t.test(
        "DNS: names, short IDs and aliases on the network; others forwarded to a fake upstream",
        async () => {
          const up = createSocket("udp4");
          up.on("message", (m, r) => {
            const p = dnsPacket.decode(m);
            const name = p.questions?.[0]?.name ?? "";
            up.send(
              dnsPacket.encode({
                type: "response",
                id: p.id ?? 0,
                questions: p.questions ?? [],
                answers:
                  name === "outside.test"
                    ? [{ type: "A", name, ttl: 5, class: "IN", data: "10.99.1.1" }]
                    : [],
              }),
              r.port,
              r.address,
            );
          });
          await new Promise<void>((r) => up.bind(0, "127.0.0.1", r));
          upstreams.push({ address: "127.0.0.1", port: up.address().port });
          try {
            const gw = n2.bridge!.gateway;
            for (const name of ["busybox-2", "DB", c2.slice(0, 12)]) {
              const { stdout } = await realNetns.exec(e1.netnsPath!, ["/bin/busybox", "nslookup", name, gw]);
              assert.match(stdout, new RegExp(`Address:\\s+${e2.ip!.replaceAll(".", "\\.")}`), stdout);
            }
            const fwd = await realNetns.exec(e1.netnsPath!, ["/bin/busybox", "nslookup", "outside.test", gw]);
            assert.match(fwd.stdout, /10\.99\.1\.1/);
            // busybox-3 is on the default bridge: not known on this network, and the upstream has no answer.
            const miss = await realNetns
              .exec(e1.netnsPath!, ["/bin/busybox", "nslookup", "busybox-3", gw])
              .catch((e: Error) => e);
            assert.ok(miss instanceof Error || !miss.stdout.includes(e3.ip!));
          } finally {
            upstreams.length = 0;
            up.close();
          }
        },
      );

      await t.test("published port reaches the container from another netns and from 127.0.0.1", async () => {
        const srv = realNetns.spawn(e2.netnsPath!, [process.execPath, "-e", serverCode(8080, "c2")]);
        servers.push(srv);
        await waitListening(e2.netnsPath!, 8080);
        t0 = performance.now();
        const [binding] = await svc.publish(c2, [{ containerPort: 8080, proto: "tcp" }]);
        timings.publish = performance.now() - t0;
        assert.ok(binding && binding.hostPort >= 1024);
        assert.equal(binding.hostIp, "0.0.0.0");
        await assert.rejects(
          svc.publish(c1, [{ containerPort: 80, proto: "tcp", hostPort: binding.hostPort }]),
          (e) =>
            isEngineError(e, "conflict") &&
            e.message === `Bind for 0.0.0.0:${binding.hostPort} failed: port is already allocated`,
        );
        // A client netns linked to the host by its own veth pair: "another host".
        await realNetns.create(clientNs, [
          [
            "link",
            "add",
            "eth0",
            "type",
            "veth",
            "peer",
            "name",
            clientVeth,
            "netns",
            `/proc/${process.pid}/ns/net`,
          ],
          ["addr", "add", `10.211.${x + 2}.2/30`, "dev", "eth0"],
          ["link", "set", "eth0", "up"],
          ["route", "add", "default", "via", `10.211.${x + 2}.1`, "dev", "eth0", "onlink"],
        ]);
        await realIp.batch([
          ["addr", "add", `10.211.${x + 2}.1/30`, "dev", clientVeth],
          ["link", "set", clientVeth, "up"],
        ]);
        const remote = await realNetns.exec(clientNs, [
          process.execPath,
          "-e",
          clientCode(`10.211.${x + 2}.1`, binding.hostPort),
        ]);
        assert.equal(remote.stdout, "hello from c2\n");
        assert.equal(await fetchTcp("127.0.0.1", binding.hostPort), "hello from c2\n");
        await svc.unpublish(c2);
        await assert.rejects(fetchTcp("127.0.0.1", binding.hostPort));
      });

      await t.test("a failure part-way leaks nothing (bad MAC fails inside the new netns)", async () => {
        const before = { links: realIp.links().length, rules: (await svc["firewall"].ownRules()).length };
        await assert.rejects(svc.connect(c4, n2.id, { containerName: "bad", mac: "zz:zz" }));
        assert.equal(realNetns.exists(join(execRoot, "netns", c4)), false);
        assert.equal(realIp.links().length, before.links);
        assert.equal(svc.containerEndpoints(c4).length, 0);
        await assert.rejects(
          svc.connect(c4, n2.id, { containerName: "bad", ip: e1.ip! }),
          /Address already in use/,
        );
        assert.equal(realNetns.exists(join(execRoot, "netns", c4)), false);
        // The address the failed attempt held is free again: a new static request for it succeeds.
        const e4 = await svc.connect(c4, n2.id, { containerName: "ok", ip: `10.211.${x + 1}.4` });
        assert.equal(e4.ip, `10.211.${x + 1}.4`);
        await svc.releaseSandbox(c4);
      });

      await t.test(
        "rebuild after the rules are wiped restores them; a second service sees the same state",
        async () => {
          const rules = await svc["firewall"].ownRules();
          await svc.removeAllRules();
          assert.equal((await svc["firewall"].ownRules()).length, 0);
          await svc.close();
          const again = new NetworkService({ ...svc["deps"] });
          await again.init();
          assert.deepEqual((await again["firewall"].ownRules()).sort(), rules.sort());
          assert.ok(await ping(e1.netnsPath!, e2.ip!));
          assert.equal(again.resolve(n2.name).id, n2.id);
          await again.close();
        },
      );

      await t.test("disconnect and network removal", async () => {
        await assert.rejects(svc.remove(n2.id), /has active endpoints/);
        await svc.disconnect(c1, n2.id);
        assert.equal(
          realIp.links().some((l) => l.name === e1.hostIf),
          false,
        );
        await svc.releaseSandbox(c1);
        await svc.releaseSandbox(c2);
        await svc.remove(n2.id);
        assert.equal(realIp.linkExists(n2.bridge!.name), false);
      });
      console.log(
        `timings (${localhost}), ms:`,
        Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v * 10) / 10])),
      );
    } finally {
      for (const s of servers) s.kill();
      await Promise.all(servers.map((s) => s.exited));
      await svc.close();
      for (const c of ids) await svc.releaseSandbox(c).catch(() => undefined);
      for (const n of svc.list())
        if (n.name !== "bridge" && n.bridge) await svc.remove(n.id).catch(() => undefined);
      await svc.removeAllRules();
      for (const l of realIp.links())
        if (l.name.startsWith(`bt${rand}`))
          await realIp.batch([["link", "del", l.name]]).catch(() => undefined);
      realNetns.remove(clientNs);
      realNetns.releaseDir(join(execRoot, "netns"));
      db.close();
      // Nothing left: links, rules, netns mounts.
      assert.deepEqual(
        realIp.links().filter((l) => l.name.startsWith(`bt${rand}`)),
        [],
      );
      const saved = (await realIptables.save("nat")) + (await realIptables.save("filter"));
      assert.equal(saved.includes(prefix), false, "iptables rules left behind");
      assert.equal(
        readFileSync("/proc/self/mountinfo", "utf8").includes(execRoot),
        false,
        "mounts left behind",
      );
      assert.deepEqual(readdirSync(join(execRoot, "netns")), []);
      rmSync(execRoot, { recursive: true, force: true });
    }
  });
}
