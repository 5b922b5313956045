/**
 * Applies one layer tar (plain or gzip, told apart by magic bytes) into an
 * empty directory, hashing the uncompressed bytes on the way: the diffID
 * comes out of the same single pass as the files and the tar-split.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { errnoCode, invalid, notImplemented } from "../errors.js";
import type { DiffId } from "../ids.js";
import type { LayerProgress } from "./types.js";
import { LayerUnpacker } from "./unpack.js";
import { TarReader } from "./tarReader.js";

export interface AppliedLayer {
  diffId: DiffId;
  /** Bytes of the uncompressed tar. */
  tarSize: number;
  /** Bytes of the unpacked files. */
  size: number;
  /** The gzipped tar-split records (see tarSplit.ts). */
  tarSplit: Buffer;
}

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

export async function applyLayerTar(
  input: AsyncIterable<Uint8Array>,
  dir: string,
  onProgress?: (p: LayerProgress) => void,
): Promise<AppliedLayer> {
  const it = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headLen = 0;
  let ended = false;
  while (headLen < 6) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    const b = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    head.push(b);
    headLen += b.length;
  }
  const compression = detectCompression(Buffer.concat(head));
  if (compression !== "none" && compression !== "gzip") {
    throw notImplemented(`${compression}-compressed layers are not supported`);
  }
  let bytesRead = 0;
  async function* source(): AsyncGenerator<Buffer> {
    for (const b of head) {
      bytesRead += b.length;
      onProgress?.({ bytesRead });
      yield b;
    }
    if (ended) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      const b = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
      bytesRead += b.length;
      onProgress?.({ bytesRead });
      yield b;
    }
  }

  const unpacker = new LayerUnpacker(dir);
  const reader = new TarReader(unpacker);
  const hash = createHash("sha256");
  let tarSize = 0;
  const consume = async (tar: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of tar) {
      hash.update(chunk);
      tarSize += chunk.length;
      reader.feed(chunk);
    }
    reader.finish();
    unpacker.finish();
  };
  try {
    if (compression === "gzip") await pipeline(Readable.from(source()), createGunzip(), consume);
    else await consume(source());
  } catch (err) {
    await it.return?.(); // stops (destroys) the input if we failed before its end
    if (errnoCode(err)?.startsWith("Z_")) throw invalid(`invalid gzip layer: ${(err as Error).message}`, err);
    throw err;
  }
  return {
    diffId: `sha256:${hash.digest("hex")}` as DiffId,
    tarSize,
    size: unpacker.size(),
    tarSplit: unpacker.split.encode(),
  };
}
