import { test } from "node:test";
import assert from "node:assert/strict";
import { cacheKey, stableJson } from "./cache.js";

test("cache keys: same inputs same key, any input changes it, key order does not", () => {
  const base = {
    parent: "sha256:a",
    cmd: ["/bin/sh", "-c", "x"],
    config: { Env: ["A=1"], User: "u" },
    platform: "linux/amd64",
  };
  const k = cacheKey(base);
  assert.equal(cacheKey({ ...base, config: { User: "u", Env: ["A=1"] } }), k);
  assert.notEqual(cacheKey({ ...base, parent: "sha256:b" }), k);
  assert.notEqual(cacheKey({ ...base, cmd: ["|1", "N=2", "/bin/sh", "-c", "x"] }), k);
  assert.notEqual(cacheKey({ ...base, config: { Env: ["A=2"], User: "u" } }), k);
  assert.equal(stableJson({ b: 1, a: [1, { d: 2, c: undefined }] }), '{"a":[1,{"d":2}],"b":1}');
});
