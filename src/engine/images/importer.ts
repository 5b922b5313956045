/**
 * `docker import`: one tar (plain or gzip) becomes a one-layer image whose
 * config is built from the --change lines (moby's ImportImage). The changes
 * are checked before the tar is read, so a bad change costs no unpacking.
 */
import type { Readable } from "node:stream";
import type { ImageId } from "../ids.js";
import { applyChanges } from "./changes.js";
import { importConfig, serializeConfig } from "./config.js";
import type { Reference } from "./reference.js";
import { nowNano, type ImageService } from "./service.js";

export interface ImportOptions {
  tag?: Reference;
  /** History and config comment; Docker's default is "Imported from <src>". */
  comment: string;
  changes: readonly string[];
  onProgress?: (bytesRead: number) => void;
}

export async function importImage(s: ImageService, source: Readable, opts: ImportOptions): Promise<ImageId> {
  const config = applyChanges({}, opts.changes);
  const layer = await s.deps.layers.register(source, undefined, (p) => opts.onProgress?.(p.bytesRead));
  let done = false;
  try {
    const now = nowNano();
    const { bytes } = serializeConfig(
      importConfig({
        diffId: layer.diffId,
        config,
        comment: opts.comment,
        nowNano: now,
        dockerVersion: s.deps.engineVersion,
      }),
    );
    const { id } = await s.create({ configBytes: bytes, tags: opts.tag ? [opts.tag] : [], nowNano: now });
    done = true;
    s.event(id, "import", id);
    return id;
  } finally {
    if (!done) {
      // Nothing holds the new layer: a retain/release pair frees it.
      s.deps.layers.retain(layer.chainId);
      await s.deps.layers.release(layer.chainId);
    }
  }
}
