import { test } from "node:test";
import assert from "node:assert/strict";
import { escapeArgv, unescapeArgv } from "./argv.js";

test("--env-file survives the trip past node's own option parser", () => {
  const argv = ["run", "--env-file", "f", "--env-file=g", "busybox", "echo", "--env-filex"];
  const escaped = escapeArgv(argv);
  assert.ok(!escaped.some((a) => a.startsWith("--env-file") && a !== "--env-filex"));
  assert.deepEqual(unescapeArgv(escaped), argv);
});
