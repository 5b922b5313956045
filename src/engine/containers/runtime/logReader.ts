/**
 * Reading a conmon k8s-file log: whole file (after the files max-file kept), last N
 * lines, a time window, and following the file as conmon appends to it (and as it
 * replaces the file when the log reaches its size limit).
 */
import { watch, type FSWatcher } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import { errnoCode } from "../../errors.js";
import { LineJoiner, parseK8sRecord } from "./k8sLog.js";
import { rotatedLogs } from "./logRotation.js";
import type { LogLine, LogReadOptions } from "./types.js";

const CHUNK = 64 * 1024;
/** Fallback poll: inotify misses writes to a file that replaced the watched one. */
const POLL_MS = 250;

/** Splits a byte stream into record lines (without "\n"). */
class RecordSplitter {
  private rest: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    const buf = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk;
    const out: Buffer[] = [];
    let start = 0;
    let nl: number;
    while ((nl = buf.indexOf(0x0a, start)) >= 0) {
      out.push(buf.subarray(start, nl));
      start = nl + 1;
    }
    this.rest = Buffer.from(buf.subarray(start));
    return out;
  }

  reset(): void {
    this.rest = Buffer.alloc(0);
  }
}

interface OpenLog {
  fh: FileHandle;
  ino: number;
  pos: number;
}

async function openLog(path: string): Promise<OpenLog | undefined> {
  try {
    const fh = await open(path, "r");
    const st = await fh.stat();
    return { fh, ino: st.ino, pos: 0 };
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return undefined;
    throw err;
  }
}

/** Read from the current position to EOF, handing each record line to `each`. */
async function drain(log: OpenLog, splitter: RecordSplitter, each: (line: Buffer) => void): Promise<void> {
  const buf = Buffer.alloc(CHUNK);
  for (;;) {
    const { bytesRead } = await log.fh.read(buf, 0, CHUNK, log.pos);
    if (bytesRead === 0) return;
    log.pos += bytesRead;
    for (const line of splitter.push(buf.subarray(0, bytesRead))) each(line);
  }
}

function inWindow(l: LogLine, o: LogReadOptions): boolean {
  if (o.since !== undefined && l.timeNano < o.since) return false;
  return true;
}

function pastUntil(l: LogLine, o: LogReadOptions): boolean {
  return o.until !== undefined && l.timeNano > o.until;
}

/** Wait until the file may have changed, or the reader must stop. */
function waitForChange(path: string, o: LogReadOptions, finalState: { done: boolean }): Promise<void> {
  return new Promise((resolve) => {
    let watcher: FSWatcher | undefined;
    const finish = () => {
      clearTimeout(timer);
      watcher?.close();
      o.signal?.removeEventListener("abort", finish);
      resolve();
    };
    const timer = setTimeout(finish, POLL_MS);
    try {
      watcher = watch(path, { persistent: false }, finish);
      watcher.on("error", () => undefined);
    } catch {
      // file replaced or gone between reads: the timer covers it
    }
    o.signal?.addEventListener("abort", finish, { once: true });
    if (o.followUntil) {
      void o.followUntil.then(
        () => {
          finalState.done = true;
          finish();
        },
        () => {
          finalState.done = true;
          finish();
        },
      );
    }
  });
}

export async function* readLogs(path: string, o: LogReadOptions): AsyncGenerator<LogLine> {
  const joiner = new LineJoiner();
  const splitter = new RecordSplitter();
  const tail = o.tail !== undefined && o.tail >= 0 ? o.tail : undefined;
  let pending: LogLine[] = [];
  let stop = false;
  const onLine = (raw: Buffer) => {
    const rec = parseK8sRecord(raw);
    if (!rec) return;
    const line = joiner.push(rec);
    if (line) pending.push(line);
  };
  // Lines out of `pending`, filtered; with a tail, only the last N before following.
  const takeAll = function* (limitTail: boolean): Generator<LogLine> {
    let lines = pending;
    pending = [];
    if (limitTail && tail !== undefined) lines = tail === 0 ? [] : lines.slice(-tail);
    for (const l of lines) {
      if (pastUntil(l, o)) {
        stop = true;
        return;
      }
      if (inWindow(l, o)) yield l;
    }
  };

  // Files max-file keeps from before the current one, oldest first.
  for (const older of await rotatedLogs(path)) {
    const l = await openLog(older);
    if (l === undefined) continue;
    try {
      await drain(l, splitter, onLine);
    } finally {
      await l.fh.close();
    }
    splitter.reset();
  }
  let log = await openLog(path);
  const finalState = { done: false };
  try {
    if (log) {
      await drain(log, splitter, onLine);
      // A last unterminated line counts for tail only when we are not following.
      if (!o.follow) pending.push(...joiner.flush());
    }
    yield* takeAll(true);
    if (!o.follow || stop) return;
    for (;;) {
      if (o.signal?.aborted) return;
      const wasDone = finalState.done;
      if (!wasDone) await waitForChange(path, o, finalState);
      if (o.signal?.aborted) return;
      if (!log) {
        log = await openLog(path);
      } else {
        // conmon replaces the file (rename) when it reaches --log-size-max.
        const st = await stat(path).catch(() => undefined);
        if (st && (st.ino !== log.ino || st.size < log.pos)) {
          await drain(log, splitter, onLine);
          await log.fh.close();
          splitter.reset();
          log = await openLog(path);
        }
      }
      if (log) await drain(log, splitter, onLine);
      if (finalState.done) pending.push(...joiner.flush());
      yield* takeAll(false);
      if (stop || finalState.done) return;
    }
  } finally {
    await log?.fh.close();
  }
}
