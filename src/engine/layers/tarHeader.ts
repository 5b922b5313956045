/**
 * Tar header blocks, decoded and encoded by hand. A layer's tar must be
 * reproduced byte for byte, so the reader works on raw 512-byte blocks and
 * this file only interprets them: ustar, GNU (long names, base-256 numbers)
 * and PAX records. The writer emits what Go's archive/tar does for Docker:
 * ustar when a header fits, a PAX header in front when it does not.
 */
import { invalid } from "../errors.js";

export const BLOCK = 512;

/** Fields of one header block, before PAX/GNU overrides. */
export interface RawHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  type: string;
  linkname: string;
  devmajor: number;
  devminor: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes up to the first NUL, as UTF-8 (names that are not UTF-8 are refused). */
export function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return decodeName(end === -1 ? b : b.subarray(0, end));
}

export function decodeName(b: Uint8Array): string {
  try {
    return utf8.decode(b);
  } catch {
    throw invalid("tar entry name is not valid UTF-8");
  }
}

/** An octal field (space or NUL padded) or a GNU base-256 one (high bit set). */
export function parseNumeric(b: Uint8Array): number {
  const first = b[0] ?? 0;
  if (first & 0x80) {
    if (first === 0xff) throw invalid("negative number in tar header");
    let v = first & 0x7f;
    for (let i = 1; i < b.length; i++) v = v * 256 + (b[i] ?? 0);
    if (!Number.isSafeInteger(v)) throw invalid("number too large in tar header");
    return v;
  }
  let i = 0;
  let end = b.length;
  while (i < end && (b[i] === 0x20 || b[i] === 0)) i++;
  while (end > i && (b[end - 1] === 0x20 || b[end - 1] === 0)) end--;
  let v = 0;
  for (let j = i; j < end; j++) {
    const c = b[j] ?? 0;
    if (c < 0x30 || c > 0x37) throw invalid("invalid octal number in tar header");
    v = v * 8 + (c - 0x30);
  }
  return v;
}

export function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

function checksums(b: Uint8Array): [number, number] {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : (b[i] ?? 0);
    unsigned += c;
    signed += c > 127 ? c - 256 : c;
  }
  return [unsigned, signed];
}

/** Decodes one header block; throws `invalid` on a bad checksum. */
export function parseHeader(b: Uint8Array): RawHeader {
  const sum = parseNumeric(b.subarray(148, 156));
  const [u, s] = checksums(b);
  if (sum !== u && sum !== s) throw invalid("invalid tar header: checksum mismatch");
  const magic = Buffer.from(b.subarray(257, 263)).toString("latin1");
  let name = cString(b.subarray(0, 100));
  if (magic === "ustar\0") {
    // POSIX ustar (and star, whose prefix is shorter and ends with "tar\0" at 508).
    const star = Buffer.from(b.subarray(508, 512)).toString("latin1") === "tar\0";
    const prefix = cString(b.subarray(345, star ? 476 : 500));
    if (prefix !== "") name = `${prefix}/${name}`;
  }
  const type = String.fromCharCode(b[156] ?? 0);
  return {
    name,
    mode: parseNumeric(b.subarray(100, 108)),
    uid: parseNumeric(b.subarray(108, 116)),
    gid: parseNumeric(b.subarray(116, 124)),
    size: parseNumeric(b.subarray(124, 136)),
    mtime: parseNumeric(b.subarray(136, 148)),
    type,
    linkname: cString(b.subarray(157, 257)),
    devmajor: parseNumeric(b.subarray(329, 337)),
    devminor: parseNumeric(b.subarray(337, 345)),
  };
}

/** PAX extended header records: "%d %s=%s\n"; values stay bytes (xattrs are binary). */
export function parsePax(b: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < b.length) {
    if (b[pos] === 0) break; // some writers pad with NULs
    const space = b.indexOf(0x20, pos);
    if (space === -1) throw invalid("invalid PAX record");
    const len = Number(b.toString("latin1", pos, space));
    if (!Number.isSafeInteger(len) || len <= space - pos + 1 || pos + len > b.length) {
      throw invalid("invalid PAX record length");
    }
    const rec = b.subarray(space + 1, pos + len);
    if (rec[rec.length - 1] !== 0x0a) throw invalid("invalid PAX record: no newline");
    const eq = rec.indexOf(0x3d);
    if (eq <= 0) throw invalid("invalid PAX record: no key");
    out.set(decodeName(rec.subarray(0, eq)), Buffer.from(rec.subarray(eq + 1, rec.length - 1)));
    pos += len;
  }
  return out;
}

