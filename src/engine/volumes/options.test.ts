import { test } from "node:test";
import assert from "node:assert/strict";
import { isEngineError } from "../errors.js";
import { mountPlan, needsMount, parseMountOptions, ramInBytes, validateOptions } from "./options.js";

test("validation: keys, mandatory options, quota, network filesystems", () => {
  validateOptions({});
  validateOptions({ type: "tmpfs", device: "tmpfs", o: "size=100m" });
  validateOptions({ type: "none", o: "bind", device: "/srv" });
  validateOptions({ size: "0" });
  assert.throws(() => validateOptions({ foo: "bar" }), { message: 'invalid option: "foo"' });
  assert.throws(() => validateOptions({ type: "tmpfs" }), { message: 'missing required option: "device"' });
  assert.throws(() => validateOptions({ type: "" }), { message: 'missing required option: "device"' });
  assert.throws(() => validateOptions({ device: "x" }), { message: 'missing required option: "type"' });
  assert.throws(() => validateOptions({ o: "size=1m" }), { message: 'missing required option: "device"' });
  assert.throws(() => validateOptions({ size: "10m" }), {
    message: "quota size requested but no quota support",
  });
  assert.throws(() => validateOptions({ size: "ten" }), { message: "invalid size: 'ten'" });
  assert.throws(
    () => validateOptions({ type: "nfs", device: ":/x", o: "addr=10.0.0.1" }),
    (e) => isEngineError(e, "not-implemented") && /network filesystem/.test(e.message),
  );
  assert.throws(
    () => validateOptions({ type: "CIFS", device: "//h/s" }),
    (e) => isEngineError(e, "not-implemented"),
  );
});

test("ramInBytes follows go-units", () => {
  assert.equal(ramInBytes("100m"), 100 * 1024 * 1024);
  assert.equal(ramInBytes("1.5GiB"), 1.5 * 1024 ** 3);
  assert.equal(ramInBytes("512"), 512);
  assert.equal(ramInBytes("2 kb"), 2048);
});

test("needsMount", () => {
  assert.equal(needsMount({}), false);
  assert.equal(needsMount({ size: "0" }), false);
  assert.equal(needsMount({ type: "tmpfs", device: "tmpfs" }), true);
});

test("o= splits into flags and data like moby/sys/mount", () => {
  assert.deepEqual(parseMountOptions("size=100m,uid=1000"), { flags: 0, data: "size=100m,uid=1000" });
  assert.deepEqual(parseMountOptions("ro,nosuid,size=1m,rw"), { flags: 0x2, data: "size=1m" });
  assert.deepEqual(parseMountOptions("bind"), { flags: 0x1000, data: "" });
  assert.deepEqual(parseMountOptions("rbind,rprivate"), { flags: 0x1000 | 0x4000 | (1 << 18), data: "" });
});

test("mount plans: tmpfs, bind, read-only bind, propagation", () => {
  const t = "/v/x/_data";
  assert.deepEqual(mountPlan({ type: "tmpfs", device: "tmpfs", o: "size=100m" }, t), [
    { source: "tmpfs", target: t, fstype: "tmpfs", flags: 0, data: "size=100m" },
  ]);
  assert.deepEqual(mountPlan({ type: "none", device: "/srv", o: "bind" }, t), [
    { source: "/srv", target: t, fstype: "none", flags: 0x1000, data: "" },
  ]);
  assert.deepEqual(mountPlan({ type: "none", device: "/srv", o: "bind,ro" }, t), [
    { source: "/srv", target: t, fstype: "none", flags: 0x1001, data: "" },
    { source: "", target: t, fstype: "", flags: 0x1001 | 0x20 },
  ]);
  assert.deepEqual(mountPlan({ type: "none", device: "/srv", o: "rbind,rslave" }, t), [
    { source: "/srv", target: t, fstype: "none", flags: 0x5000, data: "" },
    { source: "", target: t, fstype: "", flags: (1 << 19) | 0x4000 },
  ]);
  assert.throws(() => mountPlan({ type: "none", device: "rel/path", o: "bind" }, t), /absolute path/);
  assert.throws(() => mountPlan({ type: "tmpfs" }, t), /missing device/);
});
