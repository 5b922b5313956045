/**
 * berth's usage errors read like docker 28's, word for word and with the same
 * exit codes: the docker CLI itself is the reference (no daemon needed).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { run } from "./harness/daemon.js";
import { fileURLToPath } from "node:url";
import { escapeArgv } from "../src/cli/argv.js";

const cliEntry = fileURLToPath(new URL("../src/cli/entry.js", import.meta.url));
const nowhere = {
  DOCKER_HOST: "unix:///nonexistent/docker.sock",
  BERTH_HOST: "unix:///nonexistent/berth.sock",
};

const cases = [
  ["images", "--bad"],
  ["rmi"],
  ["foo"],
  ["image", "foo"],
  ["--bad"],
  ["tag", "x"],
  ["version", "extra"],
  ["port"],
  ["exec", "x"],
  ["image", "inspect"],
  ["network", "connect", "a"],
  ["container", "ls", "--nope"],
  ["ps", "--nope"],
  ["container", "stop"],
  ["logs"],
  ["run"],
  ["run", "-z", "busybox"],
];

for (const args of cases) {
  test(`usage error: ${args.join(" ")}`, async () => {
    const docker = await run("docker", args, { env: nowhere });
    const berth = await run(process.execPath, [cliEntry, ...escapeArgv(args)], { env: nowhere });
    assert.equal(berth.code, docker.code);
    assert.equal(berth.stderr, docker.stderr.replace(/docker/g, "berth"));
    assert.equal(berth.stdout, docker.stdout.replace(/docker/g, "berth"));
  });
}
