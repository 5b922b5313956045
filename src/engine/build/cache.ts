/**
 * The build cache: which image a step made, keyed by what decides its result. A key is the
 * sha256 of the parent image ID, the step's container command (the expanded instruction, the
 * `|N` build args of a RUN, the content hash of ADD/COPY sources) and the stage's config, so
 * a touched file with the same bytes hits and one changed byte misses.
 */
import { createHash } from "node:crypto";
import type { ContainerConfig } from "../images/index.js";
import type { Db, ModuleSchema } from "../store/index.js";

export const buildSchema: ModuleSchema = {
  module: "build",
  migrations: [
    `CREATE TABLE build_cache (
       key TEXT PRIMARY KEY,
       image_id TEXT NOT NULL,
       created_nano TEXT NOT NULL
     );
     CREATE INDEX build_cache_by_image ON build_cache(image_id);`,
  ],
};

export interface CacheKeyInput {
  /** The image the step starts from ("" for scratch). */
  parent: string;
  /** The step's container command (see history.ts). */
  cmd: readonly string[];
  /** The stage's config before the step. */
  config: ContainerConfig;
  platform: string;
  /** Anything else the result depends on (RUN mounts); absent keys hash as before. */
  extra?: string;
}

/** Stable JSON: object keys sorted, so equal configs give equal keys. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

export function cacheKey(k: CacheKeyInput): string {
  return createHash("sha256")
    .update(
      stableJson({ parent: k.parent, cmd: k.cmd, config: k.config, platform: k.platform, extra: k.extra }),
    )
    .digest("hex");
}

export class BuildCacheStore {
  constructor(private readonly db: Db) {}

  get(key: string): string | undefined {
    const row = this.db.prepare("SELECT image_id FROM build_cache WHERE key = ?").get(key) as
      { image_id: string } | undefined;
    return row?.image_id;
  }

  put(key: string, imageId: string, nowNano: bigint): void {
    this.db
      .prepare("INSERT OR REPLACE INTO build_cache (key, image_id, created_nano) VALUES (?, ?, ?)")
      .run(key, imageId, String(nowNano));
  }

  /** Every image a cache entry points at. */
  imageIds(): string[] {
    return (this.db.prepare("SELECT DISTINCT image_id FROM build_cache").all() as { image_id: string }[]).map(
      (r) => r.image_id,
    );
  }

  forgetImage(imageId: string): void {
    this.db.prepare("DELETE FROM build_cache WHERE image_id = ?").run(imageId);
  }
}
