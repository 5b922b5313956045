/**
 * What it takes to rebuild a layer's tar from its unpacked directory, byte
 * for byte (tar-split's idea, in our own compact format). While a tar is
 * applied, every byte that is not the content of a file left on disk is kept
 * verbatim ("raw"), and each file's content is replaced by a reference (path
 * inside the layer, size). Export walks the records and reads the files.
 *
 * Format (then gzipped): "BTS1", then records: 0x01 varint(len) bytes | 0x02
 * varint(size) varint(pathLen) path.
 */
import { createHash } from "node:crypto";
import { closeSync, constants, openSync, readSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { internal } from "../errors.js";

export type SplitRecord = { kind: "raw"; parts: Buffer[] } | { kind: "file"; path: string; size: number };

const MAGIC = Buffer.from("BTS1");

/** Collects the records while a tar is read. */
export class TarSplitRecorder {
  readonly records: SplitRecord[] = [];
  private last: { kind: "raw"; parts: Buffer[] } | undefined;

  /** Keeps bytes verbatim (copied: the caller's chunk is reused and must not be pinned). */
  raw(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (!this.last) {
      this.last = { kind: "raw", parts: [] };
      this.records.push(this.last);
    }
    this.last.parts.push(Buffer.from(bytes));
  }

  /** A file's content, to be read back from `path` (relative to the layer root) on export. */
  file(path: string, size: number): SplitRecord {
    const rec: SplitRecord = { kind: "file", path, size };
    this.records.push(rec);
    this.last = undefined;
    return rec;
  }

  /** A referenced file is about to be overwritten or removed: keep its content verbatim instead. */
  inline(rec: SplitRecord, content: Buffer): void {
    if (rec.kind !== "file") return;
    if (content.length !== rec.size) throw internal(`tar-split: ${rec.path} changed size while unpacking`);
    Object.assign(rec, { kind: "raw", parts: [content] });
    delete (rec as { path?: string }).path;
    delete (rec as { size?: number }).size;
  }

  encode(): Buffer {
    const out: Buffer[] = [MAGIC];
    for (const r of this.records) {
      if (r.kind === "raw") {
        const len = r.parts.reduce((n, p) => n + p.length, 0);
        if (len === 0) continue;
        out.push(Buffer.from([1]), varint(len), ...r.parts);
      } else {
        const p = Buffer.from(r.path);
        out.push(Buffer.from([2]), varint(r.size), varint(p.length), p);
      }
    }
    return gzipSync(Buffer.concat(out), { level: 6 });
  }
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    bytes.push(b);
  } while (n > 0);
  return Buffer.from(bytes);
}

export function decodeTarSplit(gz: Buffer): SplitRecord[] {
  const b = gunzipSync(gz);
  if (!b.subarray(0, 4).equals(MAGIC)) throw internal("tar-split: bad magic");
  let pos = 4;
  const read = (): number => {
    let n = 0;
    let mul = 1;
    for (;;) {
      const c = b[pos++];
      if (c === undefined) throw internal("tar-split: truncated");
      n += (c & 0x7f) * mul;
      if (!(c & 0x80)) return n;
      mul *= 128;
    }
  };
  const out: SplitRecord[] = [];
  while (pos < b.length) {
    const t = b[pos++];
    if (t === 1) {
      const len = read();
      if (pos + len > b.length) throw internal("tar-split: truncated");
      out.push({ kind: "raw", parts: [b.subarray(pos, pos + len)] });
      pos += len;
    } else if (t === 2) {
      const size = read();
      const plen = read();
      const path = b.toString("utf8", pos, pos + plen);
      pos += plen;
      if (path === "" || path.split("/").some((c) => c === ".." || c === "." || c === "")) {
        throw internal(`tar-split: bad path ${JSON.stringify(path)}`);
      }
      out.push({ kind: "file", path, size });
    } else {
      throw internal(`tar-split: bad record type ${t}`);
    }
  }
  return out;
}

const CHUNK = 1 << 20;

/**
 * The tar, rebuilt from the records and the unpacked files under `root`,
 * checked against `expected` (the diffID) at the end.
 */
export async function* assembleTar(
  records: readonly SplitRecord[],
  root: string,
  expected: string,
): AsyncGenerator<Buffer> {
  const hash = createHash("sha256");
  for (const r of records) {
    if (r.kind === "raw") {
      for (const p of r.parts) {
        hash.update(p);
        yield p;
      }
      continue;
    }
    // Paths were resolved free of symlinks at unpack time; O_NOFOLLOW guards the last one.
    const fd = openSync(`${root}/${r.path}`, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      let left = r.size;
      while (left > 0) {
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
        const n = readSync(fd, buf, 0, buf.length, null);
        if (n === 0) throw internal(`layer file ${r.path} is shorter than recorded`);
        const part = n === buf.length ? buf : buf.subarray(0, n);
        hash.update(part);
        left -= n;
        yield part;
      }
    } finally {
      closeSync(fd);
    }
  }
  const got = `sha256:${hash.digest("hex")}`;
  if (got !== expected)
    throw internal(`layer tar does not match its diffID: expected ${expected}, got ${got}`);
}
