import { test } from "node:test";
import assert from "node:assert/strict";
import { openDatabase } from "../store/index.js";
import { isEngineError } from "../errors.js";
import { chooseSubnet, Ipam, ipamSchema, macForIp, parseProcRoutes } from "./ipam.js";
import { formatIp, formatSubnet, parseIp, parseSubnet, type Subnet } from "./ipv4.js";

function fresh(routes: Subnet[] = []) {
  const db = openDatabase(":memory:", [ipamSchema]);
  return { db, ipam: new Ipam(db, () => routes) };
}

test("default pools: 172.17/16 first, then 172.18…31, then 192.168.x/20", () => {
  assert.equal(formatSubnet(chooseSubnet([])!), "172.17.0.0/16");
  const taken: Subnet[] = [];
  for (let b = 17; b <= 31; b++) taken.push(parseSubnet(`172.${b}.0.0/16`));
  assert.equal(formatSubnet(chooseSubnet(taken)!), "192.168.0.0/20");
  taken.push(parseSubnet("192.168.0.0/20"));
  assert.equal(formatSubnet(chooseSubnet(taken)!), "192.168.16.0/20");
  assert.equal(chooseSubnet([parseSubnet("0.0.0.0/0")]), undefined);
});

test("pools skip host routes and other networks", () => {
  const { ipam } = fresh([parseSubnet("172.17.5.0/24")]);
  assert.equal(formatSubnet(ipam.requestPool("a", {}).subnet), "172.18.0.0/16");
  assert.equal(formatSubnet(ipam.requestPool("b", {}).subnet), "172.19.0.0/16");
  assert.throws(
    () => ipam.requestPool("c", { subnet: "172.19.128.0/24" }),
    (e) =>
      isEngineError(e, "forbidden") && e.message === "Pool overlaps with other one on this address space",
  );
});

test("/proc/net/route parsing (little-endian words, default route ignored)", () => {
  const text = [
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
    "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
    "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
  ].join("\n");
  assert.deepEqual(parseProcRoutes(text).map(formatSubnet), ["192.0.2.0/24", "172.17.0.0/16"]);
});

test("gateway is the first host address; containers from .2 in order; serial reuse", () => {
  const { ipam } = fresh();
  const pool = ipam.requestPool("n", { subnet: "10.211.7.0/29" });
  assert.equal(formatIp(pool.gateway), "10.211.7.1");
  const got = [1, 2, 3, 4, 5].map((i) => formatIp(ipam.allocate("n", `c${i}`)));
  assert.deepEqual(got, ["10.211.7.2", "10.211.7.3", "10.211.7.4", "10.211.7.5", "10.211.7.6"]);
  assert.throws(
    () => ipam.allocate("n", "c6", { networkName: "test" }),
    (e) => isEngineError(e, "unavailable") && /address pools: test \(n\)$/.test(e.message),
  );
  ipam.release("n", parseIp("10.211.7.3"));
  assert.equal(formatIp(ipam.allocate("n", "c7")), "10.211.7.3");
});

test("serial allocation does not hand back a just-freed address while others are free", () => {
  const { ipam } = fresh();
  ipam.requestPool("n", { subnet: "10.211.8.0/24" });
  const a = ipam.allocate("n", "a");
  ipam.release("n", a);
  assert.equal(formatIp(ipam.allocate("n", "b")), "10.211.8.3");
});

test("--gateway, --ip-range and static --ip", () => {
  const { ipam } = fresh();
  const pool = ipam.requestPool("n", {
    subnet: "10.211.9.0/24",
    gateway: "10.211.9.254",
    ipRange: "10.211.9.128/25",
  });
  assert.equal(formatIp(pool.gateway), "10.211.9.254");
  assert.equal(formatIp(ipam.allocate("n", "a")), "10.211.9.128");
  assert.equal(formatIp(ipam.allocate("n", "b", { ip: "10.211.9.10" })), "10.211.9.10");
  assert.throws(
    () => ipam.allocate("n", "c", { ip: "10.211.9.10" }),
    (e) => isEngineError(e, "forbidden") && e.message === "Address already in use",
  );
  assert.throws(() => ipam.allocate("n", "c", { ip: "10.211.9.254" }), /Address already in use/);
  assert.throws(() => ipam.allocate("n", "c", { ip: "10.211.10.1" }), /Requested address is out of range/);
  assert.throws(() => ipam.allocate("n", "c", { ip: "10.211.9.255" }), /out of range/);
  assert.throws(
    () => ipam.requestPool("m", { subnet: "10.212.0.0/24", gateway: "10.213.0.1" }),
    /no matching subnet for gateway/,
  );
  assert.throws(
    () => ipam.requestPool("m", { subnet: "10.212.0.0/24", ipRange: "10.213.0.0/25" }),
    /no matching subnet for range/,
  );
  assert.throws(() => ipam.requestPool("m", { subnet: "10.212.0.1/24" }), /invalid subnet/);
});

test("static --ip needs a user subnet, like Docker", () => {
  const { ipam } = fresh();
  ipam.requestPool("n", {});
  assert.throws(() => ipam.allocate("n", "c", { ip: "172.17.0.9" }), /user configured subnets/);
});

test("state survives a reopen of the database", () => {
  const { db, ipam } = fresh();
  ipam.requestPool("n", { subnet: "10.211.11.0/24" });
  ipam.allocate("n", "a");
  const again = new Ipam(db, () => []);
  assert.equal(formatIp(again.allocate("n", "b")), "10.211.11.3");
  assert.equal(again.allocated("n").get(parseIp("10.211.11.2")), "a");
  again.releasePool("n");
  assert.equal(new Ipam(db, () => []).pool("n"), undefined);
});

test("MAC from IP like Docker", () => {
  assert.equal(macForIp(parseIp("172.17.0.2")), "02:42:ac:11:00:02");
  assert.equal(macForIp(parseIp("172.18.0.3")), "02:42:ac:12:00:03");
});
