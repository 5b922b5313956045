/**
 * The image model shared by images/, containers/ and build/.
 *
 * Glossary: the *image ID* is the digest of the exact config bytes; a
 * *reference* is what a user types (name[:tag][@digest]), normalised to
 * docker.io/library/… for storage; *RepoTags* and *RepoDigests* are the
 * references that point at an image.
 */
import type { ChainId, DiffId, ImageId } from "../ids.js";

/** The runnable part of an image config (OCI `config`, Docker's Config). */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[];
  OnBuild?: string[] | null;
  Healthcheck?: {
    Test?: string[];
    Interval?: number;
    Timeout?: number;
    StartPeriod?: number;
    StartInterval?: number;
    Retries?: number;
  };
  ArgsEscaped?: boolean;
  [key: string]: unknown;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The image config JSON (OCI image config with Docker's extra fields). */
export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: ContainerConfig;
  container_config?: ContainerConfig;
  container?: string;
  docker_version?: string;
  comment?: string;
  rootfs: { type: "layers"; diff_ids: DiffId[] };
  history?: HistoryEntry[];
  [key: string]: unknown;
}

export interface Image {
  id: ImageId;
  config: ImageConfig;
  /** Top of the layer chain; undefined for an image without layers. */
  chainId: ChainId | undefined;
  repoTags: string[];
  repoDigests: string[];
  /** Parent image ID (images built locally), or "". */
  parent: string;
  /** When the image was added to this store (ns). */
  createdAtNano: bigint;
  /** Sum of layer sizes. */
  size: number;
}

/** What containers/ and build/ need from the image service. */
export interface ImageLookup {
  /** By name[:tag], name@digest, full or short ID; not-found with "No such image: ref". */
  resolve(ref: string): Promise<Image>;
}
