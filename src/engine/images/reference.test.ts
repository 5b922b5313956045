import { test } from "node:test";
import assert from "node:assert/strict";
import {
  familiarName,
  familiarString,
  matchReferencePattern,
  parseAnyReference,
  parseNormalizedNamed,
  parseRepoTag,
  referenceString,
  withDefaultTag,
} from "./reference.js";

const hex = "a".repeat(64);

test("normalises short names to docker.io/library", () => {
  const r = parseNormalizedNamed("busybox");
  assert.deepEqual(r, { domain: "docker.io", path: "library/busybox" });
  assert.equal(referenceString(withDefaultTag(r)), "docker.io/library/busybox:latest");
  assert.equal(familiarString(withDefaultTag(r)), "busybox:latest");
});

test("user repositories keep their path", () => {
  const r = parseNormalizedNamed("me/app:1.0");
  assert.equal(referenceString(r), "docker.io/me/app:1.0");
  assert.equal(familiarString(r), "me/app:1.0");
});

test("domain detection: dots, ports, localhost, uppercase first component", () => {
  assert.equal(parseNormalizedNamed("localhost/app").domain, "localhost");
  assert.equal(parseNormalizedNamed("localhost:5000/app:v1").domain, "localhost:5000");
  assert.equal(parseNormalizedNamed("registry.example.com/a/b").domain, "registry.example.com");
  assert.equal(parseNormalizedNamed("127.0.0.1:5000/x").domain, "127.0.0.1:5000");
  assert.equal(familiarName(parseNormalizedNamed("localhost:5000/app")), "localhost:5000/app");
  assert.equal(parseNormalizedNamed("index.docker.io/busybox").path, "library/busybox");
  assert.equal(parseNormalizedNamed("docker.io/library/busybox").path, "library/busybox");
  assert.equal(familiarName(parseNormalizedNamed("docker.io/library/a/b")), "library/a/b");
  assert.equal(parseNormalizedNamed("Host.example/app").domain, "Host.example");
});

test("tags and digests", () => {
  const d = `sha256:${hex}`;
  const r = parseNormalizedNamed(`busybox:1.36@${d}`);
  assert.equal(r.tag, "1.36");
  assert.equal(r.digest, d);
  assert.equal(familiarString(r), `busybox:1.36@${d}`);
  assert.throws(
    () => parseNormalizedNamed(`busybox@sha256:${"b".repeat(40)}`),
    /invalid checksum digest length/,
  );
});

test("Docker's errors", () => {
  assert.throws(() => parseNormalizedNamed("Busybox"), {
    message: "invalid reference format: repository name (library/Busybox) must be lowercase",
  });
  assert.throws(() => parseNormalizedNamed("me/App:1"), {
    message: "invalid reference format: repository name (me/App) must be lowercase",
  });
  assert.throws(() => parseNormalizedNamed("a:b:c"), { message: "invalid reference format" });
  assert.throws(() => parseNormalizedNamed("-x"), { message: "invalid reference format" });
  assert.throws(() => parseNormalizedNamed("x:"), { message: "invalid reference format" });
  assert.throws(() => parseNormalizedNamed(""), { message: "invalid reference format" });
  assert.throws(() => parseNormalizedNamed(hex), /cannot specify 64-byte hexadecimal strings/);
  assert.throws(() => parseNormalizedNamed("a".repeat(300)), /must not be more than 255 characters/);
  assert.throws(() => parseNormalizedNamed(`x:${"t".repeat(129)}`), { message: "invalid reference format" });
});

test("separators in path components", () => {
  for (const ok of ["a_b", "a__b", "a.b", "a-b", "a---b", "a/b/c", "a1/b2"]) parseNormalizedNamed(ok);
  for (const bad of ["a___b", "a..b", "a_", "_a", "a//b", "a/"]) {
    assert.throws(() => parseNormalizedNamed(bad), { message: "invalid reference format" }, bad);
  }
});

test("parseAnyReference: IDs versus names", () => {
  assert.deepEqual(parseAnyReference(hex), { kind: "id", id: `sha256:${hex}` });
  assert.deepEqual(parseAnyReference(`sha256:${hex}`), { kind: "id", id: `sha256:${hex}` });
  const named = parseAnyReference("abc123");
  assert.equal(named.kind, "named");
  // A short "sha256:abc" reads as name "sha256" tag "abc", like Docker.
  const short = parseAnyReference("sha256:abc");
  assert.equal(short.kind, "named");
});

test("parseRepoTag joins repo and tag", () => {
  assert.equal(referenceString(parseRepoTag("busybox", "v1")), "docker.io/library/busybox:v1");
  assert.equal(referenceString(parseRepoTag("busybox:v2", "")), "docker.io/library/busybox:v2");
  assert.throws(() => parseRepoTag("busybox", "bad tag"), /invalid tag format/);
});

test("reference filter patterns match the familiar forms", () => {
  const r = parseNormalizedNamed("me/app:1.0");
  assert.ok(matchReferencePattern("me/app", r));
  assert.ok(matchReferencePattern("me/*", r));
  assert.ok(matchReferencePattern("*/app:1.*", r));
  assert.ok(!matchReferencePattern("app", r));
  assert.ok(!matchReferencePattern("*", r));
  assert.ok(matchReferencePattern("busybox", parseNormalizedNamed("busybox:latest")));
  assert.ok(matchReferencePattern("bus*:lat*", parseNormalizedNamed("busybox:latest")));
});
