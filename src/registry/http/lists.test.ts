import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ociIndexType, ociManifestType, pushImage, testRegistry, type TestRegistry } from "../testkit.js";
import { paginate } from "./lists.js";

let reg: TestRegistry;
before(async () => {
  reg = await testRegistry();
});
after(async () => {
  await reg.dispose();
});

test("paginate takes n items after last", () => {
  const all = ["a", "b", "c", "d"];
  assert.deepEqual(paginate(all, undefined, undefined), { items: all });
  assert.deepEqual(paginate(all, 2, undefined), { items: ["a", "b"], next: { n: 2, last: "b" } });
  assert.deepEqual(paginate(all, 2, "b"), { items: ["c", "d"] });
  assert.deepEqual(paginate(all, 10, "bb"), { items: ["c", "d"] });
  assert.deepEqual(paginate(all, 0, undefined), { items: [] });
});

test("tags are listed in order and paginated with a Link header", async () => {
  const img = await pushImage(reg.url, "tagged", "v3", "t");
  for (const tag of ["v1", "v2", "latest"]) {
    const r = await fetch(`${reg.url}/v2/tagged/manifests/${tag}`, {
      method: "PUT",
      headers: { "Content-Type": ociManifestType },
      body: img.body,
    });
    assert.equal(r.status, 201);
  }
  const all = await fetch(`${reg.url}/v2/tagged/tags/list`);
  assert.deepEqual(await all.json(), { name: "tagged", tags: ["latest", "v1", "v2", "v3"] });
  assert.equal(all.headers.get("link"), null);
  const p1 = await fetch(`${reg.url}/v2/tagged/tags/list?n=2`);
  assert.deepEqual(await p1.json(), { name: "tagged", tags: ["latest", "v1"] });
  const link = p1.headers.get("link");
  assert.equal(link, '</v2/tagged/tags/list?n=2&last=v1>; rel="next"');
  const p2 = await fetch(`${reg.url}${/<([^>]+)>/.exec(link)![1]}`);
  assert.deepEqual(await p2.json(), { name: "tagged", tags: ["v2", "v3"] });
  assert.equal(p2.headers.get("link"), null);
  const bad = await fetch(`${reg.url}/v2/tagged/tags/list?n=x`);
  assert.equal(bad.status, 400);
  const unknown = await fetch(`${reg.url}/v2/untagged/tags/list`);
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { errors: { code: string }[] }).errors[0]?.code, "NAME_UNKNOWN");
});

test("the catalog lists repositories, nested names included, with pagination", async () => {
  await pushImage(reg.url, "cat/one", "v1", "c1");
  await pushImage(reg.url, "cat/one/deeper", "v1", "c2");
  await pushImage(reg.url, "cat/two", "v1", "c3");
  const res = await fetch(`${reg.url}/v2/_catalog`);
  const { repositories } = (await res.json()) as { repositories: string[] };
  assert.deepEqual(
    repositories.filter((r) => r.startsWith("cat/")),
    ["cat/one", "cat/one/deeper", "cat/two"],
  );
  const p1 = await fetch(`${reg.url}/v2/_catalog?n=1&last=cat/one`);
  assert.deepEqual(await p1.json(), { repositories: ["cat/one/deeper"] });
  assert.equal(p1.headers.get("link"), '</v2/_catalog?n=1&last=cat%2Fone%2Fdeeper>; rel="next"');
});

test("manifests with a subject are listed by the referrers API", async () => {
  const subject = await pushImage(reg.url, "refs", "v1", "s");
  const desc = { mediaType: ociManifestType, digest: subject.digest, size: subject.body.length };
  const sig = await pushImage(reg.url, "refs", "sig", "sig", {
    artifactType: "application/vnd.example.signature",
    subject: desc,
    annotations: { "org.example.kind": "sig" },
  });
  const sbom = await pushImage(reg.url, "refs", "sbom", "sbom", { subject: desc });
  // The push answer names the subject.
  const again = await fetch(`${reg.url}/v2/refs/manifests/${sig.digest}`, {
    method: "PUT",
    headers: { "Content-Type": ociManifestType },
    body: sig.body,
  });
  assert.equal(again.headers.get("oci-subject"), subject.digest);

  const res = await fetch(`${reg.url}/v2/refs/referrers/${subject.digest}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), ociIndexType);
  const index = (await res.json()) as {
    schemaVersion: number;
    mediaType: string;
    manifests: Record<string, unknown>[];
  };
  assert.equal(index.schemaVersion, 2);
  assert.equal(index.mediaType, ociIndexType);
  const byDigest = new Map(index.manifests.map((m) => [m.digest, m]));
  assert.deepEqual(byDigest.get(sig.digest), {
    mediaType: ociManifestType,
    digest: sig.digest,
    size: sig.body.length,
    artifactType: "application/vnd.example.signature",
    annotations: { "org.example.kind": "sig" },
  });
  // Without artifactType, the config's media type stands in.
  assert.equal(byDigest.get(sbom.digest)?.artifactType, "application/vnd.oci.image.config.v1+json");
  assert.equal(index.manifests.length, 2);

  const filtered = await fetch(
    `${reg.url}/v2/refs/referrers/${subject.digest}?artifactType=application/vnd.example.signature`,
  );
  assert.equal(filtered.headers.get("oci-filters-applied"), "artifactType");
  const f = (await filtered.json()) as { manifests: { digest: string }[] };
  assert.deepEqual(
    f.manifests.map((m) => m.digest),
    [sig.digest],
  );

  // Deleting a referrer takes it out of the index.
  await fetch(`${reg.url}/v2/refs/manifests/${sig.digest}`, { method: "DELETE" });
  const after = (await (await fetch(`${reg.url}/v2/refs/referrers/${subject.digest}`)).json()) as {
    manifests: unknown[];
  };
  assert.equal(after.manifests.length, 1);

  const none = await fetch(`${reg.url}/v2/refs/referrers/${sbom.digest}`);
  assert.deepEqual(((await none.json()) as { manifests: unknown[] }).manifests, []);
  const badDigest = await fetch(`${reg.url}/v2/refs/referrers/sha256:zz`);
  assert.equal(badDigest.status, 400);
});
