/** Wire types of the build endpoints (Docker's field names). */

/** One line of the classic builder's JSON stream. */
export interface BuildMessageWire {
  stream?: string;
  aux?: { ID: string };
  errorDetail?: { code?: number; message: string };
  error?: string;
}

/** `types.BuildCache` as `GET /system/df` lists it. */
export interface BuildCacheWire {
  ID: string;
  Parents: string[] | null;
  Type: string;
  Description: string;
  InUse: boolean;
  Shared: boolean;
  Size: number;
  CreatedAt: string;
  LastUsedAt: string | null;
  UsageCount: number;
}

export interface BuildPruneWire {
  CachesDeleted: string[] | null;
  SpaceReclaimed: number;
}
