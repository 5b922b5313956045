import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { pushBlob, sha256, testRegistry, type TestRegistry } from "../testkit.js";

let reg: TestRegistry;
before(async () => {
  reg = await testRegistry();
});
after(async () => {
  await reg.dispose();
});

test("Range reads answer 206 with Content-Range", async () => {
  const d = await pushBlob(reg.url, "ranged", "0123456789");
  const res = await fetch(`${reg.url}/v2/ranged/blobs/${d}`, { headers: { Range: "bytes=2-5" } });
  assert.equal(res.status, 206);
  assert.equal(res.headers.get("content-range"), "bytes 2-5/10");
  assert.equal(await res.text(), "2345");
  const tail = await fetch(`${reg.url}/v2/ranged/blobs/${d}`, { headers: { Range: "bytes=-3" } });
  assert.equal(await tail.text(), "789");
  const open = await fetch(`${reg.url}/v2/ranged/blobs/${d}`, { headers: { Range: "bytes=7-" } });
  assert.equal(await open.text(), "789");
  const bad = await fetch(`${reg.url}/v2/ranged/blobs/${d}`, { headers: { Range: "bytes=20-30" } });
  assert.equal(bad.status, 416);
  assert.equal(bad.headers.get("content-range"), "bytes */10");
});

test("an unknown blob is 404 BLOB_UNKNOWN in the spec's JSON", async () => {
  const d = sha256("never pushed");
  const res = await fetch(`${reg.url}/v2/ranged/blobs/${d}`);
  assert.equal(res.status, 404);
  const body = (await res.json()) as { errors: { code: string; message: string }[] };
  assert.equal(body.errors[0]?.code, "BLOB_UNKNOWN");
  assert.equal(body.errors[0]?.message, "blob unknown to registry");
});

test("a blob is visible only in repositories it was pushed or mounted to", async () => {
  const d = await pushBlob(reg.url, "src", "mount me");
  assert.equal((await fetch(`${reg.url}/v2/dst/blobs/${d}`, { method: "HEAD" })).status, 404);
  const m = await fetch(`${reg.url}/v2/dst/blobs/uploads/?mount=${d}&from=src`, { method: "POST" });
  assert.equal(m.status, 201);
  assert.equal(m.headers.get("location"), `/v2/dst/blobs/${d}`);
  assert.equal(m.headers.get("docker-content-digest"), d);
  assert.equal((await fetch(`${reg.url}/v2/dst/blobs/${d}`, { method: "HEAD" })).status, 200);
});

test("a mount of a blob the source lacks falls back to an upload (202)", async () => {
  const d = sha256("not there");
  const m = await fetch(`${reg.url}/v2/dst/blobs/uploads/?mount=${d}&from=src`, { method: "POST" });
  assert.equal(m.status, 202);
  assert.match(m.headers.get("location") ?? "", /^\/v2\/dst\/blobs\/uploads\//);
});

test("DELETE unlinks a blob from the repository", async () => {
  const d = await pushBlob(reg.url, "del", "delete me");
  await pushBlob(reg.url, "keep", "delete me");
  const res = await fetch(`${reg.url}/v2/del/blobs/${d}`, { method: "DELETE" });
  assert.equal(res.status, 202);
  assert.equal((await fetch(`${reg.url}/v2/del/blobs/${d}`, { method: "HEAD" })).status, 404);
  assert.equal((await fetch(`${reg.url}/v2/keep/blobs/${d}`, { method: "HEAD" })).status, 200);
  const again = await fetch(`${reg.url}/v2/del/blobs/${d}`, { method: "DELETE" });
  assert.equal(again.status, 404);
});

test("every request is logged once", async () => {
  const n = reg.logs.length;
  await fetch(`${reg.url}/v2/`);
  await new Promise((r) => setTimeout(r, 20));
  const line = reg.logs.slice(n).find((l) => l.includes('"GET /v2/ HTTP/1.1" 200 2'));
  assert.ok(line, reg.logs.slice(n).join("\n"));
  assert.match(line, /^127\.0\.0\.1 /);
});
