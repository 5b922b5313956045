/**
 * conmon's k8s-file log format, one record per line:
 *   `2024-01-02T15:04:05.123456789+00:00 stdout F text\n`
 * `F` ends a line (the text keeps its newline), `P` is a piece of a longer or
 * unterminated line (conmon adds a newline to the record that is not part of
 * the text). Records of one stream are joined until its `F`.
 */
import type { LogLine, StdStream } from "./types.js";

export interface K8sRecord {
  timeNano: bigint;
  stream: StdStream;
  partial: boolean;
  /** The text as the program wrote it (an F record's newline included). */
  text: Buffer;
}

const tsPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 3339 with up to 9 fractional digits → ns since the epoch. */
export function parseTimestampNano(s: string): bigint | undefined {
  const m = tsPattern.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  if (zone !== undefined && zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const offMin = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
    ms -= sign * offMin * 60_000;
  }
  const nanos = BigInt((frac ?? "").padEnd(9, "0"));
  return BigInt(ms) * 1_000_000n + nanos;
}

const SPACE = 0x20;

/** One record line (without its trailing "\n"); undefined when it is not a k8s-file record. */
export function parseK8sRecord(line: Buffer): K8sRecord | undefined {
  const s1 = line.indexOf(SPACE);
  if (s1 < 0) return undefined;
  const s2 = line.indexOf(SPACE, s1 + 1);
  if (s2 < 0) return undefined;
  const timeNano = parseTimestampNano(line.toString("latin1", 0, s1));
  const stream = line.toString("latin1", s1 + 1, s2);
  if (timeNano === undefined || (stream !== "stdout" && stream !== "stderr")) return undefined;
  const tag = line[s2 + 1];
  const partial = tag === 0x50; /* P */
  if (!partial && tag !== 0x46 /* F */) return undefined;
  // "F " or "P ", then the text; an empty F line may lack the space after the tag.
  const body = line.subarray(Math.min(s2 + 3, line.length));
  const text = partial ? Buffer.from(body) : Buffer.concat([body, Buffer.from("\n")]);
  return { timeNano, stream, partial, text };
}

/** Joins P records per stream into whole lines; the time of a line is the time of its first piece. */
export class LineJoiner {
  private pending = new Map<StdStream, { timeNano: bigint; parts: Buffer[] }>();

  push(rec: K8sRecord): LogLine | undefined {
    const p = this.pending.get(rec.stream);
    if (rec.partial) {
      if (p) p.parts.push(rec.text);
      else this.pending.set(rec.stream, { timeNano: rec.timeNano, parts: [rec.text] });
      return undefined;
    }
    if (!p) return { stream: rec.stream, timeNano: rec.timeNano, text: rec.text };
    this.pending.delete(rec.stream);
    return { stream: rec.stream, timeNano: p.timeNano, text: Buffer.concat([...p.parts, rec.text]) };
  }

  /** Lines that never got their end (the program exited mid-line), oldest first. */
  flush(): LogLine[] {
    const out = [...this.pending.entries()].map(([stream, p]) => ({
      stream,
      timeNano: p.timeNano,
      text: Buffer.concat(p.parts),
    }));
    this.pending.clear();
    return out.sort((a, b) => (a.timeNano < b.timeNano ? -1 : a.timeNano > b.timeNano ? 1 : 0));
  }
}
