import { test } from "node:test";
import assert from "node:assert/strict";
import { matchesList, matchLabels, matchName, parseAllValues, parseDanglingValues } from "./filters.js";

test("name: exact or unanchored regular expression", () => {
  assert.equal(matchName("h9tmp", ["tmp"]), true);
  assert.equal(matchName("h9tmp", ["^tmp"]), false);
  assert.equal(matchName("a+b", ["a+b"]), true);
  assert.equal(matchName("abc", ["("]), false);
  assert.equal(matchName("abc", ["(", "b"]), true);
});

test("labels: key, key=value, negation", () => {
  const l = { a: "b", empty: "" };
  assert.equal(matchLabels(l, ["a"]), true);
  assert.equal(matchLabels(l, ["a=b"]), true);
  assert.equal(matchLabels(l, ["a=c"]), false);
  assert.equal(matchLabels(l, ["empty="]), true);
  assert.equal(matchLabels(l, [], ["a"]), false);
  assert.equal(matchLabels(l, [], ["a=c"]), true);
  assert.equal(matchLabels(l, ["toString"]), false);
});

test("dangling takes 1/true/0/false only, and not both", () => {
  assert.equal(parseDanglingValues(["true"]), true);
  assert.equal(parseDanglingValues(["1", "true"]), true);
  assert.equal(parseDanglingValues(["0"]), false);
  assert.throws(() => parseDanglingValues(["yes"]), { message: "invalid filter 'dangling=yes'" });
  assert.throws(() => parseDanglingValues(["true", "false"]), {
    message: "invalid filter 'dangling=true,false'",
  });
});

test("prune's all filter is one Go bool", () => {
  assert.equal(parseAllValues([]), false);
  assert.equal(parseAllValues(["T"]), true);
  assert.equal(parseAllValues(["0"]), false);
  assert.throws(() => parseAllValues(["x"]), {
    message: `invalid filter 'all': strconv.ParseBool: parsing "x": invalid syntax`,
  });
  assert.throws(() => parseAllValues(["1", "0"]), /only one value is expected/);
});

test("list predicate combines the filters", () => {
  const v = { name: "data", driver: "local", labels: { app: "web" } };
  assert.equal(matchesList(v, false, {}), true);
  assert.equal(matchesList(v, false, { dangling: true }), true);
  assert.equal(matchesList(v, true, { dangling: true }), false);
  assert.equal(matchesList(v, true, { dangling: false }), true);
  assert.equal(matchesList(v, false, { drivers: ["other"] }), false);
  assert.equal(matchesList(v, false, { names: ["at"], labels: ["app=web"] }), true);
  assert.equal(matchesList(v, false, { notLabels: ["app"] }), false);
});
