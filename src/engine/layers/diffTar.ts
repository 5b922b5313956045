/**
 * A container's upper dir as a layer tar (for commit): overlay whiteouts
 * become `.wh.NAME` files and opaque dirs get a `.wh..wh..opq` entry, the
 * inverse of unpack.ts. Entries come in walk order, hard links within the
 * upper dir as link entries, sockets skipped (tar cannot hold them), mtimes
 * truncated to seconds (as Docker does, so plain ustar headers suffice).
 */
import { constants } from "node:fs";
import { open, readlink } from "node:fs/promises";
import { internal } from "../errors.js";
import { nativeSys } from "../host/native.js";
import { isOpaque } from "./changes.js";
import { BLOCK, encodeHeader, padding, type HeaderInput } from "./tarHeader.js";
import { OPAQUE_MARKER, WHITEOUT_PREFIX } from "./unpack.js";
import { devMajor, devMinor, isWhiteout, walkTree, type WalkEntry } from "./walk.js";

const CHUNK = 1 << 20;

function xattrsOf(abs: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const sys = nativeSys();
  for (const name of sys.llistxattr(abs)) {
    if (name.startsWith("trusted.overlay.")) continue;
    const v = sys.lgetxattr(abs, name);
    if (v) out.set(name, v);
  }
  return out;
}

/**
 * One piece of the diff tar: header or padding bytes, or a chunk of the content of the file at
 * `file` (its path relative to the upper dir, `size` its whole length).
 */
export interface DiffTarPart {
  bytes: Buffer;
  file?: { path: string; size: number };
}

export async function* diffTarStream(upper: string): AsyncGenerator<Buffer> {
  for await (const p of diffTarParts(upper)) yield p.bytes;
}

/** Entries prepared ahead of the one being yielded: small files are read while earlier ones go out. */
const LOOKAHEAD = 16;
/** Files up to this size are read whole ahead of time; bigger ones are streamed when their turn comes. */
const PREFETCH_LIMIT = 1 << 20;

/** The diff tar of `upper` in parts; `observe` sees every entry walked, sockets included. */
export async function* diffTarParts(
  upper: string,
  observe: (e: WalkEntry) => void = () => undefined,
): AsyncGenerator<DiffTarPart> {
  const links = new Map<string, string>();
  const ahead: Promise<Iterable<DiffTarPart> | AsyncIterable<DiffTarPart>>[] = [];
  try {
    for await (const e of walkTree(upper)) {
      observe(e);
      ahead.push(entryParts(e, links));
      if (ahead.length >= LOOKAHEAD) yield* await (ahead.shift() as (typeof ahead)[number]);
    }
    while (ahead.length > 0) yield* await (ahead.shift() as (typeof ahead)[number]);
  } finally {
    // Entries prepared but not consumed (the consumer stopped early): settle them quietly.
    for (const p of ahead) p.catch(() => undefined);
  }
  yield { bytes: Buffer.alloc(2 * BLOCK) };
}

/**
 * One entry's parts. Runs in walk order up to its first await, so hard links are told apart
 * in order; a small file's content is read here, a big one's when it is consumed.
 */
async function entryParts(
  e: WalkEntry,
  links: Map<string, string>,
): Promise<Iterable<DiffTarPart> | AsyncIterable<DiffTarPart>> {
  const { path, abs, st } = e;
  const name = path.slice(1);
  const base: Omit<HeaderInput, "name" | "type" | "size"> = {
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    mtime: Number(st.mtimeNs / 1_000_000_000n),
  };
  const header = (h: HeaderInput): DiffTarPart => ({ bytes: encodeHeader(h) });
  if (isWhiteout(st)) {
    const slash = name.lastIndexOf("/");
    const wh = `${name.slice(0, slash + 1)}${WHITEOUT_PREFIX}${name.slice(slash + 1)}`;
    return [header({ ...base, name: wh, type: "0", size: 0, mode: 0o600 })];
  }
  if (st.isDirectory()) {
    const parts = [header({ ...base, name: `${name}/`, type: "5", size: 0, xattrs: xattrsOf(abs) })];
    if (isOpaque(abs))
      parts.push(
        header({ ...base, name: `${name}/${OPAQUE_MARKER}`, type: "0", size: 0, mode: base.mode & 0o777 }),
      );
    return parts;
  }
  if (st.isSocket()) return [];
  if (st.nlink > 1n) {
    const key = `${st.dev}:${st.ino}`;
    const first = links.get(key);
    if (first !== undefined) return [header({ ...base, name, type: "1", size: 0, linkname: first })];
    links.set(key, name);
  }
  if (st.isCharacterDevice() || st.isBlockDevice() || st.isFIFO()) {
    const type = st.isCharacterDevice() ? "3" : st.isBlockDevice() ? "4" : "6";
    const dev = type === "6" ? {} : { devmajor: devMajor(st.rdev), devminor: devMinor(st.rdev) };
    return [header({ ...base, name, type, size: 0, ...dev, xattrs: xattrsOf(abs) })];
  }
  const xattrs = xattrsOf(abs);
  if (st.isSymbolicLink())
    return [header({ ...base, name, type: "2", size: 0, linkname: await readlink(abs), xattrs })];
  const size = Number(st.size);
  const head = header({ ...base, name, type: "0", size, xattrs });
  const file = { path: name, size };
  const pad = padding(size);
  const tail: DiffTarPart[] = pad > 0 ? [{ bytes: Buffer.alloc(pad) }] : [];
  if (size > PREFETCH_LIMIT) return streamed(head, abs, file, tail);
  const bytes = size === 0 ? Buffer.alloc(0) : await readAll(abs, size, path);
  return [head, ...(size > 0 ? [{ bytes, file }] : []), ...tail];
}

async function readAll(abs: string, size: number, path: string): Promise<Buffer> {
  const fh = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const buf = Buffer.allocUnsafe(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(buf, off, size - off, off);
      if (bytesRead === 0) throw internal(`${path} shrank while it was being archived`);
      off += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}

async function* streamed(
  head: DiffTarPart,
  abs: string,
  file: { path: string; size: number },
  tail: DiffTarPart[],
): AsyncGenerator<DiffTarPart> {
  yield head;
  const fh = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    let left = file.size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) throw internal(`/${file.path} shrank while it was being archived`);
      left -= bytesRead;
      yield { bytes: bytesRead === buf.length ? buf : buf.subarray(0, bytesRead), file };
    }
  } finally {
    await fh.close();
  }
  yield* tail;
}

/** Counts Docker's size of a tree (non-directories, hard links once) from walked entries. */
export class TreeSizeCounter {
  private readonly seen = new Set<string>();
  total = 0;

  add(st: WalkEntry["st"]): void {
    if (st.isDirectory()) return;
    if (st.nlink > 1n) {
      const key = `${st.dev}:${st.ino}`;
      if (this.seen.has(key)) return;
      this.seen.add(key);
    }
    this.total += Number(st.size);
  }
}

/** Bytes of the non-directories under `root`, hard links counted once (moby's directory.Size). */
export async function treeSize(root: string): Promise<number> {
  const count = new TreeSizeCounter();
  for await (const { st } of walkTree(root)) count.add(st);
  return count.total;
}
