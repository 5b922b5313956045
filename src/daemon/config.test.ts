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
