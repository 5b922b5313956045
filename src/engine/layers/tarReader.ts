/**
 * A push parser for tar streams that accounts for every byte: each byte of
 * input goes either to `sink.meta` (header blocks, GNU long names, PAX
 * headers, padding, the end-of-archive blocks and whatever trails them) or to
 * the content writer of an entry. That split is what lets a layer be stored
 * unpacked and its tar reproduced exactly (tar-split's idea).
 *
 * Synchronous by design: the caller feeds chunks as they arrive, and the sink
 * does its filesystem work inline, which is much faster than a promise per
 * entry and keeps the order of operations obvious.
 */
import { invalid } from "../errors.js";
import { BLOCK, isZeroBlock, padding, paxNumber, parseHeader, parsePax, decodeName } from "./tarHeader.js";

/** One archive member after GNU and PAX overrides. */
export interface TarEntry {
  name: string;
  linkname: string;
  /** The typeflag character: "0" file, "1" hard link, "2" symlink, "3" char, "4" block, "5" dir, "6" fifo… */
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch, possibly fractional (PAX). */
  mtime: number;
  atime: number | undefined;
  devmajor: number;
  devminor: number;
  /** From PAX `SCHILY.xattr.*` records. */
  xattrs: Map<string, Buffer>;
}

export interface ContentSink {
  write(chunk: Buffer): void;
  end(): void;
}

export interface TarSink {
  /** Bytes that are not the content of a materialised file. */
  meta(bytes: Buffer): void;
  /** An entry begins; return a sink for its content, or undefined to pass the content to `meta`. */
  entry(e: TarEntry): ContentSink | undefined;
}

/** Caps the size of in-memory headers (long names, PAX) so a hostile tar cannot exhaust memory. */
const MAX_META_CONTENT = 16 << 20;

type State =
  | { kind: "header" }
  | { kind: "meta"; type: string; size: number; parts: Buffer[]; got: number }
  | { kind: "content"; left: number; size: number; sink: ContentSink | undefined }
  | { kind: "padding"; left: number }
  | { kind: "zero" } // one zero block seen: the next must be zero too
  | { kind: "trailer" };

export class TarReader {
  private state: State = { kind: "header" };
  private readonly partial = Buffer.alloc(BLOCK);
  private partialLen = 0;
  private longName: string | undefined;
  private longLink: string | undefined;
  private pax: Map<string, Buffer> | undefined;
  private readonly globalPax = new Map<string, Buffer>();

  constructor(private readonly sink: TarSink) {}

