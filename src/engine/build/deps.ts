/**
 * What the builder needs from the rest of the engine, as small roles; wire.ts passes the real
 * services (they satisfy these structurally).
 */
import type { Readable } from "node:stream";
import type { AttachSession, Container, ContainerSpec, WaitResult } from "../containers/index.js";
import type { ImageId } from "../ids.js";
import type { Image, Reference } from "../images/index.js";
import type { LayerStore } from "../layers/index.js";
import type { AuthConfig, Emit as PullEmit } from "../distribution/index.js";

export interface BuildImages {
  resolve(ref: string): Promise<Image>;
  get(id: ImageId): Image | undefined;
  create(opts: { configBytes: Buffer; parent?: ImageId; tags?: Reference[] }): Promise<{ id: ImageId }>;
  tag(source: string, target: string): Promise<void>;
  remove(ref: string, opts: { force: boolean; prune: boolean }): Promise<unknown[]>;
}

export interface BuildContainers {
  create(spec: ContainerSpec, opts?: { name?: string }): Promise<Container>;
  attach(
    ref: string,
    opts: { stdout: boolean; stderr: boolean },
    signal?: AbortSignal,
  ): Promise<AttachSession>;
  start(ref: string): Promise<void>;
  wait(ref: string, condition: "next-exit" | "not-running"): Promise<WaitResult>;
  remove(ref: string, opts: { force: boolean }): Promise<void>;
  kill(ref: string, signal?: string): Promise<void>;
  containersUsingImage(id: ImageId): { id: string; running: boolean }[];
}

/** Pulls an image from its registry (the distribution service's pull). */
export type BuildPull = (
  opts: { image: string; tag: string; platform?: string; auth?: AuthConfig },
  emit: PullEmit,
) => Promise<void>;

export interface BuildDeps {
  images: BuildImages;
  containers: BuildContainers;
  layers: LayerStore;
  /** A directory for contexts and downloads (on the data-root disk). */
  tmpDir: string;
  /** Where `RUN --mount=type=cache` directories persist between builds (default: under tmpDir). */
  cacheMountsDir?: string;
  /** A loopback URL's body (ADD <url>, remote=). */
  openUrl(
    url: string,
  ): Promise<{ stream: Readable & { headers?: Record<string, unknown> }; size: number | undefined }>;
  engineVersion: string;
  /** Pulls a base image that is not here (or every base image with `--pull`). */
  pull?: BuildPull;
}
