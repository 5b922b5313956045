import { test } from "node:test";
import assert from "node:assert/strict";
import { checkChecksumFlag, parseDigest, verifyChecksum } from "./addChecksum.js";

const hex = "a".repeat(64);

test("--checksum: one HTTP(S) source and a digest go-digest parses, with BuildKit's texts", () => {
  assert.equal(checkChecksumFlag(`sha256:${hex}`, ["http://127.0.0.1/x"]), `sha256:${hex}`);
  // A git source takes a commit prefix, checked once the ref is resolved.
  assert.equal(checkChecksumFlag("abc123", ["http://127.0.0.1/r.git#v1"]), "abc123");
  assert.equal(checkChecksumFlag("zz", ["git@127.0.0.1:r.git"]), "zz");
  assert.throws(() => checkChecksumFlag("abc123", ["http://127.0.0.1/x"]), /invalid checksum digest format/);
  assert.throws(
    () => checkChecksumFlag(`sha256:${hex}`, ["a", "b"]),
    /^EngineError: checksum can't be specified for multiple sources$/,
  );
  assert.throws(
    () => checkChecksumFlag(`sha256:${hex}`, ["file.txt"]),
    /^EngineError: checksum requires HTTP\(S\) or Git sources$/,
  );
  assert.throws(() => parseDigest("abc"), /^EngineError: invalid checksum digest format$/);
  assert.throws(() => parseDigest("sha256:"), /invalid checksum digest format/);
  assert.throws(() => parseDigest("sha256:abc"), /^EngineError: invalid checksum digest length$/);
  assert.throws(() => parseDigest(`sha256:${"A".repeat(64)}`), /invalid checksum digest format/);
  assert.throws(() => parseDigest("md5:abcd"), /^EngineError: unsupported digest algorithm$/);
  assert.throws(() => parseDigest("MD5:abcd"), /invalid checksum digest format/);
  assert.equal(parseDigest(`sha512:${"0".repeat(128)}`), `sha512:${"0".repeat(128)}`);
});

test("a download is checked against the pin with sha256", () => {
  verifyChecksum("http://127.0.0.1/f", hex, `sha256:${hex}`);
  assert.throws(
    () => verifyChecksum("http://127.0.0.1/f", hex, `sha256:${"b".repeat(64)}`),
    new RegExp(
      `^EngineError: digest mismatch for http://127.0.0.1/f: sha256:${hex} \\(expected: sha256:${"b".repeat(64)}\\)$`,
    ),
  );
});
