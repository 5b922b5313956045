/**
 * The tar `berth build` sends: context entries (buildContext.ts) packed as the request body
 * reads them, so at most one file (and a chunk of small ones) is in memory; a big file is
 * streamed. Headers as Go's archive/tar writes them (the layer store's encoder).
 */
import { createReadStream, readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { encodeHeader, padding } from "../../engine/layers/tarHeader.js";
import type { ContextEntry } from "./buildContext.js";

/** Files above this size are streamed from disk instead of read whole. */
const READ_WHOLE = 4 << 20;
/** Small entries are gathered into chunks of about this size (fewer writes to the socket). */
const CHUNK = 1 << 20;

function header(e: ContextEntry, size: number): Buffer {
  const type = e.type === "dir" ? "5" : e.type === "symlink" ? "2" : "0";
  return encodeHeader({
    name: e.type === "dir" ? `${e.path}/` : e.path,
    mode: e.mode,
    uid: 0,
    gid: 0,
    size,
    mtime: e.mtime,
    type,
    ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
  });
}

async function* tarChunks(
  entries: readonly ContextEntry[],
  only?: ReadonlySet<string>,
): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let heldSize = 0;
  const hold = (b: Buffer) => {
    held.push(b);
    heldSize += b.length;
  };
  const flush = () => {
    const out = Buffer.concat(held, heldSize);
    held = [];
    heldSize = 0;
    return out;
  };
  for (const e of entries) {
    if (only !== undefined && !only.has(e.path)) continue;
    if (e.type !== "file") hold(header(e, 0));
    else if (e.data !== undefined || e.abs === undefined || e.size <= READ_WHOLE) {
      const data = e.data ?? (e.abs !== undefined ? readFileSync(e.abs) : Buffer.alloc(0));
      hold(header(e, data.length));
      hold(data);
      hold(Buffer.alloc(padding(data.length)));
    } else {
      if (heldSize > 0) yield flush();
      yield header(e, e.size);
      let sent = 0;
      for await (const chunk of createReadStream(e.abs, { end: e.size - 1 })) {
        sent += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      if (sent !== e.size) throw new Error(`${e.path}: the file changed while it was sent`);
      hold(Buffer.alloc(padding(e.size)));
    }
    if (heldSize >= CHUNK) yield flush();
  }
  hold(Buffer.alloc(1024));
  yield flush();
}

/**
 * A tar of `entries` (all of them, or the paths in `only`), produced as the reader takes it:
 * files are read one at a time, a big one in pieces.
 */
export function packEntries(entries: readonly ContextEntry[], only?: ReadonlySet<string>): Readable {
  return Readable.from(tarChunks(entries, only), { objectMode: false });
}

/** A lone Dockerfile (stdin that is not an archive) as a context. */
export function dockerfileContext(text: Buffer): Readable {
  const now = Math.floor(Date.now() / 1000);
  return packEntries([
    { path: "Dockerfile", type: "file", mode: 0o600, mtime: now, size: text.length, data: text },
  ]);
}
