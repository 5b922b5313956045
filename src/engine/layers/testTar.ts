/**
 * Builds tars for tests, including ones no honest tool would write
 * (`../x`, links out of the layer), from the same header encoder as diffTar.
 */
import { BLOCK, encodeHeader, padding } from "./tarHeader.js";

export interface TestEntry {
  name: string;
  /** "0" file (default), "1" hard link, "2" symlink, "3" char, "4" block, "5" dir, "6" fifo. */
  type?: string;
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  devmajor?: number;
  devminor?: number;
  xattrs?: Record<string, string | Buffer>;
}

export function buildTar(entries: readonly TestEntry[], trailer = 2 * BLOCK): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? "0";
    const content = type === "0" ? Buffer.from(e.content ?? "") : Buffer.alloc(0);
    parts.push(
      encodeHeader({
        name: e.name,
        type,
        size: content.length,
        mode: e.mode ?? (type === "5" ? 0o755 : 0o644),
        uid: e.uid ?? 0,
        gid: e.gid ?? 0,
        mtime: e.mtime ?? 1_600_000_000,
        linkname: e.linkname,
        devmajor: e.devmajor,
        devminor: e.devminor,
        xattrs: e.xattrs ? new Map(Object.entries(e.xattrs).map(([k, v]) => [k, Buffer.from(v)])) : undefined,
      }),
      content,
      Buffer.alloc(padding(content.length)),
    );
  }
  parts.push(Buffer.alloc(trailer));
  return Buffer.concat(parts);
}
