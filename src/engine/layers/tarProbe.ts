/**
 * Docker's test for "is this file a tar archive" (moby's IsArchivePath): decompress what may
 * be compressed, then the first header must read. ADD extracts only such files; anything
 * else, a gzipped text file included, is copied as it is.
 */
import { createReadStream } from "node:fs";
import { isEngineError } from "../errors.js";
import { decompress, sniffCompression } from "./decompress.js";
import { BLOCK, isZeroBlock, parseHeader } from "./tarHeader.js";

/** True when the (possibly compressed) stream starts with a valid tar header. */
export async function startsWithTarHeader(input: AsyncIterable<Uint8Array>): Promise<boolean> {
  const { compression, stream } = await sniffCompression(input);
  const parts: Buffer[] = [];
  let len = 0;
  try {
    // Stopping after one block stops the input and any decompressor child (see decompress.ts).
    for await (const c of decompress(compression, stream)) {
      parts.push(c);
      len += c.length;
      if (len >= BLOCK) break;
    }
  } catch (err) {
    if (isEngineError(err, "invalid")) return false; // not even the compression reads
    throw err;
  }
  if (len < BLOCK) return false;
  const block = Buffer.concat(parts).subarray(0, BLOCK);
  // A zero block first is the end of an empty archive: Go's reader returns EOF, so not a tar.
  if (isZeroBlock(block)) return false;
  try {
    parseHeader(block);
    return true;
  } catch (err) {
    if (isEngineError(err, "invalid")) return false;
    throw err;
  }
}

export async function isTarArchiveFile(path: string): Promise<boolean> {
  return startsWithTarHeader(createReadStream(path));
}
