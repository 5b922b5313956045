/** Runs the host's bzip2, xz and zstd (Debian packages bzip2, xz-utils, zstd). */
import assert from "node:assert/strict";
// eslint-disable-next-line no-restricted-imports -- the fixtures are made by the real compressors
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { isEngineError } from "../errors.js";
import { decompress, detectCompression, sniffCompression, type Compression } from "./decompress.js";

/** Compresses with the real programs, as a user's archive would be. */
const compressors: Record<Exclude<Compression, "none">, (b: Buffer) => Buffer> = {
  gzip: (b) => gzipSync(b),
  bzip2: (b) => execFileSync("bzip2", ["-c"], { input: b, maxBuffer: 1 << 28 }),
  xz: (b) => execFileSync("xz", ["-c"], { input: b, maxBuffer: 1 << 28 }),
  zstd: (b) => execFileSync("zstd", ["-c", "-q"], { input: b, maxBuffer: 1 << 28 }),
};

/** In chunks of `size`, as a socket would deliver them. */
async function* chunks(b: Buffer, size = 1000): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

/** PIDs of live children of this process running `name` (none may be left behind). */
function children(name: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (Number(fields[1]) === process.pid && comm === name) out.push(Number(d));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

// Half random (incompressible), half text: large enough to need several pipe round trips.
const payload = Buffer.concat([randomBytes(300_000), Buffer.from("berth ".repeat(100_000))]);

describe("decompress", () => {
  for (const [name, compress] of Object.entries(compressors)) {
    const compression = name as Exclude<Compression, "none">;
    let memo: Buffer | undefined;
    const packedPayload = () => (memo ??= compress(payload));

    it(`${compression}: round-trips through the real program and is sniffed`, async () => {
      const packed = packedPayload();
      assert.equal(detectCompression(packed), compression);
      async function* split(): AsyncGenerator<Buffer> {
        yield* [packed.subarray(0, 2), packed.subarray(2, 3), packed.subarray(3, 5)]; // magic split up
        yield* chunks(packed.subarray(5));
      }
      const sniffed = await sniffCompression(split());
      assert.equal(sniffed.compression, compression);
      const out = await collect(decompress(sniffed.compression, sniffed.stream));
      assert.ok(out.equals(payload));
      assert.deepEqual(children(compression), []);
    });

    it(`${compression}: a truncated stream is an invalid error naming the compression`, async () => {
      const packed = packedPayload();
      await assert.rejects(
        collect(decompress(compression, chunks(packed.subarray(0, packed.length >> 1)))),
        (e) => {
          assert.ok(isEngineError(e, "invalid"), String(e));
          assert.match(e.message, new RegExp(`^invalid ${compression} stream: .+`));
          return true;
        },
      );
      assert.deepEqual(children(compression), []);
    });

    it(`${compression}: corrupt bytes after the magic are an invalid error`, async () => {
      const packed = packedPayload();
      const bad = Buffer.concat([packed.subarray(0, 6), Buffer.alloc(4096, 0x55)]);
      await assert.rejects(collect(decompress(compression, chunks(bad))), (e) => isEngineError(e, "invalid"));
      assert.deepEqual(children(compression), []);
    });

    it(`${compression}: an input that fails midway kills the child and passes its error on`, async () => {
      const packed = packedPayload();
      let destroyed = false;
      async function* failing(): AsyncGenerator<Buffer> {
        try {
          yield packed.subarray(0, 4096);
          await new Promise((r) => setTimeout(r, 20));
          throw new Error("client went away");
        } finally {
          destroyed = true;
        }
      }
      await assert.rejects(collect(decompress(compression, failing())), { message: "client went away" });
      assert.ok(destroyed);
      assert.deepEqual(children(compression), []);
    });

    it(`${compression}: a consumer that stops early kills the child and stops the input`, async () => {
      const packed = packedPayload();
      let stopped = false;
      async function* endless(): AsyncGenerator<Buffer> {
        try {
          yield* chunks(packed, 512);
          for (;;) {
            await new Promise((r) => setTimeout(r, 5));
            yield Buffer.alloc(512); // keeps the child waiting for more
          }
        } finally {
          stopped = true;
        }
      }
      let got = 0;
      await assert.rejects(
        (async () => {
          for await (const c of decompress(compression, endless())) {
            got += c.length;
            if (got > 10_000) throw new Error("consumer failed");
          }
        })(),
        { message: "consumer failed" },
      );
      assert.deepEqual(children(compression), []);
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(stopped, "the input is stopped");
    });
  }

  it("passes plain bytes through, and an empty input sniffs as none", async () => {
    const sniffed = await sniffCompression(chunks(payload));
    assert.equal(sniffed.compression, "none");
    assert.ok((await collect(decompress("none", sniffed.stream))).equals(payload));
    const empty = await sniffCompression(chunks(Buffer.alloc(0)));
    assert.equal(empty.compression, "none");
    assert.equal((await collect(empty.stream)).length, 0);
  });
});
