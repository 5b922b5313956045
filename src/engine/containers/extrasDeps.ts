/**
 * What cp, top, export, commit, stats and update need from the container
 * service: records, the per-container lock, paths and events. The
 * ContainerService satisfies it; unit tests pass literals.
 */
import type { ContainerId } from "../ids.js";
import type { RwLayers } from "../layers/types.js";
import type { Container } from "./model.js";
import type { ContainerPaths } from "./service.js";

export interface ContainerAccess {
  get(ref: string): Container;
  withLock<T>(ref: string, fn: (c: Container, save: (next: Container) => void) => Promise<T>): Promise<T>;
  publish(c: Container, action: string, extra?: Record<string, string>): void;
  paths(id: ContainerId): ContainerPaths;
}

/**
 * Runs `fn` with the container's root filesystem mounted. A container that
 * is not running has its read-write layer mounted for the call and
 * unmounted after; the caller holds the container's lock, so no start can
 * slip in between.
 */
export async function withRootfs<T>(
  layers: Pick<RwLayers, "mount" | "unmount">,
  c: Container,
  /** Whether the container runs now (then its run owns the mount). */
  stillActive: () => boolean,
  fn: (root: string) => Promise<T>,
): Promise<T> {
  const root = await layers.mount(c.id);
  try {
    return await fn(root);
  } finally {
    if (!stillActive()) await layers.unmount(c.id);
  }
}
