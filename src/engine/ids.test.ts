import { test } from "node:test";
import assert from "node:assert/strict";
import {
  chainIdOf,
  parseDigest,
  sha256Digest,
  shortId,
  type ChainId,
  type Digest,
  type DiffId,
  type ImageId,
} from "./ids.js";

test("brands stack and stay apart", () => {
  const digest = sha256Digest("x");
  const image = digest as ImageId;
  const asDigest: Digest = image; // an image ID is a digest
  // @ts-expect-error a plain digest is not an image ID
  const notImage: ImageId = digest;
  // @ts-expect-error an image ID is not a chain ID
  const notChain: ChainId = image;
  assert.equal(asDigest, notImage);
  assert.equal(notChain, digest);
});

test("chain IDs as the image spec defines them", () => {
  const a = sha256Digest("a") as DiffId;
  const b = sha256Digest("b") as DiffId;
  const [c1, c2] = chainIdOf([a, b]);
  assert.equal(c1, a);
  assert.equal(c2, sha256Digest(`${a} ${b}`));
  assert.equal(shortId(a), a.slice(7, 19));
  assert.throws(() => parseDigest("sha256:XYZ"), /invalid digest/);
});
