import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultLogMaxSize, parseLogConfig } from "./logConfig.js";

test("log drivers and options", () => {
  assert.deepEqual(parseLogConfig(undefined), {
    type: "json-file",
    config: {},
    maxSize: defaultLogMaxSize,
    maxFile: 1,
  });
  const capped = parseLogConfig({ Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } });
  assert.deepEqual([capped.maxSize, capped.maxFile], [10 * 1024 * 1024, 3]);
  // max-file needs a size cap: without one there is one file.
  assert.equal(parseLogConfig({ Config: { "max-size": "-1", "max-file": "3" } }).maxFile, 1);
  assert.equal(parseLogConfig({ Type: "local", Config: { "max-size": "-1" } }).maxSize, 0);
  assert.throws(() => parseLogConfig({ Type: "bogus" }), /no log driver named 'bogus' is registered/);
  assert.throws(
    () => parseLogConfig({ Type: "syslog" }),
    (e: Error & { kind?: string }) => e.kind === "not-implemented",
  );
  assert.throws(() => parseLogConfig({ Config: { "max-size": "lots" } }), /invalid size/);
  assert.throws(() => parseLogConfig({ Config: { nope: "1" } }), /unknown log opt 'nope'/);
  assert.throws(() => parseLogConfig({ Config: { "max-file": "0" } }), /max-file cannot be less than 1/);
});
