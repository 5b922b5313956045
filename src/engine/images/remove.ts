/**
 * Image removal and prune with Docker's rules (moby's ImageDelete): a name
 * given untags first, an ID given deletes; containers and child images make
 * conflicts, "soft" ones (stopped containers, other names) yield to force.
 */
import { conflict, notFound } from "../errors.js";
import { messages } from "../messages.js";
import { chainIdOf, digestHex, shortId, type ChainId, type ImageId } from "../ids.js";
import { matchLabelFilters } from "./filters.js";
import { familiarString, parseNormalizedNamed, referenceString, withDefaultTag } from "./reference.js";
import type { ImageService } from "./service.js";
import type { RefRecord } from "./store.js";

export type DeleteItem = { untagged: string } | { deleted: string };

export interface RemoveOptions {
  force: boolean;
  /** Also delete untagged parents (Docker's default; noprune turns it off). */
  prune: boolean;
}

export interface PruneOptions {
  /** Docker's default; `dangling=false` (prune -a) removes every unused image. */
  danglingOnly: boolean;
  untilNano?: bigint;
  labels: string[];
  notLabels: string[];
}

const dependentChild = 1;
const runningContainer = 2;
const activeReference = 4;
const stoppedContainer = 8;
const hard = dependentChild | runningContainer;
const soft = activeReference | stoppedContainer;

class DeleteConflict extends Error {
  constructor(
    readonly imageId: ImageId,
    readonly isHard: boolean,
    readonly used: boolean,
    detail: string,
  ) {
    super(
      `conflict: unable to delete ${shortId(imageId)} (${isHard ? "cannot be forced" : "must be forced"}) - ${detail}`,
    );
  }
}

export class ImageRemover {
  constructor(private readonly s: ImageService) {}

  /** DELETE /images/{name}. */
  async remove(ref: string, opts: RemoveOptions): Promise<DeleteItem[]> {
    const rec = this.s.resolveRecord(ref);
    const id = rec.id;
    const items: DeleteItem[] = [];
    let refs = this.s.records.refsOf(id);
    let quiet = false;
    if (!isIdPrefix(id, ref)) {
      if (!opts.force && isSingleReference(refs)) {
        const user = this.s.deps.users.containersUsingImage(id)[0];
        if (user !== undefined) {
          throw conflict(
            `conflict: unable to remove repository reference "${ref}" (must force) - container ${shortId(user.id)} is using its referenced image ${shortId(id)}`,
          );
        }
      }
      const parsed = withDefaultTag(parseNormalizedNamed(ref));
      const name = referenceString(parsed);
      const own = this.s.records.ref(name);
      if (own === undefined || own.imageId !== id)
        throw notFound(messages.noSuchImage(familiarString(parsed)));
      this.s.records.deleteRef(name);
      items.push({ untagged: familiarString(parsed) });
      this.s.event(id, "untag", id);
      refs = this.s.records.refsOf(id);
      if (parsed.digest === undefined) {
        const repo = name.slice(0, name.length - (parsed.tag?.length ?? 0) - 1);
        const sameRepo = (r: RefRecord) => repoOf(r) === repo;
        if (!refs.some((r) => r.kind === "tag" && sameRepo(r))) {
          for (const r of refs.filter((x) => x.kind === "digest" && sameRepo(x))) {
            this.s.records.deleteRef(r.name);
            items.push({ untagged: familiarString(parseNormalizedNamed(r.name)) });
          }
          refs = this.s.records.refsOf(id);
        }
      }
      if (refs.length > 0) return items;
      quiet = true;
    } else if (isSingleReference(refs)) {
      const mask = opts.force ? hard : hard | (soft & ~activeReference);
      const c = this.checkConflict(id, mask);
      if (c !== undefined) throw conflict(c.message);
      for (const r of refs) {
        this.s.records.deleteRef(r.name);
        items.push({ untagged: familiarString(parseNormalizedNamed(r.name)) });
        this.s.event(id, "untag", id);
      }
    }
    await this.deleteHelper(id, items, opts.force, opts.prune, quiet);
    return items;
  }

  private checkConflict(id: ImageId, mask: number): DeleteConflict | undefined {
    if (mask & dependentChild && this.s.records.children(id).length > 0) {
      return new DeleteConflict(id, true, false, "image has dependent child images");
    }
    const users = this.s.deps.users.containersUsingImage(id);
    const running = users.find((u) => u.running);
    if (mask & runningContainer && running !== undefined) {
      return new DeleteConflict(
        id,
        true,
        true,
        `image is being used by running container ${shortId(running.id)}`,
      );
    }
    if (mask & activeReference && this.s.records.refsOf(id).length > 0) {
      return new DeleteConflict(id, false, false, "image is referenced in multiple repositories");
    }
    const stopped = users.find((u) => !u.running);
    if (mask & stoppedContainer && stopped !== undefined) {
      return new DeleteConflict(
        id,
        false,
        true,
        `image is being used by stopped container ${shortId(stopped.id)}`,
      );
    }
    return undefined;
  }

