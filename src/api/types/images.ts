/** Wire types of the image endpoints (Docker's field names). */
import type { BuildCacheWire } from "./build.js";
import type { ContainerSummary } from "./containers.js";
import type { VolumeWire } from "./volumes.js";

export interface ImageSummaryWire {
  Containers: number;
  Created: number;
  Id: string;
  Labels: Record<string, string> | null;
  ParentId: string;
  RepoDigests: string[];
  RepoTags: string[];
  SharedSize: number;
  Size: number;
  /** API < 1.44 only. */
  VirtualSize?: number;
}

/** Docker's container.Config as image inspect shows it (API < 1.50). */
export interface ImageContainerConfigWire {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, object>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[] | null;
  Cmd: string[] | null;
  Healthcheck?: Record<string, unknown>;
  ArgsEscaped?: boolean;
  Image: string;
  Volumes: Record<string, object> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  OnBuild: string[] | null;
  Labels: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[];
}

export interface ImageInspectWire {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  /** API < 1.45 only. */
  Container?: string;
  ContainerConfig?: ImageContainerConfigWire;
  DockerVersion: string;
  Author: string;
  Config: ImageContainerConfigWire | null;
  Architecture: string;
  Variant?: string;
  Os: string;
  OsVersion?: string;
  Size: number;
  /** API < 1.44 only. */
  VirtualSize?: number;
  GraphDriver: { Data: Record<string, string> | null; Name: string };
  RootFS: { Type: string; Layers?: string[] };
  Metadata: { LastTagTime: string };
}

export interface HistoryItemWire {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export interface DeleteItemWire {
  Untagged?: string;
  Deleted?: string;
}

export interface ImagePruneWire {
  ImagesDeleted: DeleteItemWire[] | null;
  SpaceReclaimed: number;
}

export interface DiskUsageWire {
  LayersSize: number;
  Images: ImageSummaryWire[];
  Containers: ContainerSummary[];
  Volumes: VolumeWire[];
  BuildCache: BuildCacheWire[];
}

/** One line of a JSON progress stream (pull, import, load, push). */
export interface JsonMessageWire {
  status?: string;
  id?: string;
  stream?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: Record<string, unknown>;
  error?: string;
  errorDetail?: { message: string; code?: number };
}
