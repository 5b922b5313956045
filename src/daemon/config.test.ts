import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDaemonArgs } from "./config.js";

const noFile = () => ({});

test("defaults follow the exec root", () => {
  const r = parseDaemonArgs(["--exec-root", "/tmp/x"], noFile);
  assert.equal(r.kind, "run");
  if (r.kind !== "run") return;
  assert.deepEqual(r.config.hosts, ["unix:///tmp/x/berth.sock"]);
  assert.equal(r.config.pidfile, "/tmp/x/berthd.pid");
  assert.equal(r.config.dataRoot, "/var/lib/berth");
});

test("repeated -H and --flag=value", () => {
  const r = parseDaemonArgs(
    ["-H", "unix:///a.sock", "--host=tcp://127.0.0.1:2375", "--data-root=/d"],
    noFile,
  );
  if (r.kind !== "run") throw new Error("expected run");
  assert.deepEqual(r.config.hosts, ["unix:///a.sock", "tcp://127.0.0.1:2375"]);
  assert.equal(r.config.dataRoot, "/d");
});

test("file keys apply, and a key given twice is refused", () => {
  const file = () => ({ "data-root": "/f", debug: true });
  const r = parseDaemonArgs([], file);
  if (r.kind !== "run") throw new Error("expected run");
  assert.equal(r.config.dataRoot, "/f");
  assert.equal(r.config.logLevel, "debug");
  assert.throws(
    () => parseDaemonArgs(["--data-root", "/x"], file),
    /both as a flag and in the configuration file/,
  );
});

test("bad input is a clear error", () => {
  assert.throws(() => parseDaemonArgs(["--nope"], noFile), /unknown flag: --nope/);
  assert.throws(() => parseDaemonArgs(["--log-level", "loud"], noFile), /unable to parse logging level/);
  assert.throws(() => parseDaemonArgs(["--data-root"], noFile), /flag needs an argument/);
});

test("network flags: bip, pools, iptables, bridge name and chain prefix", () => {
  const r = parseDaemonArgs(
    [
      "--bip",
      "10.230.1.1/24",
      "--iptables=false",
      "--ip-forward=false",
      "--default-address-pool",
      "base=10.10.0.0/16,size=24",
      "--bridge-name",
      "bt123",
      "--iptables-chain-prefix",
      "BT123",
      "--cleanup-network-on-exit",
    ],
    noFile,
  );
  if (r.kind !== "run") throw new Error("expected run");
  assert.equal(r.config.bip, "10.230.1.1/24");
  assert.equal(r.config.iptables, false);
  assert.equal(r.config.ipForward, false);
  assert.deepEqual(r.config.defaultAddressPools, [{ base: "10.10.0.0/16", size: 24 }]);
  assert.equal(r.config.bridgeName, "bt123");
  assert.equal(r.config.iptablesChainPrefix, "BT123");
  assert.equal(r.config.cleanupNetworkOnExit, true);
  const d = parseDaemonArgs([], noFile);
  if (d.kind !== "run") throw new Error("expected run");
  assert.equal(d.config.bip, undefined);
  assert.equal(d.config.iptables, true);
  assert.equal(d.config.bridgeName, "berth0");
  assert.equal(d.config.iptablesChainPrefix, "BERTH");
  const file = () => ({ iptables: false, "default-address-pools": [{ base: "10.9.0.0/16", size: 20 }] });
  const f = parseDaemonArgs([], file);
  if (f.kind !== "run") throw new Error("expected run");
  assert.equal(f.config.iptables, false);
  assert.deepEqual(f.config.defaultAddressPools, [{ base: "10.9.0.0/16", size: 20 }]);
  assert.throws(() => parseDaemonArgs(["--iptables=maybe"], noFile), /invalid argument "maybe"/);
  assert.throws(() => parseDaemonArgs(["--iptables-chain-prefix", "bad-prefix"], noFile), /chain prefix/);
  assert.throws(() => parseDaemonArgs(["--bridge-name", "a-very-long-bridge-name"], noFile), /bridge name/);
  assert.throws(() => parseDaemonArgs(["--iptables=false"], file), /both as a flag/);
});
