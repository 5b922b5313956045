import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { conflict, notFound } from "../engine/errors.js";
import type { CreateOptions, ListOptions, PruneOptions, Volume } from "../engine/volumes/index.js";
import { createApiServer } from "./server.js";
import { rfc3339Local, toVolumeWire, volumeRoutes, type VolumesBackend } from "./volumes.js";

const vol = (name: string, extra: Partial<Volume> = {}): Volume => ({
  name,
  driver: "local",
  labels: {},
  options: {},
  createdNano: 1_700_000_000_000_000_000n,
  anonymous: false,
  mountpoint: `/var/lib/berth/volumes/${name}/_data`,
  ...extra,
});

const calls: unknown[] = [];
const backend: VolumesBackend = {
  async create(o: CreateOptions) {
    calls.push(["create", o]);
    return vol(o.name || "f".repeat(64), { labels: o.labels ?? {}, options: o.options ?? {} });
  },
  get(name) {
    if (name !== "data") throw notFound(`get ${name}: no such volume`);
    return vol("data");
  },
  list(o: ListOptions) {
    calls.push(["list", o]);
    return [vol("data")];
  },
  async remove(name, o) {
    calls.push(["remove", name, o]);
    if (name === "busy") throw conflict("remove busy: volume is in use - [c1]");
  },
  async prune(o: PruneOptions) {
    calls.push(["prune", o]);
    return { deleted: ["a1"], spaceReclaimed: 42 };
  },
};

let server: Server;
const socket = join(tmpdir(), `berth-volumes-api-${process.pid}.sock`);
before(async () => {
  server = createApiServer([volumeRoutes(backend)], "test");
  await new Promise<void>((r) => server.listen(socket, r));
});
after(() => new Promise<void>((r) => server.close(() => r())));

function call(method: string, path: string, body?: unknown) {
  return new Promise<{ status: number; json: unknown }>((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      { socketPath: socket, method, path, headers: text ? { "Content-Type": "application/json" } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const s = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, json: s ? JSON.parse(s) : undefined });
        });
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

test("wire shape: null for empty labels and options, RFC 3339 seconds", () => {
  const w = toVolumeWire(vol("x"));
  assert.deepEqual(Object.keys(w), [
    "CreatedAt",
    "Driver",
    "Labels",
    "Mountpoint",
    "Name",
    "Options",
    "Scope",
  ]);
  assert.equal(w.Labels, null);
  assert.equal(w.Options, null);
  assert.equal(w.Scope, "local");
  assert.match(w.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
  assert.deepEqual(toVolumeWire(vol("x"), { size: 5, refCount: 1 }).UsageData, { Size: 5, RefCount: 1 });
  if (new Date().getTimezoneOffset() === 0)
    assert.equal(rfc3339Local(1_700_000_000_000_000_000n), "2023-11-14T22:13:20Z");
});

test("create: 201 with the volume; body fields passed through; bad bodies 400", async () => {
  const r = await call("POST", "/v1.47/volumes/create", {
    Name: "data",
    Labels: { a: "b" },
    DriverOpts: null,
  });
  assert.equal(r.status, 201);
  assert.equal((r.json as { Name: string }).Name, "data");
  assert.deepEqual((r.json as { Labels: unknown }).Labels, { a: "b" });
  assert.deepEqual(calls.at(-1), [
    "create",
    { name: "data", driver: undefined, labels: { a: "b" }, options: undefined },
  ]);
  const anon = await call("POST", "/volumes/create");
  assert.equal(anon.status, 201);
  assert.equal((anon.json as { Name: string }).Name.length, 64);
  assert.equal((await call("POST", "/volumes/create", { Labels: { a: 1 } })).status, 400);
  assert.equal((await call("POST", "/volumes/create", [])).status, 400);
  const cluster = await call("POST", "/volumes/create", { Name: "c", ClusterVolumeSpec: {} });
  assert.equal(cluster.status, 503);
});

test("list: filters parsed, unknown filters refused", async () => {
  const filters = encodeURIComponent(JSON.stringify({ dangling: ["true"], name: ["da"], label: ["a=b"] }));
  const r = await call("GET", `/volumes?filters=${filters}`);
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.json as object), ["Volumes", "Warnings"]);
  assert.deepEqual(calls.at(-1), [
    "list",
    { names: ["da"], drivers: undefined, labels: ["a=b"], dangling: true },
  ]);
  const bad = await call("GET", `/volumes?filters=${encodeURIComponent('{"foo":["x"]}')}`);
  assert.deepEqual(bad, { status: 400, json: { message: "invalid filter 'foo'" } });
  const badBool = await call("GET", `/volumes?filters=${encodeURIComponent('{"dangling":["maybe"]}')}`);
  assert.deepEqual(badBool, { status: 400, json: { message: "invalid filter 'dangling=maybe'" } });
});

test("inspect, remove and their errors", async () => {
  assert.equal((await call("GET", "/volumes/data")).status, 200);
  assert.deepEqual(await call("GET", "/volumes/nope"), {
    status: 404,
    json: { message: "get nope: no such volume" },
  });
  assert.equal((await call("DELETE", "/volumes/data?force=1")).status, 204);
  assert.deepEqual(calls.at(-1), ["remove", "data", { force: true }]);
  assert.deepEqual(await call("DELETE", "/volumes/busy"), {
    status: 409,
    json: { message: "remove busy: volume is in use - [c1]" },
  });
  assert.equal((await call("PUT", "/volumes/data?version=1", {})).status, 503);
});

test("prune: anonymous only from API 1.42, all before; report shape", async () => {
  const r = await call("POST", "/v1.47/volumes/prune");
  assert.deepEqual(r, { status: 200, json: { VolumesDeleted: ["a1"], SpaceReclaimed: 42 } });
  assert.deepEqual(calls.at(-1), ["prune", { all: false, labels: undefined, notLabels: undefined }]);
  const all = encodeURIComponent(JSON.stringify({ all: ["true"], "label!": ["keep"] }));
  await call("POST", `/v1.47/volumes/prune?filters=${all}`);
  assert.deepEqual(calls.at(-1), ["prune", { all: true, labels: undefined, notLabels: ["keep"] }]);
  await call("POST", "/v1.41/volumes/prune");
  assert.deepEqual(calls.at(-1), ["prune", { all: true, labels: undefined, notLabels: undefined }]);
  const bad = await call("POST", `/volumes/prune?filters=${encodeURIComponent('{"dangling":["true"]}')}`);
  assert.equal(bad.status, 400);
});
