import assert from "node:assert/strict";
import { test } from "node:test";
import { RegistryError } from "./errors.js";
import { mediaTypes, parseManifest } from "./manifests.js";

const d = (c: string) => `sha256:${c.repeat(64)}`;
const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));
const invalid = (e: unknown) => e instanceof RegistryError && e.code === "MANIFEST_INVALID";

test("an image manifest names its config and layers", () => {
  const m = parseManifest(
    bytes({
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: d("a"), size: 2 },
      layers: [{ mediaType: "l", digest: d("b"), size: 3, urls: ["https://example.invalid/x"] }],
      subject: { mediaType: mediaTypes.ociManifest, digest: d("c"), size: 4 },
    }),
    undefined,
  );
  assert.equal(m.mediaType, mediaTypes.ociManifest);
  assert.deepEqual(
    m.blobs.map((b) => b.digest),
    [d("a"), d("b")],
  );
  assert.deepEqual(m.blobs[1]?.urls, ["https://example.invalid/x"]);
  assert.equal(m.subject?.digest, d("c"));
  assert.equal(m.artifactType, "application/vnd.oci.image.config.v1+json");
});

test("an index names its manifests; the media type comes from Content-Type when absent", () => {
  const m = parseManifest(
    bytes({ schemaVersion: 2, manifests: [{ mediaType: mediaTypes.ociManifest, digest: d("e"), size: 1 }] }),
    `${mediaTypes.ociIndex}; charset=utf-8`,
  );
  assert.equal(m.mediaType, mediaTypes.ociIndex);
  assert.equal(m.manifests[0]?.digest, d("e"));
});

test("bad manifests are MANIFEST_INVALID", () => {
  assert.throws(() => parseManifest(Buffer.from("{"), undefined), invalid);
  assert.throws(() => parseManifest(bytes([]), undefined), invalid);
  assert.throws(
    () =>
      parseManifest(
        bytes({ schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [] }),
        mediaTypes.ociManifest,
      ),
    invalid,
  );
  assert.throws(
    () => parseManifest(bytes({ schemaVersion: 2, mediaType: "text/plain" }), undefined),
    invalid,
  );
  assert.throws(
    () =>
      parseManifest(
        bytes({ schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [{ digest: d("a"), size: 1 }] }),
        undefined,
      ),
    invalid,
  );
  assert.throws(
    () =>
      parseManifest(
        bytes({
          schemaVersion: 2,
          mediaType: mediaTypes.dockerManifest,
          config: { mediaType: "c", digest: "sha256:1", size: 1 },
          layers: [],
        }),
        undefined,
      ),
    invalid,
  );
});
