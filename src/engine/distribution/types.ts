/**
 * The distribution model: media types, descriptors and manifests as the
 * registry speaks them, the credentials a request carries, and the progress
 * events pull and push emit (api/ turns them into Docker's JSON messages).
 */
import type { Digest } from "../ids.js";

export const mediaTypes = {
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  dockerForeignLayer: "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  ociLayerZstd: "application/vnd.oci.image.layer.v1.tar+zstd",
  ociLayerNondistributableGzip: "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  schema1Signed: "application/vnd.docker.distribution.manifest.v1+prettyjws",
  schema1: "application/vnd.docker.distribution.manifest.v1+json",
} as const;

/** What we ask for in Accept, in Docker's order of preference. */
export const manifestAccept = [
  mediaTypes.dockerManifest,
  mediaTypes.dockerList,
  mediaTypes.ociManifest,
  mediaTypes.ociIndex,
];

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  "os.version"?: string;
  "os.features"?: string[];
  features?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
}

/** A single-image manifest (Docker schema 2 or OCI). */
export interface ImageManifest {
  kind: "image";
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** A manifest list or OCI index. */
export interface ManifestIndex {
  kind: "index";
  mediaType: string;
  manifests: Descriptor[];
}

export type Manifest = ImageManifest | ManifestIndex;

/** Credentials for one registry, from X-Registry-Auth or POST /auth. */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** A refresh token from an earlier login (OAuth2 password grant replacement). */
  identityToken?: string;
  /** A bearer token used as is. */
  registryToken?: string;
  serverAddress?: string;
}

/** Docker's per-layer statuses, the words the CLI draws. */
export type LayerStatus =
  | "Pulling fs layer"
  | "Waiting"
  | "Downloading"
  | "Verifying Checksum"
  | "Download complete"
  | "Extracting"
  | "Pull complete"
  | "Already exists"
  | "Retrying"
  | "Preparing"
  | "Pushing"
  | "Pushed"
  | "Layer already exists"
  | "Mounted from";

export type DistributionEvent =
  /** id: the layer's short ID; current/total in bytes for Downloading, Extracting, Pushing. */
  | {
      kind: "layer";
      id: string;
      status: LayerStatus;
      current?: number;
      total?: number;
      /** Mounted from: the source repository (familiar path). */
      from?: string;
      /** Retrying: seconds until the next attempt. */
      retryIn?: number;
    }
  /** "Pulling from library/busybox" for one tag or digest. */
  | { kind: "pulling"; tagOrDigest: string; repo: string }
  | { kind: "digest"; digest: Digest }
  /** The end of one pull: the familiar reference and whether anything new was stored. */
  | { kind: "pulled"; ref: string; newer: boolean }
  /** "The push refers to repository [localhost:5000/x]". */
  | { kind: "push-start"; repo: string }
  | { kind: "pushed"; tag: string; digest: Digest; size: number };

export type Emit = (e: DistributionEvent) => void;
