import assert from "node:assert/strict";
import { test } from "node:test";
import { isEngineError } from "../errors.js";
import { mergeCommand, resolveConfig } from "./config.js";
import { containerSpec } from "./testdata.js";

const image = { Entrypoint: ["/entry"], Cmd: ["default"], Env: ["PATH=/bin", "A=1"], Labels: { a: "1" } };

test("Entrypoint and Cmd merge like dockerd", () => {
  assert.deepEqual(mergeCommand({}, image), { entrypoint: ["/entry"], cmd: ["default"] });
  assert.deepEqual(mergeCommand({ cmd: ["x"] }, image), { entrypoint: ["/entry"], cmd: ["x"] });
  assert.deepEqual(mergeCommand({ entrypoint: ["/e2"] }, image), { entrypoint: ["/e2"], cmd: null });
  assert.deepEqual(mergeCommand({ entrypoint: [] }, image), { entrypoint: null, cmd: ["default"] });
  assert.deepEqual(mergeCommand({ entrypoint: [], cmd: ["sh"] }, image), { entrypoint: null, cmd: ["sh"] });
});

test("resolved config: env, labels, path/args, stop signal", () => {
  const c = resolveConfig(
    containerSpec({ cmd: ["a", "b"], env: ["A=2"], labels: { b: "2" } }),
    image,
    "host1",
  );
  assert.equal(c.path, "/entry");
  assert.deepEqual(c.args, ["a", "b"]);
  assert.deepEqual(c.env, ["PATH=/bin", "A=2"]);
  assert.deepEqual(c.labels, { a: "1", b: "2" });
  assert.equal(c.stopSignal, "SIGTERM");
  assert.equal(c.hostname, "host1");
  assert.throws(
    () => resolveConfig(containerSpec(), {}, "h"),
    (e) => isEngineError(e, "invalid") && e.message === "No command specified",
  );
});
