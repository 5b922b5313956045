/**
 * Spools an untrusted image archive (plain or compressed tar) into a private temp
 * directory. Entries are stored under generated names, never under the
 * archive's own paths, so nothing in the archive can write outside the
 * directory; the archive's paths live only in a map, normalised, with `..`
 * and absolute paths refused. Symlinks and hard links resolve inside the map.
 */
import { createReadStream, createWriteStream } from "node:fs";
import * as fs from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import { invalid } from "../../errors.js";
import { decompress, sniffCompression } from "../../layers/decompress.js";

type Node = { kind: "file"; file: string; size: number } | { kind: "link"; target: string } | { kind: "dir" };

const maxEntries = 100_000;
/** manifest.json, index.json, repositories, configs, manifests: JSON we parse in memory. */
export const maxJsonBytes = 8 * 1024 * 1024;

export class SpooledArchive {
  private constructor(
    readonly dir: string,
    private readonly nodes: Map<string, Node>,
  ) {}

  static async from(source: Readable, tmpRoot: string): Promise<SpooledArchive> {
    await fs.mkdir(tmpRoot, { recursive: true, mode: 0o700 });
    const dir = await fs.mkdtemp(join(tmpRoot, "load-"));
    const nodes = new Map<string, Node>();
    try {
      const extract = tar.extract();
      const input = await decompressed(source);
      const feeding = pipeline(input, extract);
      // Awaited below on success; on an early error the loop's error wins.
      feeding.catch(() => undefined);
      let n = 0;
      for await (const entry of extract) {
        if (++n > maxEntries) throw invalid(`invalid archive: more than ${maxEntries} entries`);
        const name = archivePath(entry.header.name);
        const type = entry.header.type ?? "file";
        if (type === "file" || type === "contiguous-file") {
          const file = join(dir, `e${n}`);
          await pipeline(entry, createWriteStream(file, { mode: 0o600 }));
          nodes.set(name, { kind: "file", file, size: entry.header.size ?? 0 });
        } else {
          entry.resume();
          if (type === "directory") nodes.set(name, { kind: "dir" });
          else if (type === "symlink" || type === "link") {
            const link = entry.header.linkname ?? "";
            const target = type === "link" ? archivePath(link) : resolveRelative(name, link);
            nodes.set(name, { kind: "link", target });
          }
          // Devices, fifos and the like have no place in an image archive: ignored.
        }
      }
      await feeding;
    } catch (err) {
      await fs.rm(dir, { recursive: true, force: true });
      if (
        err instanceof Error &&
        /unexpected end|Unexpected end|invalid tar|Invalid tar/i.test(err.message)
      ) {
        throw invalid(`invalid archive: ${err.message}`, err);
      }
      throw err;
    }
    return new SpooledArchive(dir, nodes);
  }

  has(path: string): boolean {
    return this.lookup(path) !== undefined;
  }

  private lookup(path: string): { file: string; size: number } | undefined {
    let p = archivePath(path);
    for (let hops = 0; hops < 16; hops++) {
      const node = this.nodes.get(p);
      if (node === undefined || node.kind === "dir") return undefined;
      if (node.kind === "file") return node;
      p = node.target;
    }
    throw invalid(`invalid archive: too many levels of links at ${path}`);
  }

  /** A file of the archive; a clear error when it is missing. */
  entry(path: string, what: string): { file: string; size: number } {
    const e = this.lookup(path);
    if (e === undefined)
      throw invalid(`invalid archive: ${what} ${JSON.stringify(path)} not found in archive`);
    return e;
  }

  async readJson(path: string, what: string): Promise<{ bytes: Buffer; value: unknown }> {
    const e = this.entry(path, what);
    if (e.size > maxJsonBytes)
      throw invalid(`invalid archive: ${what} ${path} is too large (${e.size} bytes)`);
    const bytes = await fs.readFile(e.file);
    try {
      return { bytes, value: JSON.parse(bytes.toString("utf8")) };
    } catch (err) {
      throw invalid(`invalid archive: ${what} ${path}: ${(err as Error).message}`);
    }
  }

  open(path: string, what: string): { stream: Readable; size: number } {
    const e = this.entry(path, what);
    return { stream: createReadStream(e.file), size: e.size };
  }

  async remove(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}

/** Normalises an archive path ("./a//b/" → "a/b"); refuses absolute paths and "..". */
export function archivePath(raw: string): string {
  if (raw.startsWith("/")) throw invalid(`invalid archive: absolute path ${JSON.stringify(raw)}`);
  const parts: string[] = [];
  for (const p of raw.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") throw invalid(`invalid archive: path ${JSON.stringify(raw)} escapes the archive`);
    parts.push(p);
  }
  return parts.join("/");
}

function resolveRelative(from: string, target: string): string {
  if (target.startsWith("/")) throw invalid(`invalid archive: link ${from} points outside the archive`);
  const parts = from.split("/").slice(0, -1);
  for (const p of target.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") {
      if (parts.length === 0) throw invalid(`invalid archive: link ${from} points outside the archive`);
      parts.pop();
    } else parts.push(p);
  }
  return parts.join("/");
}

/** Decompresses what starts with a gzip, bzip2, xz or zstd magic, else passes it through. */
export async function decompressed(source: Readable): Promise<Readable> {
  const iter = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = await iter.next();
  while (head.done !== true && head.value.length === 0) head = await iter.next();
  if (head.done === true) throw invalid("invalid archive: empty input");
  const first = head.value;
  const whole = Readable.from(
    (async function* () {
      yield first;
      for (;;) {
        const n = await iter.next();
        if (n.done === true) return;
        yield n.value;
      }
    })(),
    { objectMode: false },
  );
  const { compression, stream } = await sniffCompression(whole);
  return Readable.from(decompress(compression, stream), { objectMode: false });
}
