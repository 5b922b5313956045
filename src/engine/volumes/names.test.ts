import { test } from "node:test";
import assert from "node:assert/strict";
import { isEngineError } from "../errors.js";
import { newAnonymousName, validateVolumeName } from "./names.js";

test("Docker's volume name rule", () => {
  for (const ok of ["ab", "a1", "my-vol", "my_vol.1", "0x", "A.b-c_d"]) validateVolumeName(ok);
  const bad = ["", "-ab", ".ab", "_ab", "a/b", "a b", "b@d", "../x", "a:b", "ünï"];
  for (const name of bad) {
    assert.throws(
      () => validateVolumeName(name),
      (e) => isEngineError(e, "invalid") && e.message.includes("includes invalid characters"),
      name,
    );
  }
  assert.throws(
    () => validateVolumeName("a"),
    /volume name is too short, names should be at least two alphanumeric characters/,
  );
  assert.throws(() => validateVolumeName("b@d"), {
    message:
      '"b@d" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path',
  });
});

test("anonymous names are 64 hex and valid names", () => {
  const a = newAnonymousName();
  assert.match(a, /^[a-f0-9]{64}$/);
  assert.notEqual(a, newAnonymousName());
  validateVolumeName(a);
});
