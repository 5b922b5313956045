/**
 * Where the layer store keeps things under its root:
 *
 *   layers/<cacheId>/diff            unpacked read-only layer (an overlay lower dir)
 *   layers/<cacheId>/tar-split.gz    what it takes to rebuild its tar
 *   layers/tmp-<random>/             a layer being unpacked (swept at start-up)
 *   l/<cacheId> -> ../layers/<cacheId>/diff   short names for the lowerdir option
 *   rw/<id>/{upper,work,merged}      a container's read-write layer
 *   empty/                           the lower dir of containers of scratch images
 */
import { join } from "node:path";

export class LayerPaths {
  readonly layers: string;
  readonly links: string;
  readonly rw: string;
  readonly empty: string;

  constructor(readonly root: string) {
    this.layers = join(root, "layers");
    this.links = join(root, "l");
    this.rw = join(root, "rw");
    this.empty = join(root, "empty");
  }

  layerDir(cacheId: string): string {
    return join(this.layers, cacheId);
  }

  diff(cacheId: string): string {
    return join(this.layers, cacheId, "diff");
  }

  tarSplit(cacheId: string): string {
    return join(this.layers, cacheId, "tar-split.gz");
  }

  link(cacheId: string): string {
    return join(this.links, cacheId);
  }

  /** The link's target, relative so that the root can move. */
  linkTarget(cacheId: string): string {
    return `../layers/${cacheId}/diff`;
  }

  rwDir(id: string): string {
    return join(this.rw, id);
  }

  upper(id: string): string {
    return join(this.rw, id, "upper");
  }

  work(id: string): string {
    return join(this.rw, id, "work");
  }

  merged(id: string): string {
    return join(this.rw, id, "merged");
  }
}
