import assert from "node:assert/strict";
import { test } from "node:test";
import { runcMessage, runtimeFailure } from "./failures.js";

test("runc's logrus line becomes its message; create failures read as dockerd's", () => {
  const logrus =
    'time="2026-11-28T10:15:03Z" level=error msg="runc create failed: unable to start container process: exec: \\"nope\\": executable file not found in $PATH"';
  assert.equal(
    runcMessage(logrus),
    'runc create failed: unable to start container process: exec: "nope": executable file not found in $PATH',
  );
  assert.equal(runcMessage("plain text\n"), "plain text");
  const err = runtimeFailure("create", logrus);
  assert.equal(err.kind, "invalid");
  assert.equal(
    err.message,
    'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown',
  );
  assert.equal(runtimeFailure("exec", "boom").message, "OCI runtime exec failed: boom: unknown");
  assert.equal(runtimeFailure("start", "boom").kind, "internal");
});
