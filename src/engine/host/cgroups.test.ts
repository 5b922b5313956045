import { test } from "node:test";
import assert from "node:assert/strict";
import {
  parseBlkioV1,
  parseFlatKeyed,
  parseIoStatV2,
  parseLimit,
  parseProcCgroup,
  parseProcStatCpu,
} from "./cgroups.js";

test("proc cgroup: v1 controllers, joined controllers, named and unified lines", () => {
  const m = parseProcCgroup("12:cpu,cpuacct:/a/b\n4:memory:/x\n1:name=systemd:/s\n0::/u\n");
  assert.equal(m.get("cpu"), "/a/b");
  assert.equal(m.get("cpuacct"), "/a/b");
  assert.equal(m.get("memory"), "/x");
  assert.equal(m.get("name=systemd"), "/s");
  assert.equal(m.get(""), "/u");
});

test("flat keyed files and limits", () => {
  assert.deepEqual(parseFlatKeyed("cache 4096\nrss 8192\n\nbad\n"), { cache: 4096, rss: 8192 });
  assert.equal(parseLimit("max\n"), undefined);
  assert.equal(parseLimit("9223372036854771712\n"), undefined);
  assert.equal(parseLimit("16777216\n"), 16777216);
});

test("blkio v1 and io.stat v2", () => {
  assert.deepEqual(parseBlkioV1("8:0 Read 4096\n8:0 Write 512\n8:0 Total 4608\nTotal 4608\n"), [
    { major: 8, minor: 0, op: "Read", value: 4096 },
    { major: 8, minor: 0, op: "Write", value: 512 },
    { major: 8, minor: 0, op: "Total", value: 4608 },
  ]);
  assert.deepEqual(parseIoStatV2("259:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n"), [
    { major: 259, minor: 0, op: "read", value: 10 },
    { major: 259, minor: 0, op: "write", value: 20 },
  ]);
});

test("host cpu time from /proc/stat in ns (USER_HZ 100, first 7 fields)", () => {
  assert.equal(parseProcStatCpu("cpu  1 2 3 4 5 6 7 100 100 100\ncpu0 1 1 1 1 1 1 1\n"), 28 * 10_000_000);
  assert.equal(parseProcStatCpu(""), 0);
});
