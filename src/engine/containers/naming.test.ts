import assert from "node:assert/strict";
import { test } from "node:test";
import { isEngineError } from "../errors.js";
import { adjectives, surnames } from "./names.js";
import { parseContainerName, randomName } from "./naming.js";

test("random names are adjective_surname from Docker's lists", () => {
  for (let i = 0; i < 50; i++) {
    const [a, s] = randomName().split("_");
    assert.ok(adjectives.includes(a ?? ""));
    assert.ok(surnames.includes(s ?? ""));
  }
  assert.match(randomName(1), /^[a-z]+_[a-z]+[0-9]$/);
});

test("boring_wozniak is never generated", () => {
  const seq = ["boring", "wozniak", "happy", "turing"];
  let i = 0;
  assert.equal(
    randomName(0, () => seq[i++] ?? ""),
    "happy_turing",
  );
  assert.ok(adjectives.includes("boring") && surnames.includes("wozniak"));
});

test("names follow Docker's rule, leading slash allowed", () => {
  assert.equal(parseContainerName("/web"), "web");
  assert.equal(parseContainerName("a.b_c-d"), "a.b_c-d");
  for (const bad of ["x", "-ab", "a b", "a/b", ""]) {
    assert.throws(
      () => parseContainerName(bad),
      (e) => isEngineError(e, "invalid") && e.message.startsWith("Invalid container name"),
    );
  }
});
