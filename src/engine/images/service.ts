/**
 * The image service: lookup, create (for import, load, commit and build),
 * tag, list, history and disk usage. Removal and prune are in remove.ts,
 * import in importer.ts, the archives in archive/.
 */
import { rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { ContentStore } from "../content/index.js";
import { invalid, notFound } from "../errors.js";
import { chainIdOf, sha256Digest, type ChainId, type ImageId } from "../ids.js";
import { log } from "../log.js";
import { messages } from "../messages.js";
import type { Db } from "../store/index.js";
import type { LayerExporter, LayerIngester, LayerReader, LayerRefs } from "../layers/types.js";
import { loadImages, type LoadProgress } from "./archive/load.js";
import { saveImages } from "./archive/save.js";
import { parseConfig } from "./config.js";
import { importImage, type ImportOptions } from "./importer.js";
import { ImageRemover, type DeleteItem, type PruneOptions, type RemoveOptions } from "./remove.js";
import { configCreatedNano, matchLabelFilters } from "./filters.js";
import {
  familiarName,
  familiarString,
  matchReferencePattern,
  parseAnyReference,
  parseNormalizedNamed,
  referenceString,
  withDefaultTag,
  type Reference,
} from "./reference.js";
import { ImageRecords, type ImageRecord, type RefRecord } from "./store.js";
import type { Image, ImageConfig, ImageLookup } from "./types.js";

/** The layer store roles images use; `diffDir` (optional) gives GraphDriver paths. */
export type ImageLayers = LayerReader &
  LayerIngester &
  LayerExporter &
  LayerRefs & {
    diffDir?(chainId: ChainId): string;
  };

/** What the service needs to know of containers (provided by containers/). */
export interface ImageUsers {
  containersUsingImage(id: ImageId): { id: string; running: boolean }[];
}

export interface ImageEvents {
  publish(e: { type: "image"; action: string; actorId: string; attributes: Record<string, string> }): unknown;
}

export interface ImageServiceDeps {
  db: Db;
  content: ContentStore;
  layers: ImageLayers;
  events: ImageEvents;
  users: ImageUsers;
  /** A directory on the data-root disk for spooling archives (load). */
  tmpDir: string;
  /** Written into configs this engine makes (docker_version). */
  engineVersion: string;
}

export interface ListOptions {
  all: boolean;
  dangling?: boolean;
  labels: string[];
  references: string[];
  before?: string;
  since?: string;
  sharedSize: boolean;
  containerCount: boolean;
}

export interface ImageSummary {
  image: Image;
  /** Only the references that passed the reference filter. */
  repoTags: string[];
  repoDigests: string[];
  sharedSize: number;
  containers: number;
}

export interface HistoryItem {
  id: string;
  created: number;
  createdBy: string;
  tags: string[] | null;
  size: number;
  comment: string;
}

export class ImageService implements ImageLookup {
  readonly records: ImageRecords;
  private readonly remover: ImageRemover;

  private constructor(readonly deps: ImageServiceDeps) {
    this.records = new ImageRecords(deps.db);
    this.remover = new ImageRemover(this);
  }

  /** DELETE /images/{name}. */
  remove(ref: string, opts: RemoveOptions): Promise<DeleteItem[]> {
    return this.remover.remove(ref, opts);
  }

  /** POST /images/prune. */
  prune(opts: PruneOptions): Promise<{ deleted: DeleteItem[]; spaceReclaimed: number }> {
    return this.remover.prune(opts);
  }

  /** POST /images/create?fromSrc=…: returns the new image ID. */
  importImage(source: Readable, opts: ImportOptions): Promise<ImageId> {
    return importImage(this, source, opts);
  }

  /** POST /images/load. */
  load(source: Readable, emit: (p: LoadProgress) => void): Promise<ImageId[]> {
    return loadImages(this, source, emit);
  }

  /** GET /images/get: names are resolved before the tar starts. */
  save(names: readonly string[]): Promise<{ ids: ImageId[]; tar: Readable }> {
    return saveImages(this, names);
  }

  /**
   * Loads the records. Layer references are durable in the layer store (same
   * database), so nothing is retained again here.
   */
  static async open(deps: ImageServiceDeps): Promise<ImageService> {
    const s = new ImageService(deps);
    // Archives half-spooled by a load that crashed.
    await rm(deps.tmpDir, { recursive: true, force: true });
    const { missing } = await s.records.load(deps.content);
    if (missing.length > 0) log.warn(`dropped ${missing.length} image(s) whose config blob is missing`);
    for (const img of s.records.all()) {
      if (img.chainId === undefined) continue;
      if (deps.layers.get(img.chainId) === undefined) {
        log.warn(`image ${img.id} lost its layer ${img.chainId}; removing it`);
        s.records.deleteImage(img.id);
      }
    }
    return s;
  }

  count(): number {
    return this.records.count();
  }

  /** Docker's GetImage: full ID, name[:tag], name@digest, or a unique ID prefix. */
  async resolve(ref: string): Promise<Image> {
    return this.toImage(this.resolveRecord(ref));
  }

  resolveRecord(ref: string): ImageRecord {
    const any = parseAnyReference(ref);
    if (any.kind === "id") {
      const rec = this.records.get(any.id as ImageId);
      if (rec === undefined) throw notFound(messages.noSuchImage(any.id));
      return rec;
    }
    const named = withDefaultTag(any.ref);
    const byRef = this.records.ref(referenceString(named));
    if (byRef !== undefined) {
      const rec = this.records.get(byRef.imageId);
      if (rec !== undefined) return rec;
    }
    const hex = ref.startsWith("sha256:") ? ref.slice(7) : ref;
    if (/^[a-f0-9]+$/.test(hex)) {
      const ids = this.records.byPrefix(hex);
      if (ids.length === 1) return this.records.get(ids[0]!)!;
      if (ids.length > 1) throw notFound(messages.ambiguousImage(familiarString(named)));
    }
    throw notFound(messages.noSuchImage(familiarString(named)));
  }

  get(id: ImageId): Image | undefined {
    const rec = this.records.get(id);
    return rec && this.toImage(rec);
  }

  toImage(rec: ImageRecord): Image {
    const refs = this.records.refsOf(rec.id);
    return {
      id: rec.id,
      config: rec.config,
      chainId: rec.chainId,
      repoTags: refs.filter((r) => r.kind === "tag").map((r) => familiarRef(r)),
      repoDigests: refs.filter((r) => r.kind === "digest").map((r) => familiarRef(r)),
      parent: rec.parent,
      createdAtNano: rec.addedNano,
      size: this.deps.layers.chainSize(rec.chainId),
    };
  }

  lastTagNano(id: ImageId): bigint | undefined {
    return this.records.get(id)?.lastTagNano;
  }

  /** Where the image's layers are on disk (overlay2 GraphDriver data), when the store tells. */
  graphDriverData(id: ImageId): Record<string, string> {
    const rec = this.records.get(id);
    const dirOf = this.deps.layers.diffDir?.bind(this.deps.layers);
    if (rec?.chainId === undefined || dirOf === undefined) return {};
    const chain = this.deps.layers.chain(rec.chainId);
    const top = chain[chain.length - 1]!;
    const upper = dirOf(top.chainId);
    const base = upper.replace(/\/diff$/, "");
    const data: Record<string, string> = {
      MergedDir: `${base}/merged`,
      UpperDir: upper,
      WorkDir: `${base}/work`,
    };
    if (chain.length > 1) {
      data.LowerDir = chain
        .slice(0, -1)
        .reverse()
        .map((l) => dirOf(l.chainId))
        .join(":");
    }
    return data;
  }

  /**
   * Records an image whose layers are already registered (import, load,
   * commit, build): writes the config blob, then one transaction for the row
   * and its references, then retains the layers and announces the tags.
   * Returns the references that moved away from other images.
   */
  async create(opts: {
    configBytes: Buffer;
    parent?: ImageId;
    tags?: Reference[];
    nowNano?: bigint;
    /** No "tag" events (pull and push announce themselves with their own action). */
    silent?: boolean;
  }): Promise<{ id: ImageId; moved: { ref: string; from: ImageId }[] }> {
    const config = parseConfig(opts.configBytes);
    const id = sha256Digest(opts.configBytes) as ImageId;
    const chains = chainIdOf(config.rootfs.diff_ids);
    const top = chains[chains.length - 1];
    if (top !== undefined && this.deps.layers.get(top) === undefined) {
      throw invalid(`layer ${top} of image ${id} is not in the layer store`);
    }
    await this.deps.content.writeBuffer(opts.configBytes, id);
    const now = opts.nowNano ?? nowNano();
    const refs = (opts.tags ?? []).map((t) => ({ name: referenceString(t), kind: refKind(t) }));
    // The image's hold on its layer is taken in the row's transaction: both or neither survive a crash.
    const moved = this.records.add(
      { id, chainId: top, parent: opts.parent ?? "", addedNano: now, lastTagNano: undefined, config },
      refs,
      now,
      (isNew) => {
        if (isNew && top !== undefined) this.deps.layers.retain(top);
      },
    );
    if (opts.silent !== true) for (const t of opts.tags ?? []) this.event(id, "tag", familiarString(t));
    return { id, moved: moved.map((m) => ({ ref: familiarRef(m), from: m.imageId })) };
  }

  /** POST /images/{name}/tag. */
  async tag(source: string, target: string): Promise<void> {
    const rec = this.resolveRecord(source);
    const ref = parseTagTarget(target);
    this.records.add(rec, [{ name: referenceString(ref), kind: "tag" }], nowNano());
    this.event(rec.id, "tag", familiarString(ref));
  }

  /** GET /images/json. */
  list(opts: ListOptions): ImageSummary[] {
    const beforeNano =
      opts.before === undefined ? undefined : this.createdOf(this.resolveRecord(opts.before));
    const sinceNano = opts.since === undefined ? undefined : this.createdOf(this.resolveRecord(opts.since));
    const out: ImageSummary[] = [];
    for (const rec of this.records.all()) {
      const created = this.createdOf(rec);
      if (beforeNano !== undefined && created >= beforeNano) continue;
      if (sinceNano !== undefined && created <= sinceNano) continue;
      if (opts.labels.length > 0 && !matchLabelFilters(rec.config.config?.Labels, opts.labels)) continue;
      const repoTags: string[] = [];
      const repoDigests: string[] = [];
      let tagged = false;
      for (const r of this.records.refsOf(rec.id)) {
        const parsed = parseNormalizedNamed(r.name);
        if (r.kind === "tag") tagged = true;
        if (opts.references.length > 0 && !opts.references.some((p) => matchReferencePattern(p, parsed))) {
          continue;
        }
        (r.kind === "tag" ? repoTags : repoDigests).push(familiarString(parsed));
      }
      if (opts.dangling === true && (tagged || this.records.children(rec.id).length > 0)) continue;
      if (repoTags.length === 0 && repoDigests.length === 0) {
        if (!opts.all && this.records.children(rec.id).length > 0) continue;
        if (opts.dangling === false || opts.references.length > 0) continue;
      }
      out.push({
        image: this.toImage(rec),
        repoTags,
        repoDigests,
        sharedSize: -1,
        containers: opts.containerCount ? this.deps.users.containersUsingImage(rec.id).length : -1,
      });
    }
    if (opts.sharedSize) this.fillSharedSizes(out);
    return out.sort((a, b) => cmp(this.createdOfImage(b.image), this.createdOfImage(a.image)));
  }

  private fillSharedSizes(summaries: ImageSummary[]): void {
    const refs = new Map<ChainId, number>();
    for (const rec of this.records.all()) {
      for (const c of chainIdOf(rec.config.rootfs.diff_ids)) refs.set(c, (refs.get(c) ?? 0) + 1);
    }
    for (const s of summaries) {
      s.sharedSize = 0;
      for (const c of chainIdOf(s.image.config.rootfs.diff_ids)) {
        if ((refs.get(c) ?? 0) > 1) s.sharedSize += this.deps.layers.get(c)?.size ?? 0;
      }
    }
  }

  createdOf(rec: ImageRecord): bigint {
    return configCreatedNano(rec.config.created);
  }

  private createdOfImage(img: Image): bigint {
    return configCreatedNano(img.config.created);
  }

  /** GET /images/{name}/history: newest first, IDs only where an image exists. */
  history(ref: string): HistoryItem[] {
    const rec = this.resolveRecord(ref);
    const diffIds = rec.config.rootfs.diff_ids;
    const chains = chainIdOf(diffIds);
    const items: HistoryItem[] = [];
    let layerIndex = 0;
    for (const h of rec.config.history ?? []) {
      let size = 0;
      if (h.empty_layer !== true) {
        const chain = chains[layerIndex];
        if (chain === undefined) throw invalid("too many non-empty layers in History section");
        size = this.deps.layers.get(chain)?.size ?? 0;
        layerIndex++;
      }
      items.unshift({
        id: "<missing>",
        created: Number(configCreatedNano(h.created) / 1_000_000_000n),
        createdBy: h.created_by ?? "",
        tags: null,
        size,
        comment: h.comment ?? "",
      });
    }
    let cur: ImageRecord | undefined = rec;
    for (const item of items) {
      if (cur === undefined) break;
      item.id = cur.id;
      const tags = this.records.refsOf(cur.id).filter((r) => r.kind === "tag");
      item.tags = tags.length > 0 ? tags.map(familiarRef) : null;
      cur = cur.parent === "" ? undefined : this.records.get(cur.parent as ImageId);
    }
    return items;
  }

  /** The images part of GET /system/df. */
  diskUsage(): { layersSize: number; images: ImageSummary[] } {
    const images = this.list({
      all: true,
      labels: [],
      references: [],
      sharedSize: true,
      containerCount: true,
    });
    const seen = new Set<ChainId>();
    let layersSize = 0;
    for (const rec of this.records.all()) {
      for (const c of chainIdOf(rec.config.rootfs.diff_ids)) {
        if (seen.has(c)) continue;
        seen.add(c);
        layersSize += this.deps.layers.get(c)?.size ?? 0;
      }
    }
    return { layersSize, images };
  }

  event(id: ImageId, action: string, name: string): void {
    const labels = this.records.get(id)?.config.config?.Labels ?? {};
    this.deps.events.publish({ type: "image", action, actorId: id, attributes: { ...labels, name } });
  }
}

/** Now in ns; the sub-millisecond part from the monotonic clock keeps Go-like precision. */
export function nowNano(): bigint {
  return BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function familiarRef(r: RefRecord): string {
  return familiarString(parseNormalizedNamed(r.name));
}

function refKind(r: Reference): "tag" | "digest" {
  return r.digest !== undefined ? "digest" : "tag";
}

/** A new tag: a name with an optional tag, never a digest (Docker's checks). */
export function parseTagTarget(target: string): Reference {
  const ref = parseNormalizedNamed(target);
  if (ref.digest !== undefined) throw invalid("refusing to create a tag with a digest reference");
  if (familiarName(ref) === "sha256") {
    throw invalid("refusing to create an ambiguous tag using digest algorithm as name");
  }
  return withDefaultTag(ref);
}

export type { ImageConfig };
