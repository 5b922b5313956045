import assert from "node:assert/strict";
import { test } from "node:test";
import { detachKeyBytes, EscapeMatcher } from "../streams.js";
import {
  parseCpus,
  parseGoDuration,
  parseMount,
  parsePortSpec,
  parseUlimit,
  parseVolumeSpec,
  toStandardNotation,
  validateDevice,
  validateDeviceCgroupRule,
  parseDevice,
} from "./containerOptsParse.js";

test("port specs as go-connections parses them", () => {
  assert.deepEqual(parsePortSpec("127.0.0.1::90/udp"), [
    { port: "90/udp", binding: { HostIp: "127.0.0.1", HostPort: "" } },
  ]);
  assert.deepEqual(
    parsePortSpec("3000-3001:4000-4001").map((p) => [p.port, p.binding.HostPort]),
    [
      ["4000/tcp", "3000"],
      ["4001/tcp", "3001"],
    ],
  );
  assert.deepEqual(parsePortSpec("8000-8010:80")[0]?.binding.HostPort, "8000-8010");
  assert.throws(() => parsePortSpec("80:80:80:80"), /^Error: invalid IP address: 80:80$/);
  assert.throws(() => parsePortSpec("abc"), /^Error: invalid containerPort: abc$/);
  assert.throws(() => parsePortSpec("1-2:3-5"), /invalid ranges specified/);
  assert.equal(toStandardNotation("target=80,published=8080,protocol=udp"), "8080:80/udp");
});

test("-v specs follow compose's ParseVolume, windows drive quirk included", () => {
  assert.deepEqual(parseVolumeSpec("/data"), { type: "volume", source: "", target: "/data" });
  assert.deepEqual(parseVolumeSpec("/tmp:/mnt:ro"), { type: "bind", source: "/tmp", target: "/mnt" });
  assert.deepEqual(parseVolumeSpec("named:/x"), { type: "volume", source: "named", target: "/x" });
  assert.deepEqual(parseVolumeSpec("a:b:c:d"), { type: "bind", source: "a:b", target: "c:d" });
  assert.throws(() => parseVolumeSpec("/a:/b:ro:x"), /too many colons/);
});

test("--mount CSV to Go's mount.Mount", () => {
  assert.deepEqual(parseMount("type=tmpfs,target=/t,tmpfs-size=1m"), {
    Type: "tmpfs",
    Target: "/t",
    TmpfsOptions: { SizeBytes: 1048576 },
  });
  assert.deepEqual(parseMount("type=bind,src=/a,dst=/b,readonly,bind-propagation=rshared"), {
    Type: "bind",
    Source: "/a",
    Target: "/b",
    ReadOnly: true,
    BindOptions: { Propagation: "rshared" },
  });
  assert.throws(() => parseMount("type=foo"), /^Error: target is required$/);
  assert.throws(() => parseMount("foo"), /invalid field 'foo' must be a key=value pair/);
  assert.throws(() => parseMount("type=bind,target=/x,tmpfs-size=1"), /cannot mix 'tmpfs-\*' options/);
});

test("numbers: cpus, durations, ulimits", () => {
  assert.equal(parseCpus("1.5"), 1_500_000_000);
  assert.equal(parseCpus("3/2"), 1_500_000_000);
  assert.throws(() => parseCpus("x"), /failed to parse x as a rational number/);
  assert.throws(() => parseCpus("0.0000000001"), /value is too precise/);
  assert.equal(parseGoDuration("1m30s"), 90e9);
  assert.equal(parseGoDuration("1.5h"), 5400e9);
  assert.throws(() => parseGoDuration("5"), /time: missing unit in duration "5"/);
  assert.deepEqual(parseUlimit("nofile=100:200"), { Name: "nofile", Hard: 200, Soft: 100 });
  assert.throws(() => parseUlimit("nofile"), /invalid ulimit argument: nofile/);
  assert.throws(() => parseUlimit("nofile=3:2"), /soft limit must be less than or equal/);
});

test("detach keys: docker's key names, matched across chunks", () => {
  assert.deepEqual(detachKeyBytes("ctrl-p,ctrl-q"), [16, 17]);
  assert.deepEqual(detachKeyBytes("ctrl-@,ctrl-[,a,DEL"), [0, 27, 97, 127]);
  assert.throws(() => detachKeyBytes("ctrl-1"), /Unknown character: 'ctrl-1'/);
  const m = new EscapeMatcher([16, 17]);
  assert.deepEqual(m.push(Buffer.from([104, 16])), { data: Buffer.from([104]), detached: false });
  assert.deepEqual(m.push(Buffer.from([105])), { data: Buffer.from([16, 105]), detached: false });
  m.push(Buffer.from([16]));
  assert.equal(m.push(Buffer.from([17])).detached, true);
});

test("--device values: docker's validateLinuxPath and parseLinuxDevice", () => {
  assert.equal(validateDevice("/dev/fuse"), "/dev/fuse");
  assert.equal(validateDevice("/dev/fuse:r"), "/dev/fuse:r");
  assert.equal(validateDevice("/dev/fuse:/dev//x/"), "/dev/fuse:/dev/x");
  assert.equal(validateDevice("/dev/fuse:/x:rw"), "/dev/fuse:/x:rw");
  assert.throws(() => validateDevice("/dev/fuse:rwx"), /rwx is not an absolute path/);
  assert.throws(() => validateDevice("/dev/fuse:/x:rr"), /bad mode specified: rr/);
  assert.throws(() => validateDevice(":/x"), /bad format for path: :\/x/);
  assert.throws(() => validateDevice("a:b:c:d"), /bad format for path/);
  assert.deepEqual(parseDevice("/dev/fuse"), {
    PathOnHost: "/dev/fuse",
    PathInContainer: "/dev/fuse",
    CgroupPermissions: "rwm",
  });
  assert.deepEqual(parseDevice("/dev/fuse:r"), {
    PathOnHost: "/dev/fuse",
    PathInContainer: "/dev/fuse",
    CgroupPermissions: "r",
  });
  assert.deepEqual(parseDevice("/dev/fuse:/x:rw").PathInContainer, "/x");
  assert.equal(validateDeviceCgroupRule("c 10:* rwm"), "c 10:* rwm");
  assert.throws(() => validateDeviceCgroupRule("c 10 rwm"), /invalid device cgroup format 'c 10 rwm'/);
});
