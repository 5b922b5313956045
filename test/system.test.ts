/** The system endpoints through the real docker CLI and dockerode. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startDaemon, stopClean, type TestDaemon } from "./harness/daemon.js";

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
});
after(async () => {
  await stopClean(d);
});

test("docker version talks to berthd", async () => {
  const r = await d.docker(["version", "--format", "{{.Server.Version}} {{.Server.APIVersion}}"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+ 1\.4\d$/);
});

test("docker info reports the data root", async () => {
  const r = await d.docker(["info", "--format", "{{.DockerRootDir}} {{.OSType}}"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), `${d.dataRoot} linux`);
});

test("_ping headers and unknown endpoints", async () => {
  const res = await fetchUnix(d.socket, "/_ping");
  assert.equal(res.status, 200);
  assert.equal(res.body, "OK");
  assert.equal(res.headers["api-version"], "1.47");
  assert.equal(res.headers["builder-version"], "1");
  assert.equal(res.headers["ostype"], "linux");
  const missing = await fetchUnix(d.socket, "/v1.47/nope");
  assert.equal(missing.status, 404);
  assert.deepEqual(JSON.parse(missing.body), { message: "page not found" });
  const tooNew = await fetchUnix(d.socket, "/v9.99/version");
  assert.equal(tooNew.status, 400);
  const old = await fetchUnix(d.socket, "/v1.24/version");
  assert.equal(old.status, 200);
});

test("a second daemon on the same data root refuses to start", async () => {
  await assert.rejects(startDaemon({ dataRoot: d.dataRoot }), /already using the data root/);
});

test("events stream with since and until", async () => {
  const v = await d.dockerode.version();
  assert.ok(v.ApiVersion);
  const now = Math.floor(Date.now() / 1000);
  const r = await d.docker(["events", "--since", String(now - 5), "--until", String(now + 1)]);
  assert.equal(r.code, 0, r.stderr);
});

async function fetchUnix(socket: string, path: string) {
  const http = await import("node:http");
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = http.request({ socketPath: socket, path }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      });
      req.on("error", reject);
      req.end();
    },
  );
}

test("swarm endpoints answer like a node outside a swarm", async () => {
  const r = await d.docker(["service", "ls"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /This node is not a swarm manager/);
  const init = await d.docker(["swarm", "init"]);
  assert.equal(init.code, 1);
  assert.match(init.stderr, /Swarm mode is not supported by Berth/);
  const plugins = await d.docker(["plugin", "ls", "--format", "{{.Name}}"]);
  assert.equal(plugins.code, 0, plugins.stderr);
  assert.equal(plugins.stdout, "");
});

test("docker inspect of an unknown name walks every type, then says No such object", async () => {
  const r = await d.docker(["inspect", "nothing-here"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /No such object: nothing-here/);
});
