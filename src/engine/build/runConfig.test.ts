import { test } from "node:test";
import assert from "node:assert/strict";
import { commandOf, effectiveArgv, exposedPortKeys, joinWorkdir, setEnv } from "./runConfig.js";

test("CMD/ENTRYPOINT combinations (the Dockerfile reference's table)", () => {
  const exec = (...args: string[]) => commandOf({ form: "exec", args }, undefined);
  const shell = (command: string) => commandOf({ form: "shell", command }, undefined);
  // No ENTRYPOINT
  assert.deepEqual(effectiveArgv({ Cmd: exec("c1", "c2") }), ["c1", "c2"]);
  assert.deepEqual(effectiveArgv({ Cmd: shell("c1 c2") }), ["/bin/sh", "-c", "c1 c2"]);
  // ENTRYPOINT exec form
  assert.deepEqual(effectiveArgv({ Entrypoint: exec("e1"), Cmd: null }), ["e1"]);
  assert.deepEqual(effectiveArgv({ Entrypoint: exec("e1"), Cmd: exec("c1") }), ["e1", "c1"]);
  assert.deepEqual(effectiveArgv({ Entrypoint: exec("e1"), Cmd: shell("c1") }), [
    "e1",
    "/bin/sh",
    "-c",
    "c1",
  ]);
  // ENTRYPOINT shell form: CMD is appended but sh -c ignores it
  assert.deepEqual(effectiveArgv({ Entrypoint: shell("e1"), Cmd: exec("c1") }), [
    "/bin/sh",
    "-c",
    "e1",
    "c1",
  ]);
  // SHELL changes the shell form
  assert.deepEqual(commandOf({ form: "shell", command: "x" }, ["/bin/bash", "-lc"]), [
    "/bin/bash",
    "-lc",
    "x",
  ]);
});

test("ENV replaces in place, EXPOSE normalises, WORKDIR continues", () => {
  assert.deepEqual(setEnv(["A=1", "B=2"], "A", "3"), ["A=3", "B=2"]);
  assert.deepEqual(setEnv(["A=1"], "C", "x y"), ["A=1", "C=x y"]);
  assert.deepEqual(exposedPortKeys(["80", "53/UDP", "8000-8001"]), [
    "80/tcp",
    "53/udp",
    "8000/tcp",
    "8001/tcp",
  ]);
  assert.throws(() => exposedPortKeys(["1.2.3.4:80"]), /Invalid containerPort/);
  assert.equal(joinWorkdir(undefined, "app"), "/app");
  assert.equal(joinWorkdir("/app", "sub/../x"), "/app/x");
  assert.equal(joinWorkdir("/app", "/abs"), "/abs");
});
