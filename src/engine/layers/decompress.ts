/**
 * The compressions Docker accepts for layers and archives (moby's DetectCompression and
 * DecompressStream): gzip in-process with zlib; bzip2, xz and zstd through the host's
 * programs, as moby runs `xz` (Node has no decoder for them and the programs are fast).
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { errnoCode, invalid, unavailable } from "../errors.js";
import { CommandError } from "../host/command.js";
import { CommandStartError, filterCommand } from "../host/filterCommand.js";

export type Compression = "none" | "gzip" | "bzip2" | "xz" | "zstd";

/** The compression a stream starts with (as moby's DetectCompression). */
export function detectCompression(head: Uint8Array): Compression {
  const starts = (...sig: number[]) => sig.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b, 0x08)) return "gzip";
  if (starts(0x42, 0x5a, 0x68)) return "bzip2";
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return "xz";
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return "zstd";
  return "none";
}

/** The argv of the host program that decompresses stdin to stdout. */
const programs = {
  bzip2: ["bzip2", "-dc"],
  xz: ["xz", "-dc", "-q"],
  zstd: ["zstd", "-dc", "-q"],
} as const;

/** Debian package of each program, for the error when it is missing. */
const packages = { bzip2: "bzip2", xz: "xz-utils", zstd: "zstd" } as const;

/** The longest magic number: this many bytes tell the compression apart. */
export const MAGIC_LEN = 6;

export interface Sniffed {
  compression: Compression;
  /** The whole input again, the bytes read to sniff included. */
  stream: AsyncIterable<Buffer>;
}

/** Reads just enough of `input` to tell its compression, without losing a byte. */
export async function sniffCompression(input: AsyncIterable<Uint8Array>): Promise<Sniffed> {
  const it = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let len = 0;
  let ended = false;
  while (len < MAGIC_LEN) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    const b = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    head.push(b);
    len += b.length;
  }
  async function* stream(): AsyncGenerator<Buffer> {
    let finished = ended;
    try {
      yield* head;
      while (!finished) {
        const r = await it.next();
        if (r.done) finished = true;
        else yield Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
      }
    } finally {
      // Stopped before the end (the consumer failed): let the input release its resources.
      if (!finished) await it.return?.();
    }
  }
  return { compression: detectCompression(Buffer.concat(head)), stream: stream() };
}

/**
 * The decompressed bytes of `input` (compressed with `compression`). A corrupt or truncated
 * stream fails with an `invalid` error that names the compression; the input's own errors
 * pass through unchanged.
 */
export async function* decompress(
  compression: Compression,
  input: AsyncIterable<Uint8Array>,
): AsyncGenerator<Buffer, void, undefined> {
  switch (compression) {
    case "none":
      for await (const c of input) yield Buffer.from(c.buffer, c.byteOffset, c.byteLength);
      return;
    case "gzip":
      yield* gunzip(input);
      return;
    case "bzip2":
    case "xz":
    case "zstd":
      try {
        yield* filterCommand(programs[compression], input);
      } catch (err) {
        if (err instanceof CommandError)
          throw invalid(
            `invalid ${compression} stream: ${err.stderrTail || `exit status ${err.exitCode}`}`,
            err,
          );
        if (err instanceof CommandStartError)
          throw unavailable(
            `${compression}-compressed data needs the ${programs[compression][0]} program (Debian package ${packages[compression]}): ${err.message}`,
            err,
          );
        throw err;
      }
  }
}

async function* gunzip(input: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer, void, undefined> {
  const z = createGunzip();
  const feeding = pipeline(Readable.from(input, { objectMode: false }), z).catch((err: unknown) => {
    z.destroy(err as Error);
  });
  try {
    for await (const chunk of z) yield chunk as Buffer;
    await feeding;
  } catch (err) {
    if (errnoCode(err)?.startsWith("Z_"))
      throw invalid(`invalid gzip stream: ${(err as Error).message}`, err);
    throw err;
  } finally {
    z.destroy();
  }
}
