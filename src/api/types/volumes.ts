/** Wire types of the volume endpoints (Docker's api/types/volume), shared with client/. */

export interface VolumeUsageDataWire {
  Size: number;
  RefCount: number;
}

export interface VolumeWire {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: string;
  Status?: Record<string, unknown>;
  /** Only in `GET /system/df`. */
  UsageData?: VolumeUsageDataWire | null;
  ClusterVolume?: unknown;
}

export interface VolumeListWire {
  Volumes: VolumeWire[];
  Warnings: string[] | null;
}

export interface VolumeCreateWire {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
  ClusterVolumeSpec?: unknown;
}

export interface VolumePruneWire {
  VolumesDeleted: string[] | null;
  SpaceReclaimed: number;
}
