/**
 * --internal networks: containers on them reach each other (by name too) but
 * have no route out. Traffic stays on the bridge this test made.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { freeTestSubnet, startDaemon, stopClean, type TestDaemon } from "./harness/daemon.js";

let d: TestDaemon;

async function ok(args: string[]): Promise<string> {
  const r = await d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  d = await startDaemon({ busybox: true });
});

after(async () => {
  await d.docker(["rm", "-f", "in1", "in2"]);
  await d.docker(["network", "rm", "inside"]);
  await stopClean(d);
});

test("an internal network has no route out, and its containers still find each other", async () => {
  const subnet = freeTestSubnet().replace(/\.1\/24$/, ".0/24");
  await ok(["network", "create", "--internal", "--subnet", subnet, "inside"]);
  assert.equal((await ok(["network", "inspect", "-f", "{{.Internal}}", "inside"])).trim(), "true");
  await ok(["run", "-d", "--name", "in1", "--network", "inside", "busybox", "sleep", "300"]);
  await ok(["run", "-d", "--name", "in2", "--network", "inside", "busybox", "sleep", "300"]);
  const routes = await ok(["exec", "in1", "ip", "route"]);
  assert.doesNotMatch(routes, /^default/m, routes);
  assert.ok(routes.includes(subnet), routes);
  const ping = await d.docker(["exec", "in2", "ping", "-c2", "-W2", "in1"]);
  assert.equal(ping.code, 0, ping.stdout + ping.stderr);
});
