/** The volume model as the engine sees it (api/ maps it to Docker's wire shape). */
import type { VolumeOptions } from "./options.js";

export interface Volume {
  name: string;
  /** Always "local": the one driver Berth has. */
  driver: string;
  labels: Readonly<Record<string, string>>;
  /** The driver options it was created with (type, device, o). */
  options: VolumeOptions;
  createdNano: bigint;
  /** Created without a name (it then also carries Docker's anonymous label). */
  anonymous: boolean;
  /** Host path of the data directory, `<root>/<name>/_data`. */
  mountpoint: string;
}

export interface CreateOptions {
  /** Absent or "": an anonymous volume with a random 64-hex name. */
  name?: string;
  /** Absent or "": "local". */
  driver?: string;
  labels?: Readonly<Record<string, string>>;
  options?: VolumeOptions;
}

export interface ListOptions {
  /** Each value matches the whole name exactly or as a regular expression (any one suffices). */
  names?: readonly string[];
  drivers?: readonly string[];
  /** `key` or `key=value`, all must match. */
  labels?: readonly string[];
  /** `key` or `key=value`, none may match. */
  notLabels?: readonly string[];
  /** true: only volumes no container uses; false: only used ones. */
  dangling?: boolean;
}

export interface PruneOptions {
  /** false: anonymous volumes only (API >= 1.42); true: every unused local volume. */
  all: boolean;
  labels?: readonly string[];
  notLabels?: readonly string[];
}

export interface PruneReport {
  deleted: string[];
  spaceReclaimed: number;
}

export interface VolumeUsage {
  /** Bytes under the data directory, -1 when it cannot be measured. */
  size: number;
  /** Containers that use the volume. */
  refCount: number;
}

/** Who uses a volume: the containers module answers (created or running containers alike). */
export interface VolumeUsers {
  containersUsingVolume(name: string): string[];
}

/** What a container mount reports in the `mount` event. */
export interface MountEventInfo {
  destination?: string;
  readWrite?: boolean;
  propagation?: string;
}
