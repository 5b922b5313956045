import { test } from "node:test";
import assert from "node:assert/strict";
import { RuncError, runtimeMessageOf } from "./runc.js";

test("runtime message: logrus text, JSON lines, plain text", () => {
  assert.equal(
    runtimeMessageOf('time="2024-01-01T00:00:00Z" level=error msg="container \\"x\\" does not exist"\n'),
    'container "x" does not exist',
  );
  assert.equal(runtimeMessageOf('{"level":"error","msg":"boom","time":"t"}\n'), "boom");
  assert.equal(runtimeMessageOf("plain failure\n\n"), "plain failure");
});

test("not-exist detection", () => {
  assert.equal(new RuncError(["runc", "state", "x"], 1, 'msg="container does not exist"').notExist, true);
  assert.equal(new RuncError(["runc", "kill", "x"], 1, 'msg="container not running"').notExist, false);
});
