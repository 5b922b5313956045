/**
 * Volumes of a container, as Docker registers its mount points: at create
 * the image's (and Config's) VOLUME paths get anonymous volumes, then
 * --volumes-from copies another container's mounts, then -v/--mount win at
 * their destinations; new volumes receive the image's content there
 * (copy-up). At start each volume is acquired and bound; at the end of the
 * run released; `rm -v` removes the anonymous ones.
 */
import { posix } from "node:path";
import { invalid, notImplemented } from "../errors.js";
import { log } from "../log.js";
import type { ContainerServiceDeps, ContainerVolumes } from "./deps.js";
import type { BindMount, Container, MountSpec, ResolvedConfig, TmpfsMount, VolumeMount } from "./model.js";
import { resolveInRoot } from "./rootfsFiles.js";
import type { ContainerStore } from "./store.js";
import type { Undo } from "../undo.js";

const clean = (p: string): string => posix.normalize(p).replace(/(.)\/+$/, "$1");

/** The mounts a container is created with; volumes not created yet have name "" (anonymous) or their name. */
export function planMounts(
  explicit: readonly MountSpec[],
  config: ResolvedConfig,
  volumesFrom: readonly string[],
  store: ContainerStore,
): MountSpec[] {
  const byTarget = new Map<string, MountSpec>();
  for (const dest of Object.keys(config.volumes)) {
    if (!dest.startsWith("/")) throw invalid(`invalid mount config: mount path must be absolute: ${dest}`);
    const target = clean(dest);
    byTarget.set(target, anonymousAt(target));
  }
  for (const spec of volumesFrom) {
    const { ref, mode } = parseVolumesFrom(spec);
    const from = store.resolve(ref);
    for (const m of from.spec.host.mounts) {
      if (m.type === "tmpfs") continue;
      const readOnly = mode === "" ? m.readOnly : mode === "ro";
      // Inherited volumes belong to the other container: this one never removes them.
      byTarget.set(
        clean(m.target),
        m.type === "volume" ? { ...m, readOnly, anonymous: false } : { ...m, readOnly },
      );
    }
  }
  const seen = new Set<string>();
  for (const m of explicit) {
    const target = clean(m.target);
    if (seen.has(target)) throw invalid(`Duplicate mount point: ${target}`);
    seen.add(target);
    byTarget.set(target, { ...m, target });
  }
  return [...byTarget.values()];
}

function anonymousAt(target: string): VolumeMount {
  return {
    type: "volume",
    name: "",
    source: "",
    target,
    readOnly: false,
    anonymous: true,
    noCopy: false,
    mode: "",
  };
}

/** "web", "web:ro", "web:rw". */
export function parseVolumesFrom(spec: string): { ref: string; mode: "" | "ro" | "rw" } {
  const at = spec.lastIndexOf(":");
  if (at < 0) return { ref: spec, mode: "" };
  const mode = spec.slice(at + 1);
  if (mode !== "ro" && mode !== "rw") throw invalid(`invalid mode: ${mode}`);
  return { ref: spec.slice(0, at), mode };
}

/**
 * Creates the volumes the plan names (anonymous ones get their random name)
 * and fills new empty ones from the image at `rootfs`, unless nocopy.
 * Anonymous volumes made here are removed again if the create fails.
 */
export async function createVolumes(
  containerId: string,
  mounts: MountSpec[],
  volumes: ContainerVolumes | undefined,
  rootfs: () => Promise<string>,
  undo: Undo,
): Promise<MountSpec[]> {
  const out: MountSpec[] = [];
  const fresh: VolumeMount[] = [];
  for (const m of mounts) {
    if (m.type !== "volume" || m.source !== "") {
      out.push(m);
      continue;
    }
    if (volumes === undefined) throw notImplemented("volumes are not available in this daemon");
    const v = await volumes.create({
      ...(m.name !== "" ? { name: m.name } : {}),
      ...(m.createOptions ? { options: m.createOptions } : {}),
      ...(m.createLabels ? { labels: m.createLabels } : {}),
    });
    if (m.name === "") undo.push("anonymous volume", () => volumes.remove(v.name, { force: true }));
    const made: VolumeMount = { ...m, name: v.name, source: v.mountpoint };
    out.push(made);
    if (!m.noCopy) fresh.push(made);
  }
  if (fresh.length > 0 && volumes !== undefined) {
    const root = await rootfs();
    for (const m of fresh) {
      // Resolved inside the rootfs: an image symlink cannot point the copy at the host.
      const src = await resolveInRoot(root, m.target);
      await volumes.populateFromImage(m.name, src);
    }
  }
  log.debug(`container ${containerId}: ${fresh.length} volume(s) to copy up`);
  return out;
}

/**
 * At start: acquires every volume and turns volume mounts into the binds the
 * runtime applies. Releases what it acquired if a later one fails.
 */
export async function acquireVolumes(
  c: Container,
  deps: ContainerServiceDeps,
  undo: Undo,
): Promise<(BindMount | TmpfsMount)[]> {
  const out: (BindMount | TmpfsMount)[] = [];
  for (const m of c.spec.host.mounts) {
    if (m.type !== "volume") {
      out.push(m);
      continue;
    }
    const volumes = deps.volumes;
    if (volumes === undefined) throw notImplemented("volumes are not available in this daemon");
    const source = await volumes.acquire(m.name, c.id, {
      destination: m.target,
      readWrite: !m.readOnly,
      propagation: "",
    });
    undo.push(`volume ${m.name}`, () => volumes.release(m.name, c.id));
    out.push({ type: "bind", source, target: m.target, readOnly: m.readOnly, propagation: "rprivate" });
  }
  return out;
}

/** At the end of a run. Idempotent (release of a volume not held is a no-op). */
export async function releaseVolumes(c: Container, deps: ContainerServiceDeps): Promise<void> {
  for (const m of c.spec.host.mounts) {
    if (m.type !== "volume" || deps.volumes === undefined) continue;
    await deps.volumes
      .release(m.name, c.id)
      .catch((err: unknown) => log.warn(`release volume ${m.name}: ${(err as Error).message}`));
  }
}

/** `rm -v` and `--rm`: the container's own anonymous volumes go; named ones stay, as in Docker. */
export async function removeAnonymousVolumes(c: Container, deps: ContainerServiceDeps): Promise<void> {
  for (const m of c.spec.host.mounts) {
    if (m.type !== "volume" || !m.anonymous || deps.volumes === undefined) continue;
    await deps.volumes
      .remove(m.name)
      .catch((err: unknown) => log.warn(`remove volume ${m.name}: ${(err as Error).message}`));
  }
}

/** Names of the volumes a container record refers to. */
export function volumeNames(c: Container): string[] {
  return c.spec.host.mounts.flatMap((m) => (m.type === "volume" ? [m.name] : []));
}