/** A PAX decimal number, possibly with a fraction (times). */
export function paxNumber(v: Buffer, key: string): number {
  const s = v.toString("latin1");
  if (!/^-?\d+(\.\d+)?$/.test(s)) throw invalid(`invalid PAX ${key}: ${s}`);
  return Number(s);
}

// ---- writing ----

export interface HeaderInput {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch (whole seconds, as Docker truncates). */
  mtime: number;
  type: string;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: ReadonlyMap<string, Buffer>;
}

function writeOctal(block: Buffer, off: number, len: number, v: number): boolean {
  const s = v.toString(8);
  if (v < 0 || s.length > len - 1) return false;
  block.write(s.padStart(len - 1, "0"), off, "latin1");
  return true;
}

function isAscii(s: string): boolean {
  return /^[\x01-\x7f]*$/.test(s);
}

/** Splits a long name into ustar prefix/name at a slash, or undefined. */
function splitUstar(name: string): [string, string] | undefined {
  if (Buffer.byteLength(name) <= 100) return ["", name];
  const len = Buffer.byteLength(name);
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== "/") continue;
    const prefix = name.slice(0, i);
    if (prefix.length <= 155 && len - i - 1 <= 100 && len - i - 1 > 0) return [prefix, name.slice(i + 1)];
  }
  return undefined;
}

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from("\n")]);
  let n = body.length + 1;
  while (String(n).length + body.length !== n) n = String(n).length + body.length;
  return Buffer.concat([Buffer.from(String(n)), body]);
}

function block(h: HeaderInput, name: string, prefix: string, linkname: string): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(name, 0, 100, "utf8");
  writeOctal(b, 100, 8, h.mode);
  writeOctal(b, 108, 8, h.uid);
  writeOctal(b, 116, 8, h.gid);
  writeOctal(b, 124, 12, h.size);
  writeOctal(b, 136, 12, h.mtime);
  b.write(h.type, 156, 1, "latin1");
  b.write(linkname, 157, 100, "utf8");
  b.write("ustar\x0000", 257, 8, "latin1");
  writeOctal(b, 329, 8, h.devmajor ?? 0);
  writeOctal(b, 337, 8, h.devminor ?? 0);
  b.write(prefix, 345, 155, "utf8");
  const [sum] = checksums(b);
  b.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "latin1");
  return b;
}

/** Header block(s) for one entry: a PAX header first when ustar cannot hold it. */
export function encodeHeader(h: HeaderInput): Buffer {
  const records: Buffer[] = [];
  const link = h.linkname ?? "";
  const split = isAscii(h.name) ? splitUstar(h.name) : undefined;
  if (!split) records.push(paxRecord("path", Buffer.from(h.name)));
  if (!isAscii(link) || Buffer.byteLength(link) > 100) records.push(paxRecord("linkpath", Buffer.from(link)));
  const probe = Buffer.alloc(12);
  if (!writeOctal(probe, 0, 8, h.uid)) records.push(paxRecord("uid", Buffer.from(String(h.uid))));
  if (!writeOctal(probe, 0, 8, h.gid)) records.push(paxRecord("gid", Buffer.from(String(h.gid))));
  if (!writeOctal(probe, 0, 12, h.size)) records.push(paxRecord("size", Buffer.from(String(h.size))));
  if (!writeOctal(probe, 0, 12, h.mtime)) records.push(paxRecord("mtime", Buffer.from(String(h.mtime))));
  for (const [k, v] of [...(h.xattrs ?? new Map<string, Buffer>())].sort(([a], [b]) => (a < b ? -1 : 1))) {
    records.push(paxRecord(`SCHILY.xattr.${k}`, v));
  }
  const [prefix, name] = split ?? ["", h.name.slice(0, 100)];
  const main = block(
    { ...h, uid: h.uid % 0o10000000, gid: h.gid % 0o10000000 },
    name,
    prefix,
    link.slice(0, 100),
  );
  if (records.length === 0) return main;
  const pax = Buffer.concat(records);
  const base = h.name.replace(/\/+$/, "").split("/").pop() ?? "";
  const paxHeader = block(
    { name: "", mode: 0o644, uid: 0, gid: 0, size: pax.length, mtime: 0, type: "x" },
    `PaxHeaders.0/${asciiOnly(base)}`.slice(0, 100),
    "",
    "",
  );
  return Buffer.concat([paxHeader, pax, Buffer.alloc(padding(pax.length)), main]);
}

function asciiOnly(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, "_");
}

/** Zero bytes that follow `size` bytes of content to fill the last block. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}
