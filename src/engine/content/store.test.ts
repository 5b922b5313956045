import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalContentStore } from "./store.js";
import { sha256Digest } from "../ids.js";

test("blobs are stored under their digest and verified", async () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-content-"));
  try {
    const store = await LocalContentStore.open(dir);
    const data = Buffer.from("hello");
    const info = await store.writeBuffer(data);
    assert.equal(info.digest, sha256Digest(data));
    assert.equal(info.size, 5);
    assert.ok(await store.has(info.digest));
    assert.deepEqual(await store.read(info.digest), data);
    await assert.rejects(store.writeBuffer(Buffer.from("x"), info.digest), /digest mismatch/);
    assert.deepEqual(readdirSync(join(dir, "ingest")), [], "a rejected ingest leaves nothing");
    await store.delete(info.digest);
    assert.equal(await store.has(info.digest), false);
    await assert.rejects(store.read(info.digest), (e: Error & { kind?: string }) => e.kind === "not-found");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("sweepIngests removes half-written files", async () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-content-"));
  try {
    const store = await LocalContentStore.open(dir);
    writeFileSync(join(dir, "ingest", "partial"), "half");
    assert.equal(await store.sweepIngests(), 1);
    assert.deepEqual(readdirSync(join(dir, "ingest")), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
