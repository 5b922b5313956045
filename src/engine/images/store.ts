/**
 * Image records: the durable rows in SQLite plus an in-memory index (by ID,
 * by reference, by image) rebuilt at open. Each change is one transaction,
 * applied to memory only after it committed.
 */
import type { ContentProvider } from "../content/index.js";
import { internal } from "../errors.js";
import type { ChainId, ImageId } from "../ids.js";
import type { Db } from "../store/index.js";
import { parseConfig } from "./config.js";
import type { ImageConfig } from "./types.js";

export type RefKind = "tag" | "digest";

export interface ImageRecord {
  id: ImageId;
  chainId: ChainId | undefined;
  parent: string;
  /** When this store got the image (ns). */
  addedNano: bigint;
  lastTagNano: bigint | undefined;
  config: ImageConfig;
}

export interface RefRecord {
  /** Normalised: "docker.io/library/busybox:latest" or "…@sha256:…". */
  name: string;
  imageId: ImageId;
  kind: RefKind;
  addedNano: bigint;
}

interface ImageRow {
  id: string;
  chain_id: string | null;
  parent: string;
  added_nano: string;
  last_tag_nano: string | null;
}

interface RefRow {
  name: string;
  image_id: string;
  kind: RefKind;
  added_nano: string;
}

export class ImageRecords {
  private readonly images = new Map<ImageId, ImageRecord>();
  private readonly refs = new Map<string, RefRecord>();

  constructor(private readonly db: Db) {}

  /** Loads every row; the config of each image comes from the content store. */
  async load(content: ContentProvider): Promise<{ missing: ImageId[] }> {
    const missing: ImageId[] = [];
    const rows = this.db.prepare<[], ImageRow>("SELECT * FROM images").all();
    for (const row of rows) {
      const id = row.id as ImageId;
      let bytes: Buffer;
      try {
        bytes = await content.read(id);
      } catch {
        missing.push(id);
        continue;
      }
      this.images.set(id, {
        id,
        chainId: (row.chain_id ?? undefined) as ChainId | undefined,
        parent: row.parent,
        addedNano: BigInt(row.added_nano),
        lastTagNano: row.last_tag_nano === null ? undefined : BigInt(row.last_tag_nano),
        config: parseConfig(bytes),
      });
    }
    for (const row of this.db.prepare<[], RefRow>("SELECT * FROM image_refs").all()) {
      const imageId = row.image_id as ImageId;
      if (!this.images.has(imageId)) continue;
      this.refs.set(row.name, {
        name: row.name,
        imageId,
        kind: row.kind,
        addedNano: BigInt(row.added_nano),
      });
    }
    if (missing.length > 0) this.dropRows(missing);
    return { missing };
  }

  /** Rows whose config blob vanished cannot be served; forget them. */
  private dropRows(ids: readonly ImageId[]): void {
    const tx = this.db.transaction(() => {
      for (const id of ids) {
        this.db.prepare("DELETE FROM image_refs WHERE image_id = ?").run(id);
        this.db.prepare("DELETE FROM images WHERE id = ?").run(id);
      }
    });
    tx();
  }

  get(id: ImageId): ImageRecord | undefined {
    return this.images.get(id);
  }

  all(): ImageRecord[] {
    return [...this.images.values()];
  }

  count(): number {
    return this.images.size;
  }

  ref(name: string): RefRecord | undefined {
    return this.refs.get(name);
  }

  refsOf(id: ImageId): RefRecord[] {
    const out: RefRecord[] = [];
    for (const r of this.refs.values()) if (r.imageId === id) out.push(r);
    // Docker's reference store lists an image's references in lexical order.
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** IDs whose hex starts with `prefix` (no "sha256:"). */
  byPrefix(prefix: string): ImageId[] {
    const out: ImageId[] = [];
    for (const id of this.images.keys()) if ((id as string).startsWith(`sha256:${prefix}`)) out.push(id);
    return out;
  }

  children(id: ImageId): ImageId[] {
    const out: ImageId[] = [];
    for (const img of this.images.values()) if (img.parent === id) out.push(img.id);
    return out;
  }

  /**
   * Adds an image (if new) and points `refs` at it, in one transaction.
   * Returns the references that moved away from another image.
   */
  add(
    record: ImageRecord,
    refs: { name: string; kind: RefKind }[],
    nowNano: bigint,
    alsoInTx?: (isNew: boolean) => void,
  ): RefRecord[] {
    const moved: RefRecord[] = [];
    const isNew = !this.images.has(record.id);
    const tx = this.db.transaction(() => {
      if (isNew) {
        this.db
          .prepare(
            "INSERT INTO images (id, chain_id, parent, added_nano, last_tag_nano) VALUES (?, ?, ?, ?, ?)",
          )
          .run(
            record.id,
            record.chainId ?? null,
            record.parent,
            String(record.addedNano),
            record.lastTagNano === undefined ? null : String(record.lastTagNano),
          );
      }
      for (const r of refs) this.putRef(r.name, record.id, r.kind, nowNano);
      if (refs.length > 0) {
        this.db.prepare("UPDATE images SET last_tag_nano = ? WHERE id = ?").run(String(nowNano), record.id);
      }
      alsoInTx?.(isNew);
    });
    tx();
    if (isNew) this.images.set(record.id, record);
    const img = this.images.get(record.id);
    if (img === undefined) throw internal(`image ${record.id} vanished`);
    for (const r of refs) {
      const prev = this.refs.get(r.name);
      if (prev !== undefined && prev.imageId !== record.id) moved.push(prev);
      this.refs.set(r.name, { name: r.name, imageId: record.id, kind: r.kind, addedNano: nowNano });
    }
    if (refs.length > 0) img.lastTagNano = nowNano;
    return moved;
  }

  private putRef(name: string, id: ImageId, kind: RefKind, nowNano: bigint): void {
    this.db
      .prepare(
        `INSERT INTO image_refs (name, image_id, kind, added_nano) VALUES (?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id, kind = excluded.kind,
           added_nano = excluded.added_nano`,
      )
      .run(name, id, kind, String(nowNano));
  }

  /** Removes one reference. */
  deleteRef(name: string): void {
    this.db.prepare("DELETE FROM image_refs WHERE name = ?").run(name);
    this.refs.delete(name);
  }

  /**
   * Removes an image and any references left to it. `alsoInTx` runs inside
   * the same transaction (the layer store shares the database, so releasing
   * the image's layer there is atomic with the row's removal).
   */
  deleteImage(id: ImageId, alsoInTx?: () => void): void {
    const tx = this.db.transaction(() => {
      this.db.prepare("DELETE FROM image_refs WHERE image_id = ?").run(id);
      this.db.prepare("UPDATE images SET parent = '' WHERE parent = ?").run(id);
      this.db.prepare("DELETE FROM images WHERE id = ?").run(id);
      alsoInTx?.();
    });
    tx();
    for (const [name, r] of this.refs) if (r.imageId === id) this.refs.delete(name);
    for (const img of this.images.values()) if (img.parent === id) img.parent = "";
    this.images.delete(id);
  }
}
