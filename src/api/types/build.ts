/** Wire types of the build endpoints (Docker's field names). */

/** One line of the classic builder's JSON stream. */
export interface BuildMessageWire {
  stream?: string;
  aux?: { ID: string };
  errorDetail?: { code?: number; message: string };
  error?: string;
  /** A base image's pull progress, as `POST /images/create` streams it. */
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
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

/** One entry of a build session's manifest (berth's own endpoint, so berth's field names). */
export interface BuildManifestEntryWire {
  path: string;
  type: "file" | "dir" | "symlink";
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  size: number;
  linkname?: string;
  /** `dev:ino:size:mtimeMs:ctimeMs` of a file (a stat signature); absent: always sent. */
  sig?: string;
}

/** `POST /berth/build/session` body. */
export interface BuildSessionRequestWire {
  /** Names the client's context (a hash of host name and absolute path). */
  key: string;
  /** Absent: the build that follows sends a full context tar (or uses `remote`). */
  manifest?: BuildManifestEntryWire[];
  /** Secret values, base64. */
  secrets?: { id: string; data: string }[];
  /** Agent sockets on the daemon's host. */
  ssh?: { id: string; path: string }[];
}

/** `POST /berth/build/session` answer; the build names it with `berthsession=<id>`. */
export interface BuildSessionWire {
  id: string;
  /** Files the build's tar must hold (paths of the manifest). */
  need: string[];
  /** Files the manifest lists. */
  files: number;
}
