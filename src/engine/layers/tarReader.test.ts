import assert from "node:assert/strict";
import { test } from "node:test";
import { isEngineError } from "../errors.js";
import { BLOCK } from "./tarHeader.js";
import { TarReader, type TarEntry } from "./tarReader.js";
import { TarSplitRecorder, decodeTarSplit } from "./tarSplit.js";
import { buildTar } from "./testTar.js";

const sample = () =>
  Buffer.concat([
    buildTar([
      { name: "dir/", type: "5" },
      {
        name: `dir/${"n".repeat(200)}`,
        content: "x".repeat(1000),
        xattrs: { "user.a": Buffer.from([0, 255]) },
      },
      { name: "dir/empty", content: "" },
      { name: "dir/hard", type: "1", linkname: `dir/${"n".repeat(200)}` },
      { name: "dir/sym", type: "2", linkname: "/etc/passwd" },
    ]),
    Buffer.alloc(3 * BLOCK), // more zero blocks, as GNU tar pads to its record size
  ]);

/** Feeds `tar` in pieces of random sizes; returns entries and the bytes seen as meta vs content, in order. */
function read(tar: Buffer, seed: number) {
  const entries: TarEntry[] = [];
  const stream: { meta: boolean; bytes: Buffer }[] = [];
  const reader = new TarReader({
    meta: (b) => stream.push({ meta: true, bytes: Buffer.from(b) }),
    entry: (e) => {
      entries.push(e);
      return { write: (b) => stream.push({ meta: false, bytes: Buffer.from(b) }), end: () => undefined };
    },
  });
  let x = seed;
  for (let pos = 0; pos < tar.length;) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (x % 700);
    reader.feed(tar.subarray(pos, pos + n));
    pos += n;
  }
  reader.finish();
  return { entries, stream };
}

test("every byte is accounted for, whatever the chunking", () => {
  const tar = sample();
  for (const seed of [1, 2, 3, 42]) {
    const { entries, stream } = read(tar, seed);
    assert.deepEqual(Buffer.concat(stream.map((s) => s.bytes)), tar);
    assert.deepEqual(
      entries.map((e) => [e.name, e.type, e.size]),
      [
        ["dir/", "5", 0],
        [`dir/${"n".repeat(200)}`, "0", 1000],
        ["dir/empty", "0", 0],
        ["dir/hard", "1", 0],
        ["dir/sym", "2", 0],
      ],
    );
    assert.deepEqual(entries[1]?.xattrs.get("user.a"), Buffer.from([0, 255]));
    assert.equal(entries[3]?.linkname, `dir/${"n".repeat(200)}`);
    const content = stream.filter((s) => !s.meta).reduce((n, s) => n + s.bytes.length, 0);
    assert.equal(content, 1000);
  }
});

test("tar-split records round-trip through their encoding", () => {
  const rec = new TarSplitRecorder();
  rec.raw(Buffer.from("head"));
  rec.raw(Buffer.from("er"));
  const f = rec.file("a/b", 3);
  rec.raw(Buffer.from("pad"));
  rec.file("c", 1000000);
  rec.inline(f, Buffer.from("abc"));
  const out = decodeTarSplit(rec.encode());
  assert.deepEqual(
    out.map((r) => (r.kind === "raw" ? Buffer.concat(r.parts).toString() : `${r.path}:${r.size}`)),
    ["header", "abc", "pad", "c:1000000"],
  );
});

test("truncated archives and a zero block followed by data are refused", () => {
  const tar = sample();
  const feed = (b: Buffer) => {
    const r = new TarReader({ meta: () => undefined, entry: () => undefined });
    r.feed(b);
    r.finish();
  };
  assert.throws(
    () => feed(tar.subarray(0, 700)),
    (e) => isEngineError(e, "invalid"),
  );
  const zeroThenData = Buffer.concat([Buffer.alloc(BLOCK), tar]);
  assert.throws(
    () => feed(zeroThenData),
    (e) => isEngineError(e, "invalid"),
  );
  feed(Buffer.alloc(0)); // an empty stream is an empty layer, as in Go
});
