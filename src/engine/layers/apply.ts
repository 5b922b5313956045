/**
 * Applies one layer tar (plain, or gzip/bzip2/xz/zstd told apart by magic bytes, see
 * decompress.ts) into an empty directory, hashing the uncompressed bytes on the way: the
 * diffID comes out of the same single pass as the files and the tar-split.
 */
import { createHash } from "node:crypto";
import type { DiffId } from "../ids.js";
import { decompress, sniffCompression } from "./decompress.js";
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

export async function applyLayerTar(
  input: AsyncIterable<Uint8Array>,
  dir: string,
  onProgress?: (p: LayerProgress) => void,
): Promise<AppliedLayer> {
  const { compression, stream } = await sniffCompression(input);
  let bytesRead = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const b of stream) {
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
  // A failure stops the generators, which stop (destroy) the input and any decompressor child.
  await consume(decompress(compression, counted()));
  return {
    diffId: `sha256:${hash.digest("hex")}` as DiffId,
    tarSize,
    size: unpacker.size(),
    tarSplit: unpacker.split.encode(),
  };
}
