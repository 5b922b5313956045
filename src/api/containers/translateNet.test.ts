import assert from "node:assert/strict";
import { test } from "node:test";
import { namedVolumeBind, parseEndpoints, parsePortBindings, volumeMount } from "./translateNet.js";

test("PortBindings as the docker CLI sends them", () => {
  assert.deepEqual(
    parsePortBindings({
      "80/tcp": [
        { HostIp: "", HostPort: "8080" },
        { HostIp: "127.0.0.1", HostPort: "" },
      ],
      "53/udp": [{ HostIp: "", HostPort: "5300-5310" }],
      "81": [{ HostPort: "0" }],
      "82/tcp": null,
    }),
    // "81" is an integer-like key: JavaScript orders it first.
    [
      { containerPort: 81, proto: "tcp", hostIp: "", hostPort: 0 },
      { containerPort: 80, proto: "tcp", hostIp: "", hostPort: 8080 },
      { containerPort: 80, proto: "tcp", hostIp: "127.0.0.1", hostPort: 0 },
      { containerPort: 53, proto: "udp", hostIp: "", hostPort: 5300, hostPortEnd: 5310 },
    ],
  );
  assert.deepEqual(parsePortBindings(null), []);
  assert.throws(() => parsePortBindings({ "x/tcp": [] }), /invalid port specification/);
  assert.throws(() => parsePortBindings({ "80/tcp": [{ HostPort: "90-80" }] }), /invalid port specification/);
  assert.throws(() => parsePortBindings({ "80/tcp": [{ HostIp: "::1", HostPort: "1" }] }), /IPv6/);
  assert.throws(() => parsePortBindings({ "80/sctp": [] }), /sctp/);
});

test("EndpointsConfig: aliases, IPv4, MAC; the old Config.MacAddress joins the first network", () => {
  assert.deepEqual(
    parseEndpoints(
      { net1: { Aliases: ["a", ""], IPAMConfig: { IPv4Address: "10.0.0.5" } }, net2: null },
      "net1",
      "02:42:ac:11:00:09",
    ),
    [
      { ref: "net1", aliases: ["a"], ipv4: "10.0.0.5", mac: "02:42:ac:11:00:09" },
      { ref: "net2", aliases: [] },
    ],
  );
  assert.throws(() => parseEndpoints({ n: { MacAddress: "zz" } }, "n", undefined), /invalid MAC address/);
});

test("volume binds and --mount type=volume", () => {
  assert.deepEqual(namedVolumeBind("data", "/d", []), {
    type: "volume",
    name: "data",
    source: "",
    target: "/d",
    readOnly: false,
    anonymous: false,
    noCopy: false,
    mode: "z",
  });
  const ro = namedVolumeBind("data", "/d", ["ro", "nocopy"]);
  assert.equal(ro.type === "volume" && ro.readOnly && ro.noCopy && ro.mode, "ro,nocopy");
  assert.throws(() => namedVolumeBind("data", "/d", ["shared"]), /invalid mode: shared/);
  const anon = volumeMount({ Type: "volume", Target: "/x", VolumeOptions: { NoCopy: true } }, "/x");
  assert.equal(anon.type === "volume" && anon.anonymous && anon.noCopy, true);
  const opts = volumeMount(
    {
      Type: "volume",
      Source: "v",
      VolumeOptions: { DriverConfig: { Options: { type: "tmpfs", device: "tmpfs" } } },
    },
    "/x",
  );
  assert.deepEqual(opts.type === "volume" && opts.createOptions, { type: "tmpfs", device: "tmpfs" });
  assert.throws(
    () => volumeMount({ Type: "volume", VolumeOptions: { DriverConfig: { Name: "nfs" } } }, "/x"),
    /volume driver nfs/,
  );
});