  private async deleteHelper(
    id: ImageId,
    items: DeleteItem[],
    force: boolean,
    prune: boolean,
    quiet: boolean,
  ): Promise<void> {
    const c = this.checkConflict(id, force ? hard : hard | soft);
    if (c !== undefined) {
      const dangling = this.s.records.refsOf(id).length === 0;
      if (quiet && (!dangling || c.used)) return;
      throw conflict(c.message);
    }
    const rec = this.s.records.get(id);
    if (rec === undefined) return;
    const parent = rec.parent;
    for (const r of this.s.records.refsOf(id)) {
      this.s.records.deleteRef(r.name);
      items.push({ untagged: familiarString(parseNormalizedNamed(r.name)) });
      this.s.event(id, "untag", id);
    }
    this.s.event(id, "delete", id);
    // release() drops the reference synchronously before its first await, so
    // starting it inside the row's transaction makes the two atomic; the
    // files go after the commit (a crash then leaves files the sweep removes).
    let released: Promise<void> | undefined;
    const top = rec.chainId;
    this.s.records.deleteImage(id, () => {
      if (top !== undefined) released = this.s.deps.layers.release(top);
    });
    items.push({ deleted: id });
    if (top !== undefined) {
      await released;
      const chain = chainIdOf(rec.config.rootfs.diff_ids).reverse();
      for (const c of chain) {
        if (this.s.deps.layers.get(c) !== undefined) break;
        items.push({ deleted: c });
      }
    }
    await this.s.deps.content.delete(id).catch(() => undefined);
    if (!prune || parent === "") return;
    if (this.s.records.get(parent as ImageId) === undefined) return;
    await this.deleteHelper(parent as ImageId, items, false, true, true);
  }

  /** POST /images/prune. */
  async prune(opts: PruneOptions): Promise<{ deleted: DeleteItem[]; spaceReclaimed: number }> {
    const sizes = new Map<ChainId, number>();
    for (const rec of this.s.records.all()) {
      for (const c of chainIdOf(rec.config.rootfs.diff_ids))
        sizes.set(c, this.s.deps.layers.get(c)?.size ?? 0);
    }
    const candidates = this.s.records.all().filter((rec) => {
      const refs = this.s.records.refsOf(rec.id);
      const children = this.s.records.children(rec.id);
      if (opts.danglingOnly && children.length > 0) return false;
      if (refs.length === 0 && children.length > 0) return false;
      if (opts.untilNano !== undefined && this.s.createdOf(rec) > opts.untilNano) return false;
      return matchLabelFilters(rec.config.config?.Labels, opts.labels, opts.notLabels);
    });
    const deleted: DeleteItem[] = [];
    for (const rec of candidates) {
      if (this.s.records.get(rec.id) === undefined) continue;
      const refs = this.s.records.refsOf(rec.id);
      if (refs.length > 0) {
        if (opts.danglingOnly && refs.some((r) => r.kind === "tag")) continue;
        for (const r of refs) {
          try {
            deleted.push(...(await this.remove(r.name, { force: false, prune: true })));
          } catch {
            // In use, or gone with an earlier name: prune skips it as Docker does.
          }
        }
      } else {
        try {
          deleted.push(...(await this.remove(digestHex(rec.id), { force: false, prune: true })));
        } catch {
          // In use by a container: kept.
        }
      }
    }
    let spaceReclaimed = 0;
    for (const d of deleted) {
      if ("deleted" in d) spaceReclaimed += sizes.get(d.deleted as ChainId) ?? 0;
    }
    return { deleted, spaceReclaimed };
  }
}

function isIdPrefix(id: ImageId, ref: string): boolean {
  return (id as string).startsWith(ref) || digestHex(id).startsWith(ref);
}

function repoOf(r: RefRecord): string {
  const at = r.name.indexOf("@");
  if (at >= 0) return r.name.slice(0, at);
  const slash = r.name.lastIndexOf("/");
  const colon = r.name.lastIndexOf(":");
  return colon > slash ? r.name.slice(0, colon) : r.name;
}

/** One tag (with any digests of the same repository), as moby's isSingleReference. */
function isSingleReference(refs: readonly RefRecord[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  let single: RefRecord | undefined;
  const canonical = new Set<string>();
  for (const r of refs) {
    if (r.kind === "digest") canonical.add(repoOf(r));
    else if (single === undefined) single = r;
    else return false;
  }
  const pick = single ?? refs[0]!;
  return canonical.size === 1 && canonical.has(repoOf(pick));
}
