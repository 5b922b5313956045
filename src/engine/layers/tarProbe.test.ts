import assert from "node:assert/strict";
// eslint-disable-next-line no-restricted-imports -- the fixtures are made by the real compressors
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { Readable } from "node:stream";
import { startsWithTarHeader } from "./tarProbe.js";
import { buildTar } from "./testTar.js";

const probe = (b: Buffer) => startsWithTarHeader(Readable.from([b]));
const tar = buildTar([{ name: "a", content: "hello" }]);
const text = Buffer.from("just some text, not a tar at all\n".repeat(40));

describe("startsWithTarHeader", () => {
  it("takes plain and compressed tars", async () => {
    assert.equal(await probe(tar), true);
    assert.equal(await probe(gzipSync(tar)), true);
    for (const argv of [
      ["bzip2", "-c"],
      ["xz", "-c"],
      ["zstd", "-c", "-q"],
    ] as const)
      assert.equal(await probe(execFileSync(argv[0], argv.slice(1), { input: tar })), true, argv[0]);
  });

  it("refuses compressed non-tars, plain files, short and corrupt input", async () => {
    assert.equal(await probe(gzipSync(text)), false);
    assert.equal(await probe(execFileSync("xz", ["-c"], { input: text })), false);
    assert.equal(await probe(text), false);
    assert.equal(await probe(Buffer.from("x")), false);
    assert.equal(await probe(Buffer.concat([gzipSync(tar).subarray(0, 10), Buffer.alloc(100, 7)])), false);
    const bad = Buffer.from(tar);
    bad[0] = 0x41; // the checksum no longer matches
    assert.equal(await probe(bad), false);
  });

  it("an empty archive (zero blocks only) is not an archive, as for Go's tar reader", async () => {
    assert.equal(await probe(Buffer.alloc(10240)), false);
  });
});
