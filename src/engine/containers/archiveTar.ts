/**
 * A tar of one resource in a container's filesystem view, as `GET
 * /containers/{id}/archive` sends it (go-archive's TarWithOptions with a
 * rebase): a directory comes as `NAME/` and everything under it, a file or
 * symlink as the single entry `NAME`. The walk never follows symlinks (they
 * are archived as links) and crosses into bind mounts as the container sees
 * them. Hard links within the resource become link entries; sockets are
 * skipped (tar cannot hold them); times are whole seconds, as Docker writes.
 */
import { constants, type BigIntStats } from "node:fs";
import { lstat, open, readdir, readlink } from "node:fs/promises";
import { internal } from "../errors.js";
import { BLOCK, encodeHeader, padding, type HeaderInput } from "../layers/tarHeader.js";
import { devMajor, devMinor } from "../layers/walk.js";
import type { FsView } from "./fsView.js";

const CHUNK = 1 << 20;

/**
 * Entries for the resolved path `comps`, named under `rebase` ("." for a
 * directory's contents only, as a trailing "/." asks; "" for the contents
 * with bare names and no root entry, as `docker export` writes).
 */
export async function* viewTar(
  view: FsView,
  comps: readonly string[],
  rebase: string,
): AsyncGenerator<Buffer> {
  const links = new Map<string, string>();
  if (rebase === "") yield* children(view, [...comps], "", links);
  else yield* entry(view, [...comps], rebase, links);
  yield Buffer.alloc(2 * BLOCK);
}

async function* children(
  view: FsView,
  comps: string[],
  name: string,
  links: Map<string, string>,
): AsyncGenerator<Buffer> {
  const names = (await readdir(view.host(comps))).sort((a, b) =>
    Buffer.compare(Buffer.from(a), Buffer.from(b)),
  );
  for (const child of names) {
    const childName = name === "" ? child : name === "." ? `./${child}` : `${name}/${child}`;
    yield* entry(view, [...comps, child], childName, links);
  }
}

async function* entry(
  view: FsView,
  comps: string[],
  name: string,
  links: Map<string, string>,
): AsyncGenerator<Buffer> {
  const abs = view.host(comps);
  const st = await lstat(abs, { bigint: true });
  yield* header(abs, st, name, links);
  if (st.isDirectory()) yield* children(view, comps, name, links);
}

async function* header(
  abs: string,
  st: BigIntStats,
  name: string,
  links: Map<string, string>,
): AsyncGenerator<Buffer> {
  const base: Omit<HeaderInput, "name" | "type" | "size"> = {
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    mtime: Number(st.mtimeNs / 1_000_000_000n),
  };
  if (st.isDirectory()) {
    yield encodeHeader({ ...base, name: name.endsWith("/") ? name : `${name}/`, type: "5", size: 0 });
    return;
  }
  if (st.isSymbolicLink()) {
    yield encodeHeader({ ...base, name, type: "2", size: 0, linkname: await readlink(abs) });
    return;
  }
  if (st.isSocket()) return;
  if (st.nlink > 1n && st.isFile()) {
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
    yield encodeHeader({ ...base, name, type, size: 0, ...dev });
    return;
  }
  const size = Number(st.size);
  yield encodeHeader({ ...base, name, type: "0", size });
  // O_NOFOLLOW: if the file was swapped for a link since the lstat, refuse rather than follow it.
  const fh = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) throw internal(`${name} shrank while it was being archived`);
      left -= bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
  const pad = padding(size);
  if (pad > 0) yield Buffer.alloc(pad);
}
