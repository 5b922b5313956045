/**
 * A directory in overlay upper format (whiteouts as 0/0 character devices, opaque directories
 * marked by xattr) is already what an unpacked layer is. Sealing it makes it a layer in place:
 * its diff tar is generated once to learn the diffID, tar size and tar-split records, and no
 * byte is copied. This is how a build step's container becomes a layer (BuildKit and
 * containerd commit a snapshot the same way), instead of archiving the upper dir and unpacking
 * that archive again.
 */
import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import type { DiffId } from "../ids.js";
import type { AppliedLayer } from "./apply.js";
import { diffTarParts, TreeSizeCounter } from "./diffTar.js";
import { TarSplitRecorder } from "./tarSplit.js";
import type { WalkEntry } from "./walk.js";

export async function sealUpperDir(dir: string): Promise<AppliedLayer> {
  const hash = createHash("sha256");
  const split = new TarSplitRecorder();
  const sockets: WalkEntry[] = [];
  const size = new TreeSizeCounter();
  let tarSize = 0;
  let current: { path: string; size: number } | undefined;
  for await (const part of diffTarParts(dir, (e) => {
    if (e.st.isSocket()) sockets.push(e);
    else size.add(e.st);
  })) {
    hash.update(part.bytes);
    tarSize += part.bytes.length;
    if (part.file === undefined) split.raw(part.bytes);
    else if (part.file !== current) split.file(part.file.path, part.file.size);
    current = part.file;
  }
  // A tar cannot hold a socket: the layer must not have what its tar has not.
  for (const s of sockets) await rm(s.abs, { force: true });
  return {
    diffId: `sha256:${hash.digest("hex")}` as DiffId,
    tarSize,
    size: size.total,
    tarSplit: split.encode(),
  };
}
