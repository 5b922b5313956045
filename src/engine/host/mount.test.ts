import assert from "node:assert/strict";
import { test } from "node:test";
import { parseMountInfo } from "./mount.js";

test("parseMountInfo decodes escaped paths and finds the fields after the separator", () => {
  const text = [
    "22 1 0:21 / /proc rw,nosuid shared:5 - proc proc rw",
    "99 22 0:50 / /tmp/a\\040b/merged rw,relatime shared:7 master:1 - overlay overlay rw,lowerdir=/l/A,upperdir=/u,workdir=/w",
    "",
  ].join("\n");
  const m = parseMountInfo(text);
  assert.equal(m.length, 2);
  assert.equal(m[1]?.mountPoint, "/tmp/a b/merged");
  assert.equal(m[1]?.fsType, "overlay");
  assert.equal(m[1]?.superOptions, "rw,lowerdir=/l/A,upperdir=/u,workdir=/w");
  assert.equal(m[0]?.parentId, 1);
});
