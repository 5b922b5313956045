import assert from "node:assert/strict";
import { test } from "node:test";
import { isEngineError } from "../errors.js";
import { isLinkId, LINK_LENGTH, MOUNT_DATA_LIMIT, newLinkId, overlayMountData } from "./overlay.js";

test("mount data lists lower dirs top first, then upper and work", () => {
  assert.equal(
    overlayMountData({
      lowerDirs: ["/r/l/B", "/r/l/A"],
      upperDir: "/r/rw/c/upper",
      workDir: "/r/rw/c/work",
      options: ["index=off"],
    }),
    "index=off,lowerdir=/r/l/B:/r/l/A,upperdir=/r/rw/c/upper,workdir=/r/rw/c/work",
  );
});

test("separators in paths are escaped", () => {
  assert.equal(
    overlayMountData({ lowerDirs: ["/a:b", "/c,d"], upperDir: "/u,1", workDir: "/w\\x" }),
    "lowerdir=/a\\:b:/c\\,d,upperdir=/u\\,1,workdir=/w\\\\x",
  );
});

test("the one-page limit: 300 layers of short links do not fit, and the error says why", () => {
  const link = (i: number) => `/var/lib/berth/overlay/l/${String(i).padStart(LINK_LENGTH, "A")}`;
  const plan = (n: number) => ({
    lowerDirs: Array.from({ length: n }, (_, i) => link(i)),
    upperDir: `/var/lib/berth/overlay/rw/${"c".repeat(64)}/upper`,
    workDir: `/var/lib/berth/overlay/rw/${"c".repeat(64)}/work`,
  });
  assert.ok(overlayMountData(plan(100)).length <= MOUNT_DATA_LIMIT);
  assert.throws(
    () => overlayMountData(plan(300)),
    (e) => isEngineError(e, "invalid") && /too many layers.*300 lower dirs need \d+ bytes/.test(e.message),
  );
  assert.throws(
    () => overlayMountData({ lowerDirs: [], upperDir: "/u", workDir: "/w" }),
    (e) => isEngineError(e, "invalid"),
  );
});

test("link ids are short and recognisable", () => {
  const id = newLinkId();
  assert.equal(id.length, LINK_LENGTH);
  assert.ok(isLinkId(id));
  assert.ok(!isLinkId("tmp-1234567"));
});
