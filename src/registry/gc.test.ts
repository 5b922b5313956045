import assert from "node:assert/strict";
import { utimes } from "node:fs/promises";
import { after, before, test } from "node:test";
import { garbageCollect } from "./gc.js";
import type { BlobDigest } from "./names.js";
import { pushBlob, pushImage, testRegistry, type TestRegistry } from "./testkit.js";

let reg: TestRegistry;
before(async () => {
  reg = await testRegistry();
});
after(async () => {
  await reg.dispose();
});

async function age(digests: string[], hours: number): Promise<void> {
  const t = new Date(Date.now() - hours * 3600_000);
  for (const d of digests) await utimes(reg.registry.storage.blobs.path(d as BlobDigest), t, t);
}

const exists = async (d: string) => (await reg.registry.storage.blobs.stat(d as BlobDigest)) !== undefined;

test("GC removes only unreferenced blobs older than the grace period", async () => {
  const kept = await pushImage(reg.url, "gc/app", "v1", "kept");
  const dropped = await pushImage(reg.url, "gc/app", "v2", "dropped");
  const orphan = await pushBlob(reg.url, "gc/app", "orphan");
  const young = await pushBlob(reg.url, "gc/app", "young orphan");
  // Referenced from another repository only.
  const other = await pushImage(reg.url, "gc/other", "v1", "other");
  const del = await fetch(`${reg.url}/v2/gc/app/manifests/${dropped.digest}`, { method: "DELETE" });
  assert.equal(del.status, 202);

  const old = [kept, dropped, other].flatMap((i) => [i.digest, i.config, i.layer]).concat(orphan);
  await age(old, 2);

  const dry = await garbageCollect(reg.registry.storage, { graceMs: 3600_000, dryRun: true });
  assert.equal(dry.swept.length, 4);
  assert.ok(await exists(orphan), "a dry run removes nothing");

  const res = await garbageCollect(reg.registry.storage, { graceMs: 3600_000 });
  assert.deepEqual(new Set(res.swept), new Set([dropped.digest, dropped.config, dropped.layer, orphan]));
  assert.equal(res.young, 1);
  assert.equal(res.marked, 6);
  for (const d of [kept.digest, kept.config, kept.layer, other.digest, other.config, other.layer, young]) {
    assert.ok(await exists(d), d);
  }
  for (const d of res.swept) assert.equal(await exists(d), false, d);
  // The registry still serves what was kept, and no longer lists what went.
  assert.equal((await fetch(`${reg.url}/v2/gc/app/manifests/v1`)).status, 200);
  assert.equal((await fetch(`${reg.url}/v2/gc/app/blobs/${kept.layer}`)).status, 200);
  assert.equal((await fetch(`${reg.url}/v2/gc/app/blobs/${orphan}`, { method: "HEAD" })).status, 404);
  assert.equal(
    (await reg.registry.storage.repos.listBlobLinks("gc/app" as never)).includes(orphan as BlobDigest),
    false,
  );
});

test("a blob a client just checked (HEAD) is not swept", async () => {
  const d = await pushBlob(reg.url, "gc/app", "about to be used");
  await age([d], 2);
  assert.equal((await fetch(`${reg.url}/v2/gc/app/blobs/${d}`, { method: "HEAD" })).status, 200);
  const res = await garbageCollect(reg.registry.storage, { graceMs: 3600_000 });
  assert.equal(res.swept.includes(d as BlobDigest), false);
  assert.ok(await exists(d));
});

test("abandoned uploads are purged", async () => {
  const res = await fetch(`${reg.url}/v2/gc/app/blobs/uploads/`, { method: "POST" });
  const loc = res.headers.get("location")!;
  const gc1 = await garbageCollect(reg.registry.storage, { uploadMaxAgeMs: 3600_000 });
  assert.equal(gc1.uploadsRemoved, 0);
  assert.equal((await fetch(`${reg.url}${loc}`)).status, 204);
  const gc2 = await garbageCollect(reg.registry.storage, { uploadMaxAgeMs: -1 });
  assert.equal(gc2.uploadsRemoved, 1);
  assert.equal((await fetch(`${reg.url}${loc}`)).status, 404);
});
