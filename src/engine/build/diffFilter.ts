/**
 * A build container's diff without the runtime's mount points. runc creates empty
 * /etc/hosts, /etc/resolv.conf, /etc/hostname (and /dev, /proc, /sys…) in the rootfs to bind
 * mount over them; dockerd keeps those in a separate init layer, so a RUN that changed nothing
 * else has no layer (`empty_layer`). The same placeholders are dropped here.
 */
import { posix } from "node:path";
import type { Change } from "../layers/index.js";

const placeholders = new Set([
  "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/.dockerenv",
  "/dev", "/proc", "/sys", "/dev/shm", "/dev/pts", "/dev/mqueue", "/dev/console",
]); // prettier-ignore

const parentsOfPlaceholders = new Set(["/", "/etc"]);

export interface FilteredDiff {
  /** The changes that make a real layer. */
  keep: Change[];
  /** Placeholders and stubs to leave out of the layer when empty (relative paths, deepest first). */
  dropped: string[];
}

/**
 * `mountTargets`: where a RUN's `--mount`s (and heredoc scripts) were bound. runc makes those
 * directories (and missing parents) in the rootfs; BuildKit removes such mount stubs, so a
 * stub and a parent whose only change is a stub are dropped too.
 */
export function filterDiff(changes: readonly Change[], mountTargets: readonly string[] = []): FilteredDiff {
  const dropped = new Set<string>();
  const stubs = mountStubs(changes, mountTargets);
  const keep: Change[] = [];
  for (const c of changes) {
    if (c.kind === 1 && placeholders.has(c.path)) dropped.add(c.path.slice(1));
    else if (stubs.has(c.path)) dropped.add(c.path.slice(1));
    else if (c.kind === 0 && parentsOfPlaceholders.has(c.path)) continue;
    else keep.push(c);
  }
  return { keep, dropped: [...dropped].sort((a, b) => b.length - a.length) };
}

/** Mount targets and their ancestors whose every changed descendant is itself a stub. */
function mountStubs(changes: readonly Change[], targets: readonly string[]): Set<string> {
  const stubs = new Set<string>();
  if (targets.length === 0) return stubs;
  const changed = new Map(changes.map((c) => [c.path, c.kind]));
  const candidates = new Set<string>();
  for (const t of targets)
    for (let p = posix.normalize(t).replace(/\/+$/, ""); p !== "" && p !== "/"; p = posix.dirname(p))
      candidates.add(p);
  // Deepest first, so a parent sees its children's verdicts.
  for (const c of [...candidates].sort((a, b) => b.length - a.length)) {
    const kind = changed.get(c);
    if (kind === undefined || kind === 2) continue;
    const under = changes.filter((x) => x.path.startsWith(`${c}/`));
    if (under.every((x) => stubs.has(x.path))) stubs.add(c);
  }
  return stubs;
}
