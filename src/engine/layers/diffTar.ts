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

export async function* diffTarStream(upper: string): AsyncGenerator<Buffer> {
  const links = new Map<string, string>();
  for await (const e of walkTree(upper)) {
    yield* entryBlocks(e, links);
  }
  yield Buffer.alloc(2 * BLOCK);
}

async function* entryBlocks(
  { path, abs, st }: WalkEntry,
  links: Map<string, string>,
): AsyncGenerator<Buffer> {
  const name = path.slice(1);
  const base: Omit<HeaderInput, "name" | "type" | "size"> = {
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    mtime: Number(st.mtimeNs / 1_000_000_000n),
  };
  if (isWhiteout(st)) {
    const slash = name.lastIndexOf("/");
    const wh = `${name.slice(0, slash + 1)}${WHITEOUT_PREFIX}${name.slice(slash + 1)}`;
    yield encodeHeader({ ...base, name: wh, type: "0", size: 0, mode: 0o600 });
    return;
  }
  if (st.isDirectory()) {
    yield encodeHeader({ ...base, name: `${name}/`, type: "5", size: 0, xattrs: xattrsOf(abs) });
    if (isOpaque(abs)) {
      yield encodeHeader({
        ...base,
        name: `${name}/${OPAQUE_MARKER}`,
        type: "0",
        size: 0,
        mode: base.mode & 0o777,
      });
    }
    return;
  }
  if (st.isSymbolicLink()) {
    yield encodeHeader({
      ...base,
      name,
      type: "2",
      size: 0,
      linkname: await readlink(abs),
      xattrs: xattrsOf(abs),
    });
    return;
  }
  if (st.isSocket()) return;
  if (st.nlink > 1n) {
    const key = `${st.dev}:${st.ino}`;
    const first = links.get(key);
    if (first !== undefined) {
      yield encodeHeader({ ...base, name, type: "1", size: 0, linkname: first });
      return;
    }
    links.set(key, name);
  }
  if (st.isCharacterDevice() || st.isBlockDevice() || st.isFIFO()) {
    const type = st.isCharacterDevice() ? "3" : st.isBlockDevice() ? "4" : "6";
    const dev = type === "6" ? {} : { devmajor: devMajor(st.rdev), devminor: devMinor(st.rdev) };
    yield encodeHeader({ ...base, name, type, size: 0, ...dev, xattrs: xattrsOf(abs) });
    return;
  }
  const size = Number(st.size);
  yield encodeHeader({ ...base, name, type: "0", size, xattrs: xattrsOf(abs) });
  const fh = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) throw internal(`${path} shrank while it was being archived`);
      left -= bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
  const pad = padding(size);
  if (pad > 0) yield Buffer.alloc(pad);
}

/** Bytes of the non-directories under `root`, hard links counted once (moby's directory.Size). */
export async function treeSize(root: string): Promise<number> {
  const seen = new Set<string>();
  let n = 0;
  for await (const { st } of walkTree(root)) {
    if (st.isDirectory()) continue;
    if (st.nlink > 1n) {
      const key = `${st.dev}:${st.ino}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    n += Number(st.size);
  }
  return n;
}
