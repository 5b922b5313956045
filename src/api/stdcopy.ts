/**
 * Docker's stdcopy framing for streams without a TTY: each frame is an
 * 8-byte header (stream byte 0 stdin/1 stdout/2 stderr, three zero bytes,
 * big-endian uint32 length) then the payload. With a TTY the bytes go raw.
 */
export type StreamId = 0 | 1 | 2;

export function frame(stream: StreamId, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

/** Splits a framed byte stream back into (stream, payload) pairs, across chunk boundaries. */
export class Demuxer {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { stream: StreamId; data: Buffer }[] {
    this.buf = this.buf.length > 0 ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: { stream: StreamId; data: Buffer }[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + len) break;
      const s = this.buf[0];
      out.push({ stream: s === 0 || s === 2 ? s : 1, data: this.buf.subarray(8, 8 + len) });
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }

  /** Bytes of an incomplete frame left at the end. */
  get pending(): number {
    return this.buf.length;
  }
}
