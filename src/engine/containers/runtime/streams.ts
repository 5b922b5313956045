/**
 * Glue between conmon's attach socket and the session objects the runtime
 * hands out: an ordered queue of output chunks, and stdin forwarding with
 * half-close.
 */
import type { Readable } from "node:stream";
import { ATTACH_MAX_PACKET, type AttachConnection } from "../../host/conmon.js";
import type { OutputChunk } from "./types.js";

/** An async iterable fed by push(); ends on end(). Unbounded: conmon gives us no way to push back. */
export class ChunkQueue implements AsyncIterable<OutputChunk> {
  private items: OutputChunk[] = [];
  private done = false;
  private wake: (() => void) | undefined;

  push(c: OutputChunk): void {
    if (this.done) return;
    this.items.push(c);
    this.wake?.();
  }

  end(): void {
    this.done = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<OutputChunk> {
    for (;;) {
      const c = this.items.shift();
      if (c) {
        yield c;
        continue;
      }
      if (this.done) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}

/** conmon's stream bytes: 2 stdout, 3 stderr. */
const STDOUT = 2;
const STDERR = 3;

export function pumpOutput(
  conn: AttachConnection,
  q: ChunkQueue,
  wantStdout: boolean,
  wantStderr: boolean,
): void {
  conn.onPacket((stream, data) => {
    if (stream === STDOUT && wantStdout) q.push({ stream: "stdout", data: Buffer.from(data) });
    else if (stream === STDERR && wantStderr) q.push({ stream: "stderr", data: Buffer.from(data) });
  });
  conn.onEnd(() => q.end());
}

/**
 * Copy stdin to the socket in packets conmon reads whole; when stdin ends,
 * half-close so conmon closes the container's stdin (unless told to leave it open).
 */
export function pumpStdin(stdin: Readable, conn: AttachConnection): () => void {
  let stopped = false;
  // Writes go out one after another; end() waits for the last of them.
  let chain = Promise.resolve();
  const onData = (chunk: Buffer | string) => {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    stdin.pause();
    chain = chain.then(async () => {
      for (let off = 0; off < buf.length && !stopped; off += ATTACH_MAX_PACKET) {
        await conn.write(buf.subarray(off, off + ATTACH_MAX_PACKET)).catch(() => {
          stopped = true;
        });
      }
      if (!stopped) stdin.resume();
    });
  };
  const onEnd = () => {
    chain = chain.then(() => {
      if (!stopped) conn.end();
    });
  };
  stdin.on("data", onData);
  stdin.once("end", onEnd);
  stdin.on("error", () => undefined);
  conn.onEnd(() => {
    stopped = true;
  });
  return () => {
    stopped = true;
    stdin.off("data", onData);
    stdin.off("end", onEnd);
  };
}
