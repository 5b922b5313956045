/**
 * An in-memory layer store for the image service's unit tests: layers are
 * the tar bytes themselves, with the same retain/release rules as the real
 * store (an unreferenced layer without children is deleted).
 */
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { invalid, notFound } from "../errors.js";
import { chainIdOf, sha256Digest, type ChainId, type DiffId } from "../ids.js";
import type { Layer, LayerProgress } from "../layers/types.js";
import type { ImageLayers } from "./service.js";

export class FakeLayers implements ImageLayers {
  readonly layers = new Map<ChainId, Layer & { bytes: Buffer }>();
  readonly refs = new Map<ChainId, number>();

  async register(tar: Readable, parent: ChainId | undefined, onProgress?: (p: LayerProgress) => void) {
    const chunks: Buffer[] = [];
    let read = 0;
    for await (const c of tar as AsyncIterable<Buffer>) {
      chunks.push(c);
      read += c.length;
      onProgress?.({ bytesRead: read });
    }
    let bytes = Buffer.concat(chunks);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    if (bytes.length < 512 || bytes.length % 512 !== 0) throw invalid("not a tar archive");
    if (bytes.includes(Buffer.from("../escape"))) throw invalid("path escapes the layer");
    const diffId = sha256Digest(bytes) as DiffId;
    const parentDiffs = parent === undefined ? [] : this.chain(parent).map((l) => l.diffId);
    const chainId = chainIdOf([...parentDiffs, diffId]).pop()!;
    const existing = this.layers.get(chainId);
    if (existing !== undefined) return existing;
    const layer = { chainId, diffId, parent, size: bytes.length, tarSize: bytes.length, bytes };
    this.layers.set(chainId, layer);
    return layer;
  }

  get(chainId: ChainId): Layer | undefined {
    return this.layers.get(chainId);
  }

  chain(top: ChainId): Layer[] {
    const out: Layer[] = [];
    for (let c: ChainId | undefined = top; c !== undefined;) {
      const l = this.layers.get(c);
      if (l === undefined) throw notFound(`layer ${c} not found`);
      out.unshift(l);
      c = l.parent;
    }
    return out;
  }

  chainSize(top: ChainId | undefined): number {
    return top === undefined ? 0 : this.chain(top).reduce((n, l) => n + l.size, 0);
  }

  tarStream(chainId: ChainId): Readable {
    const l = this.layers.get(chainId);
    if (l === undefined) throw notFound(`layer ${chainId} not found`);
    return Readable.from([l.bytes]);
  }

  retain(chainId: ChainId): void {
    this.refs.set(chainId, (this.refs.get(chainId) ?? 0) + 1);
  }

  async release(chainId: ChainId): Promise<void> {
    const n = (this.refs.get(chainId) ?? 0) - 1;
    if (n > 0) {
      this.refs.set(chainId, n);
      return;
    }
    this.refs.delete(chainId);
    for (let c: ChainId | undefined = chainId; c !== undefined;) {
      const l = this.layers.get(c);
      if (l === undefined || (this.refs.get(c) ?? 0) > 0) return;
      if ([...this.layers.values()].some((x) => x.parent === c)) return;
      this.layers.delete(c);
      c = l.parent;
    }
  }
}
