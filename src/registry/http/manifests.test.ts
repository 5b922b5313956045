import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  imageManifest,
  ociIndexType,
  ociManifestType,
  pushBlob,
  pushImage,
  sha256,
  testRegistry,
  type TestRegistry,
} from "../testkit.js";

let reg: TestRegistry;
before(async () => {
  reg = await testRegistry();
});
after(async () => {
  await reg.dispose();
});

type ErrorBody = { errors: { code: string; message: string; detail?: unknown }[] };

test("an unknown manifest is 404 MANIFEST_UNKNOWN, an unknown repository NAME_UNKNOWN", async () => {
  await pushImage(reg.url, "known", "v1", "a");
  const res = await fetch(`${reg.url}/v2/known/manifests/nope`);
  assert.equal(res.status, 404);
  const body = (await res.json()) as ErrorBody;
  assert.equal(body.errors[0]?.code, "MANIFEST_UNKNOWN");
  assert.equal(body.errors[0]?.message, "manifest unknown");
  const unknownRepo = await fetch(`${reg.url}/v2/no/such/repo/manifests/latest`);
  assert.equal(unknownRepo.status, 404);
  assert.equal(((await unknownRepo.json()) as ErrorBody).errors[0]?.code, "NAME_UNKNOWN");
});

test("a manifest is served by tag and by digest with its media type", async () => {
  const img = await pushImage(reg.url, "app", "v1", "b");
  for (const ref of ["v1", img.digest]) {
    const res = await fetch(`${reg.url}/v2/app/manifests/${ref}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), ociManifestType);
    assert.equal(res.headers.get("docker-content-digest"), img.digest);
    assert.equal(await res.text(), img.body);
    const head = await fetch(`${reg.url}/v2/app/manifests/${ref}`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(img.body.length));
    assert.equal(head.headers.get("docker-content-digest"), img.digest);
  }
});

test("Docker schema 2 manifests and lists keep their media types", async () => {
  const cfg = await pushBlob(reg.url, "docker", "{}");
  const layer = await pushBlob(reg.url, "docker", "layer");
  const m = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: cfg, size: 2 },
    layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", digest: layer, size: 5 }],
  });
  const put = await fetch(`${reg.url}/v2/docker/manifests/amd64`, {
    method: "PUT",
    headers: { "Content-Type": "application/vnd.docker.distribution.manifest.v2+json" },
    body: m,
  });
  assert.equal(put.status, 201);
  assert.equal(put.headers.get("location"), `/v2/docker/manifests/${sha256(m)}`);
  const list = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.list.v2+json",
    manifests: [
      {
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        digest: sha256(m),
        size: m.length,
        platform: { architecture: "amd64", os: "linux" },
      },
    ],
  });
  const putList = await fetch(`${reg.url}/v2/docker/manifests/latest`, {
    method: "PUT",
    headers: { "Content-Type": "application/vnd.docker.distribution.manifest.list.v2+json" },
    body: list,
  });
  assert.equal(putList.status, 201);
  const got = await fetch(`${reg.url}/v2/docker/manifests/latest`);
  assert.equal(got.headers.get("content-type"), "application/vnd.docker.distribution.manifest.list.v2+json");
  const gotM = await fetch(`${reg.url}/v2/docker/manifests/amd64`);
  assert.equal(gotM.headers.get("content-type"), "application/vnd.docker.distribution.manifest.v2+json");
});

test("an OCI index naming a missing manifest is MANIFEST_BLOB_UNKNOWN", async () => {
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: ociIndexType,
    manifests: [{ mediaType: ociManifestType, digest: sha256("absent"), size: 6 }],
  });
  const res = await fetch(`${reg.url}/v2/idx/manifests/latest`, {
    method: "PUT",
    headers: { "Content-Type": ociIndexType },
    body: index,
  });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as ErrorBody).errors[0]?.code, "MANIFEST_BLOB_UNKNOWN");
});

test("a manifest naming a missing blob is MANIFEST_BLOB_UNKNOWN and is not stored", async () => {
  const cfg = await pushBlob(reg.url, "missing", "{}");
  const body = imageManifest({ digest: cfg, size: 2 }, [{ digest: sha256("not pushed"), size: 10 }]);
  const res = await fetch(`${reg.url}/v2/missing/manifests/v1`, {
    method: "PUT",
    headers: { "Content-Type": ociManifestType },
    body,
  });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as ErrorBody).errors[0]?.code, "MANIFEST_BLOB_UNKNOWN");
  assert.equal((await fetch(`${reg.url}/v2/missing/manifests/v1`)).status, 404);
  // A blob in another repository does not count either.
  const elsewhere = await pushBlob(reg.url, "other", "elsewhere");
  const body2 = imageManifest({ digest: cfg, size: 2 }, [{ digest: elsewhere, size: 9 }]);
  const res2 = await fetch(`${reg.url}/v2/missing/manifests/v1`, {
    method: "PUT",
    headers: { "Content-Type": ociManifestType },
    body: body2,
  });
  assert.equal(res2.status, 400);
});

test("a digest in the URL must match the body", async () => {
  const img = await pushImage(reg.url, "dig", "v1", "c");
  const res = await fetch(`${reg.url}/v2/dig/manifests/${sha256("other")}`, {
    method: "PUT",
    headers: { "Content-Type": ociManifestType },
    body: img.body,
  });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as ErrorBody).errors[0]?.code, "DIGEST_INVALID");
  const ok = await fetch(`${reg.url}/v2/dig/manifests/${img.digest}`, {
    method: "PUT",
    headers: { "Content-Type": ociManifestType },
    body: img.body,
  });
  assert.equal(ok.status, 201);
});

test("invalid manifests are MANIFEST_INVALID; oversized ones 413", async () => {
  const cases: [string, string][] = [
    ["not json", ociManifestType],
    [JSON.stringify({ schemaVersion: 2, mediaType: ociIndexType, manifests: [] }), ociManifestType],
    [JSON.stringify({ schemaVersion: 1 }), "application/vnd.docker.distribution.manifest.v1+json"],
    [JSON.stringify({ schemaVersion: 2, mediaType: ociManifestType, layers: [] }), ociManifestType],
  ];
  for (const [body, ct] of cases) {
    const res = await fetch(`${reg.url}/v2/bad/manifests/v1`, {
      method: "PUT",
      headers: { "Content-Type": ct },
      body,
    });
    assert.equal(res.status, 400, body);
    assert.equal(((await res.json()) as ErrorBody).errors[0]?.code, "MANIFEST_INVALID");
  }
  const big = await fetch(`${reg.url}/v2/bad/manifests/v1`, {
    method: "PUT",
    headers: { "Content-Type": ociManifestType },
    body: Buffer.alloc(4 * 1024 * 1024 + 1, 32),
  });
  assert.equal(big.status, 413);
});

test("DELETE by tag removes the tag; by digest the manifest and its tags", async () => {
  const img = await pushImage(reg.url, "gone", "v1", "d");
  await fetch(`${reg.url}/v2/gone/manifests/v2`, {
    method: "PUT",
    headers: { "Content-Type": ociManifestType },
    body: img.body,
  });
  assert.equal((await fetch(`${reg.url}/v2/gone/manifests/v2`, { method: "DELETE" })).status, 202);
  assert.equal((await fetch(`${reg.url}/v2/gone/manifests/v2`)).status, 404);
  assert.equal((await fetch(`${reg.url}/v2/gone/manifests/v1`)).status, 200);
  assert.equal((await fetch(`${reg.url}/v2/gone/manifests/${img.digest}`, { method: "DELETE" })).status, 202);
  assert.equal((await fetch(`${reg.url}/v2/gone/manifests/v1`)).status, 404);
  assert.equal((await fetch(`${reg.url}/v2/gone/manifests/${img.digest}`)).status, 404);
  assert.equal((await fetch(`${reg.url}/v2/gone/manifests/${img.digest}`, { method: "DELETE" })).status, 404);
});