  feed(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      const s = this.state;
      switch (s.kind) {
        case "header":
        case "zero": {
          let blk: Buffer;
          if (this.partialLen === 0 && chunk.length - pos >= BLOCK) {
            blk = chunk.subarray(pos, pos + BLOCK);
            pos += BLOCK;
          } else {
            const n = Math.min(BLOCK - this.partialLen, chunk.length - pos);
            chunk.copy(this.partial, this.partialLen, pos, pos + n);
            this.partialLen += n;
            pos += n;
            if (this.partialLen < BLOCK) break;
            blk = this.partial;
            this.partialLen = 0;
          }
          this.sink.meta(blk);
          this.onBlock(blk);
          break;
        }
        case "meta": {
          const n = Math.min(s.size - s.got, chunk.length - pos);
          const part = chunk.subarray(pos, pos + n);
          this.sink.meta(part);
          s.parts.push(Buffer.from(part));
          s.got += n;
          pos += n;
          if (s.got === s.size) this.onMetaContent(s.type, Buffer.concat(s.parts));
          break;
        }
        case "content": {
          const n = Math.min(s.left, chunk.length - pos);
          const part = chunk.subarray(pos, pos + n);
          if (s.sink) s.sink.write(part);
          else this.sink.meta(part);
          s.left -= n;
          pos += n;
          if (s.left === 0) this.endContent(s.sink, s.size);
          break;
        }
        case "padding": {
          const n = Math.min(s.left, chunk.length - pos);
          this.sink.meta(chunk.subarray(pos, pos + n));
          s.left -= n;
          pos += n;
          if (s.left === 0) this.state = { kind: "header" };
          break;
        }
        case "trailer":
          this.sink.meta(chunk.subarray(pos));
          pos = chunk.length;
          break;
      }
    }
  }

  /** The input ended: fine at an entry boundary or in the trailer, otherwise a truncated tar. */
  finish(): void {
    const k = this.state.kind;
    if (this.partialLen !== 0 || (k !== "header" && k !== "zero" && k !== "trailer")) {
      throw invalid("unexpected end of tar archive");
    }
    if (k === "header" && (this.longName !== undefined || this.longLink !== undefined || this.pax)) {
      throw invalid("unexpected end of tar archive after an extended header");
    }
  }

  private onBlock(blk: Buffer): void {
    if (this.state.kind === "zero") {
      if (!isZeroBlock(blk)) throw invalid("invalid tar header: a zero block followed by data");
      this.state = { kind: "trailer" };
      return;
    }
    if (isZeroBlock(blk)) {
      this.state = { kind: "zero" };
      return;
    }
    const h = parseHeader(blk);
    switch (h.type) {
      case "L": // GNU long name / long link name
      case "K":
      case "x": // PAX for the next entry
      case "g": // PAX global
        if (h.size > MAX_META_CONTENT) throw invalid(`tar extended header too large (${h.size} bytes)`);
        if (h.size === 0) this.onMetaContent(h.type, Buffer.alloc(0));
        else this.state = { kind: "meta", type: h.type, size: h.size, parts: [], got: 0 };
        return;
      default:
        break;
    }
    const pax = new Map([...this.globalPax, ...(this.pax ?? [])]);
    const e: TarEntry = {
      name: h.name,
      linkname: h.linkname,
      type: h.type,
      mode: h.mode,
      uid: h.uid,
      gid: h.gid,
      size: h.size,
      mtime: h.mtime,
      atime: undefined,
      devmajor: h.devmajor,
      devminor: h.devminor,
      xattrs: new Map(),
    };
    if (this.longName !== undefined) e.name = this.longName;
    if (this.longLink !== undefined) e.linkname = this.longLink;
    applyPax(e, pax);
    this.longName = undefined;
    this.longLink = undefined;
    this.pax = undefined;
    // Old v7 archives mark directories only by a trailing slash.
    if (e.type === "\0" && e.name.endsWith("/")) e.type = "5";
    // Links, devices, fifos and dirs are header-only whatever their size field says (as in Go's reader).
    const size = "123456".includes(e.type) ? 0 : e.size;
    const sink = this.sink.entry({ ...e, size });
    if (size === 0) this.endContent(sink, 0);
    else this.state = { kind: "content", left: size, size, sink };
  }

  private endContent(sink: ContentSink | undefined, size: number): void {
    sink?.end();
    const pad = padding(size);
    this.state = pad === 0 ? { kind: "header" } : { kind: "padding", left: pad };
  }

  private onMetaContent(type: string, data: Buffer): void {
    const pad = padding(data.length);
    this.state = pad === 0 ? { kind: "header" } : { kind: "padding", left: pad };
    switch (type) {
      case "L":
        this.longName = nulTrimmed(data);
        break;
      case "K":
        this.longLink = nulTrimmed(data);
        break;
      case "x":
        this.pax = parsePax(data);
        break;
      case "g":
        for (const [k, v] of parsePax(data)) this.globalPax.set(k, v);
        break;
      default:
        break;
    }
  }
}

function nulTrimmed(b: Buffer): string {
  const end = b.indexOf(0);
  return decodeName(end === -1 ? b : b.subarray(0, end));
}

function applyPax(e: TarEntry, pax: Map<string, Buffer>): void {
  for (const [k, v] of pax) {
    if (v.length === 0) continue; // an empty value deletes a global one: fall back to the header
    switch (k) {
      case "path":
        e.name = decodeName(v);
        break;
      case "linkpath":
        e.linkname = decodeName(v);
        break;
      case "size":
        e.size = paxNumber(v, k);
        break;
      case "uid":
        e.uid = paxNumber(v, k);
        break;
      case "gid":
        e.gid = paxNumber(v, k);
        break;
      case "mtime":
        e.mtime = paxNumber(v, k);
        break;
      case "atime":
        e.atime = paxNumber(v, k);
        break;
      default:
        if (k.startsWith("SCHILY.xattr.")) e.xattrs.set(k.slice(13), v);
        else if (k.startsWith("GNU.sparse.")) throw invalid("sparse files in layer tars are not supported");
        break;
    }
  }
  if (!Number.isSafeInteger(e.size) || e.size < 0) throw invalid(`invalid tar entry size for ${e.name}`);
}
