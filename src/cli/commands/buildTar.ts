/**
 * The tar `berth build` sends: context entries (buildContext.ts) packed as the request body
 * reads them, so at most one file is in memory (a big one not even that: it is streamed).
 * Loaded only when something must be sent (an unchanged context sends nothing).
 */
import { createReadStream, readFileSync } from "node:fs";
import { Readable } from "node:stream";
import tar, { type Header } from "tar-stream";
import type { ContextEntry } from "./buildContext.js";

/** Files above this size are streamed from disk instead of read whole. */
const READ_WHOLE = 4 << 20;

function header(e: ContextEntry, size: number): Partial<Header> & Pick<Header, "name"> {
  const h = { name: e.path, mode: e.mode, mtime: new Date(e.mtime * 1000), uid: 0, gid: 0 };
  if (e.type === "dir") return { ...h, type: "directory" };
  if (e.type === "symlink") return { ...h, type: "symlink", linkname: e.linkname ?? "" };
  return { ...h, type: "file", size };
}

function add(pack: tar.Pack, h: Partial<Header> & Pick<Header, "name">, body?: Buffer): Promise<void> {
  return new Promise((res, rej) =>
    body === undefined
      ? pack.entry(h, (err) => (err ? rej(err) : res()))
      : pack.entry(h, body, (err) => (err ? rej(err) : res())),
  );
}

async function addEntry(pack: tar.Pack, e: ContextEntry): Promise<void> {
  if (e.type !== "file") return add(pack, header(e, 0));
  if (e.data !== undefined || e.abs === undefined) {
    const data = e.data ?? Buffer.alloc(0);
    return add(pack, header(e, data.length), data);
  }
  if (e.size <= READ_WHOLE) {
    const data = readFileSync(e.abs);
    return add(pack, header(e, data.length), data);
  }
  let sink!: ReturnType<tar.Pack["entry"]>;
  const written = new Promise<void>((res, rej) => {
    sink = pack.entry(header(e, e.size), (err) => (err ? rej(err) : res()));
  });
  for await (const chunk of createReadStream(e.abs, { end: e.size - 1 }))
    if (!sink.write(chunk as Buffer)) await new Promise<void>((r) => sink.once("drain", () => r()));
  sink.end(undefined);
  await written.catch((err: unknown) => {
    throw new Error(`${e.path}: the file changed while it was sent (${(err as Error).message})`);
  });
}

/**
 * A tar of `entries` (all of them, or the paths in `only`), produced as it is read: entries
 * are added only as fast as the reader takes them.
 */
export function packEntries(entries: readonly ContextEntry[], only?: ReadonlySet<string>): Readable {
  const pack = tar.pack();
  void (async () => {
    for (const e of entries) if (only === undefined || only.has(e.path)) await addEntry(pack, e);
    pack.finalize();
  })().catch((err: unknown) => pack.destroy(err as Error));
  return Readable.from(pack);
}

/** A lone Dockerfile (stdin that is not an archive) as a context. */
export function dockerfileContext(text: Buffer): Readable {
  const now = Math.floor(Date.now() / 1000);
  return packEntries([
    { path: "Dockerfile", type: "file", mode: 0o600, mtime: now, size: text.length, data: text },
  ]);
}
