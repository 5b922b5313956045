import { test } from "node:test";
import assert from "node:assert/strict";
import type { Digest } from "../ids.js";
import {
  layerCompression,
  parseManifest,
  parsePlatform,
  schema2Manifest,
  selectPlatform,
} from "./manifest.js";
import type { Descriptor } from "./types.js";

const d = (n: number): Digest => `sha256:${String(n).repeat(64).slice(0, 64)}` as Digest;

function entry(n: number, architecture: string, variant?: string, os = "linux"): Descriptor {
  return {
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    digest: d(n),
    size: 1,
    platform: { architecture, os, ...(variant ? { variant } : {}) },
  };
}

test("platform selection follows Docker's matcher", () => {
  const list = [
    entry(1, "arm", "v6"),
    entry(2, "arm64", "v8"),
    entry(3, "amd64"),
    entry(4, "arm", "v7"),
    entry(5, "amd64", "", "windows"),
  ];
  assert.equal(selectPlatform(list, parsePlatform("linux/amd64"))?.digest, d(3));
  assert.equal(
    selectPlatform(list, parsePlatform("linux/arm64"))?.digest,
    d(2),
    "v8 is arm64's default variant",
  );
  assert.equal(selectPlatform(list, parsePlatform("linux/arm/v7"))?.digest, d(4));
  assert.equal(selectPlatform(list, parsePlatform("linux/arm/v6"))?.digest, d(1));
  assert.equal(
    selectPlatform([entry(1, "arm", "v6")], parsePlatform("linux/arm"))?.digest,
    d(1),
    "v7 runs v6",
  );
  assert.equal(
    selectPlatform([entry(1, "arm", "v7")], parsePlatform("linux/arm/v6")),
    undefined,
    "v6 cannot run v7",
  );
  assert.equal(selectPlatform(list, parsePlatform("linux/s390x")), undefined);
  assert.equal(selectPlatform([entry(9, "amd64", "v3")], parsePlatform("linux/amd64")), undefined);
});

test("platform strings", () => {
  assert.deepEqual(parsePlatform("linux/x86_64"), { os: "linux", architecture: "amd64" });
  assert.deepEqual(parsePlatform("linux/aarch64"), { os: "linux", architecture: "arm64" });
  assert.deepEqual(parsePlatform("linux/arm"), { os: "linux", architecture: "arm", variant: "v7" });
  assert.throws(() => parsePlatform("linux"), /unknown operating system or architecture/);
  assert.throws(() => parsePlatform("plan9/amd64"), /unknown operating system/);
});

test("manifests: parse, refuse schema 1 and nonsense", () => {
  const bytes = schema2Manifest({ digest: d(1), size: 10 }, [{ digest: d(2), size: 20 }]);
  assert.match(bytes.toString(), /^\{\n {3}"schemaVersion": 2,/);
  const m = parseManifest(bytes, undefined);
  assert.equal(m.kind, "image");
  if (m.kind === "image")
    assert.deepEqual(
      m.layers.map((l) => l.digest),
      [d(2)],
    );
  const idx = parseManifest(
    Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [entry(3, "amd64")] })),
    "application/vnd.oci.image.index.v1+json",
  );
  assert.equal(idx.kind, "index");
  assert.throws(
    () => parseManifest(Buffer.from('{"schemaVersion":1,"fsLayers":[]}'), undefined),
    /schema 1 support has been removed/,
  );
  assert.throws(() => parseManifest(Buffer.from("nope"), undefined), /invalid manifest/);
  assert.throws(
    () =>
      parseManifest(
        Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: "md5:x", size: 1 }, layers: [] })),
        undefined,
      ),
    /unsupported digest/,
  );
});

test("layer media types", () => {
  assert.equal(layerCompression("application/vnd.docker.image.rootfs.diff.tar.gzip"), "gzip");
  assert.equal(layerCompression("application/vnd.oci.image.layer.v1.tar"), "none");
  assert.equal(layerCompression("application/vnd.oci.image.layer.v1.tar+zstd"), "zstd");
  assert.throws(() => layerCompression("text/plain"), /unsupported media type/);
});
