import { test } from "node:test";
import assert from "node:assert/strict";
import { boolValue, checkFilterKeys, parseFilters } from "./query.js";

test("Docker's boolean query values", () => {
  const q = new URLSearchParams("a=1&b=true&c=0&d=false&e=no&f=&g=yes");
  assert.deepEqual(
    ["a", "b", "c", "d", "e", "f", "g", "missing"].map((k) => boolValue(q, k)),
    [true, true, false, false, false, false, true, false],
  );
});

test("both filter shapes, and unknown keys refused", () => {
  assert.deepEqual(
    [...parseFilters('{"label":["a=b"],"dangling":{"true":true}}')],
    [
      ["label", ["a=b"]],
      ["dangling", ["true"]],
    ],
  );
  assert.throws(() => parseFilters("{bad"), /invalid filter/);
  assert.throws(() => checkFilterKeys(parseFilters('{"nope":["x"]}'), ["label"]), /invalid filter 'nope'/);
});
