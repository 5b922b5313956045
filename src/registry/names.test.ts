import assert from "node:assert/strict";
import { test } from "node:test";
import { RegistryError } from "./errors.js";
import { isBlobDigest, isRepoName, isTag, parseManifestRef, parseUploadId } from "./names.js";

test("repository names follow the distribution grammar", () => {
  for (const ok of ["a", "library/alpine", "a.b_c__d---e/f0", "x/y/z", "a".repeat(255)])
    assert.ok(isRepoName(ok), ok);
  for (const bad of [
    "",
    "A",
    "a/",
    "/a",
    "a//b",
    "a/../b",
    "..",
    ".a",
    "a.",
    "a-",
    "_a",
    "a___b",
    "a".repeat(256),
    "a b",
  ]) {
    assert.equal(isRepoName(bad), false, bad);
  }
});

test("tags, digests and upload IDs", () => {
  assert.ok(isTag("v1.0_rc-1"));
  assert.ok(isTag("a".repeat(128)));
  assert.equal(isTag("a".repeat(129)), false);
  assert.equal(isTag(".x"), false);
  assert.ok(isBlobDigest(`sha256:${"a".repeat(64)}`));
  assert.ok(isBlobDigest(`sha512:${"0".repeat(128)}`));
  assert.equal(isBlobDigest(`sha256:${"A".repeat(64)}`), false);
  assert.equal(isBlobDigest(`md5:${"a".repeat(32)}`), false);
  assert.deepEqual(parseManifestRef("latest"), { kind: "tag", tag: "latest" });
  assert.equal(parseManifestRef(`sha256:${"b".repeat(64)}`).kind, "digest");
  assert.throws(
    () => parseManifestRef("sha256:zz"),
    (e: unknown) => e instanceof RegistryError && e.code === "DIGEST_INVALID",
  );
  assert.throws(
    () => parseUploadId("../../x"),
    (e: unknown) => e instanceof RegistryError && e.status === 404,
  );
});
