import assert from "node:assert/strict";
import { test } from "node:test";
import { RegistryError } from "../errors.js";
import { parseContentRange, parseRange } from "./range.js";

const is416 = (e: unknown) => e instanceof RegistryError && e.status === 416;

test("Range on blob reads", () => {
  assert.equal(parseRange(undefined, 10), undefined);
  assert.deepEqual(parseRange("bytes=0-3", 10), { start: 0, end: 3 });
  assert.deepEqual(parseRange("bytes=5-", 10), { start: 5, end: 9 });
  assert.deepEqual(parseRange("bytes=-4", 10), { start: 6, end: 9 });
  assert.deepEqual(parseRange("bytes=-40", 10), { start: 0, end: 9 });
  assert.deepEqual(parseRange("bytes=8-100", 10), { start: 8, end: 9 });
  assert.equal(parseRange("bytes=0-1,3-4", 10), undefined);
  assert.throws(() => parseRange("bytes=10-", 10), is416);
  assert.throws(() => parseRange("bytes=5-2", 10), is416);
  assert.throws(() => parseRange("bytes=-0", 10), is416);
});

test("Content-Range on upload chunks", () => {
  assert.equal(parseContentRange(undefined, 5), undefined);
  assert.deepEqual(parseContentRange("0-4", 5), { start: 0, end: 4 });
  assert.deepEqual(parseContentRange("bytes 5-9/20", undefined), { start: 5, end: 9 });
  assert.throws(
    () => parseContentRange("0-4", 6),
    (e: unknown) => e instanceof RegistryError && e.code === "SIZE_INVALID" && e.status === 400,
  );
  assert.throws(() => parseContentRange("4-0", undefined), is416);
  assert.throws(() => parseContentRange("x", undefined), is416);
});
