import { test } from "node:test";
import assert from "node:assert/strict";
import type { Digest } from "../engine/ids.js";
import { authHeader, toMessages } from "./distribution.js";

test("events become Docker's JSON messages", () => {
  assert.deepEqual(toMessages({ kind: "pulling", tagOrDigest: "latest", repo: "library/busybox" }), [
    { status: "Pulling from library/busybox", id: "latest" },
  ]);
  assert.deepEqual(toMessages({ kind: "layer", id: "abc123def456", status: "Pulling fs layer" }), [
    { status: "Pulling fs layer", progressDetail: {}, id: "abc123def456" },
  ]);
  const [dl] = toMessages({ kind: "layer", id: "abc", status: "Downloading", current: 50, total: 100 });
  assert.deepEqual(dl?.progressDetail, { current: 50, total: 100 });
  assert.match(dl?.progress ?? "", /^\[={25}> {25}\] {6}50B\/100B$/);
  assert.deepEqual(
    toMessages({ kind: "layer", id: "abc", status: "Mounted from", from: "library/busybox" }),
    [{ status: "Mounted from library/busybox", progressDetail: {}, id: "abc" }],
  );
  assert.deepEqual(toMessages({ kind: "pulled", ref: "busybox:latest", newer: false }), [
    { status: "Status: Image is up to date for busybox:latest" },
  ]);
  const digest = `sha256:${"a".repeat(64)}` as Digest;
  assert.deepEqual(toMessages({ kind: "pushed", tag: "latest", digest, size: 527 }), [
    { status: `latest: digest: ${digest} size: 527` },
    { progressDetail: {}, aux: { Tag: "latest", Digest: digest, Size: 527 } },
  ]);
});

test("progress is throttled per layer, but the last update always goes out", () => {
  const last = new Map<string, number>();
  assert.equal(
    toMessages({ kind: "layer", id: "a", status: "Downloading", current: 1, total: 9 }, last).length,
    1,
  );
  assert.equal(
    toMessages({ kind: "layer", id: "a", status: "Downloading", current: 2, total: 9 }, last).length,
    0,
  );
  assert.equal(
    toMessages({ kind: "layer", id: "b", status: "Downloading", current: 2, total: 9 }, last).length,
    1,
  );
  assert.equal(
    toMessages({ kind: "layer", id: "a", status: "Downloading", current: 9, total: 9 }, last).length,
    1,
  );
});

test("X-Registry-Auth: base64url JSON; garbage counts as no credentials", () => {
  const enc = Buffer.from(
    JSON.stringify({ username: "u", password: "p?>", serveraddress: "localhost:5000" }),
  ).toString("base64url");
  assert.deepEqual(authHeader({ "x-registry-auth": enc }), {
    username: "u",
    password: "p?>",
    serverAddress: "localhost:5000",
  });
  const viaAuth = Buffer.from(JSON.stringify({ auth: Buffer.from("a:b:c").toString("base64") })).toString(
    "base64",
  );
  assert.deepEqual(authHeader({ "x-registry-auth": viaAuth }), { username: "a", password: "b:c" });
  assert.equal(authHeader({ "x-registry-auth": "!!!" }), undefined);
  assert.equal(authHeader({ "x-registry-auth": Buffer.from("{}").toString("base64") }), undefined);
  assert.equal(authHeader({}), undefined);
});
