/**
 * A container's filesystem as a whole: `export` (a tar of the merged root,
 * without its mounts, as dockerd tars the mounted layer) and `changes`
 * (what differs from its image, Docker's diff).
 */
import { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import type { Change, RwLayers } from "../layers/types.js";
import { viewTar } from "./archiveTar.js";
import { withRootfs, type ContainerAccess } from "./extrasDeps.js";
import { FsView } from "./fsView.js";
import { isActive } from "./state.js";

/**
 * Files dockerd keeps in a container's "-init" layer, under the read-write
 * one, so `docker diff` never lists them: mount points the runtime creates
 * when the image lacks them. Berth has no init layer; it leaves them out here.
 */
const INIT_PATHS = new Set([
  "/.dockerenv",
  "/dev",
  "/dev/console",
  "/dev/pts",
  "/dev/shm",
  "/etc/hostname",
  "/etc/hosts",
  "/etc/mtab",
  "/etc/resolv.conf",
  "/proc",
  "/sys",
]);

/** Drops added init paths, and a parent listed as modified only because of them. */
export function withoutInitPaths(changes: readonly Change[]): Change[] {
  const dropped = changes.filter((c) => c.kind === 1 && INIT_PATHS.has(c.path));
  if (dropped.length === 0) return [...changes];
  const kept = changes.filter((c) => !(c.kind === 1 && INIT_PATHS.has(c.path)));
  const parents = new Set(dropped.map((c) => c.path.slice(0, c.path.lastIndexOf("/")) || "/"));
  return kept.filter(
    (c) => !(c.kind === 0 && parents.has(c.path) && !kept.some((o) => o.path.startsWith(`${c.path}/`))),
  );
}

export class ContainerFilesystem {
  constructor(
    private readonly containers: ContainerAccess,
    private readonly layers: Pick<RwLayers, "mount" | "unmount" | "changes">,
  ) {}

  /** GET /containers/{id}/changes, in walk order, without the runtime's mount points. */
  async changes(ref: string): Promise<Change[]> {
    const c = this.containers.get(ref);
    return withoutInitPaths(await this.layers.changes(c.id));
  }

  /** GET /containers/{id}/export; the container stays locked (and mounted) until the tar ends. */
  export(ref: string): Promise<Readable> {
    return new Promise((resolve, reject) => {
      this.containers
        .withLock(ref, (c) =>
          withRootfs(
            this.layers,
            c,
            () => isActive(this.containers.get(c.id).state),
            async (root) => {
              const tar = Readable.from(viewTar(new FsView(root, []), [], ""), { objectMode: false });
              this.containers.publish(c, "export");
              resolve(tar);
              await finished(tar).catch(() => undefined);
            },
          ),
        )
        .catch(reject);
    });
  }
}
