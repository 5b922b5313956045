/**
 * Pulling one reference (moby's pull_v2): manifest (an index resolved to the
 * wanted platform), config, then the layers the store lacks, downloaded
 * three at a time and unpacked in order, each blob and manifest checked
 * against its digest. The image gets the tag and a RepoDigest.
 */
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import * as zlib from "node:zlib";
import { invalid, notFound, notImplemented } from "../errors.js";
import {
  chainIdOf,
  sha256Digest,
  shortId,
  type ChainId,
  type DiffId,
  type Digest,
  type ImageId,
} from "../ids.js";
import { distributionMessages } from "./messages.js";
import {
  familiarName,
  familiarString,
  parseConfig,
  type ImageConfig,
  type Reference,
} from "../images/index.js";
import type { BlobCache } from "./blobCache.js";
import { downloadBlob } from "./download.js";
import { header, readBody } from "./http.js";
import {
  layerCompression,
  normalizePlatform,
  parseManifest,
  platformString,
  selectPlatform,
} from "./manifest.js";
import { isRegistryError } from "./registryError.js";
import type { RegistrySession } from "./session.js";
import {
  manifestAccept,
  type Descriptor,
  type Emit,
  type ImageManifest,
  type Manifest,
  type Platform,
} from "./types.js";

/** What pull needs of the image and layer stores. */
export interface PullTarget {
  /** The image a reference points at now. */
  imageIdOf(ref: Reference): ImageId | undefined;
  hasLayer(chainId: ChainId): boolean;
  registerLayer(
    tar: Readable,
    parent: ChainId | undefined,
    onProgress: (bytesRead: number) => void,
  ): Promise<DiffId>;
  /** Records the image with its references (layers already registered). */
  createImage(configBytes: Buffer, refs: Reference[]): Promise<ImageId>;
}

export interface PullContext {
  session: RegistrySession;
  /** The registry domain, for the blob cache ("127.0.0.1:5000", "docker.io"). */
  registry: string;
  target: PullTarget;
  cache: BlobCache;
  tmpDir: string;
  emit: Emit;
  /** The platform wanted; `explicit` when the client asked for it (mismatches are then errors). */
  platform: Platform;
  platformExplicit: boolean;
  concurrency?: number;
  retryDelayMs?: (attempt: number) => number;
}

const maxConfigSize = 8 * 1024 * 1024;
const maxManifestSize = 4 * 1024 * 1024;

export async function fetchManifest(
  session: RegistrySession,
  repo: string,
  reference: string,
): Promise<{ manifest: Manifest; digest: Digest; bytes: Buffer }> {
  const res = await session.request("GET", `/v2/${repo}/manifests/${reference}`, {
    headers: { Accept: manifestAccept.join(", ") },
  });
  const bytes = await readBody(res, maxManifestSize);
  const digest = sha256Digest(bytes);
  if (reference.includes(":") && reference !== digest)
    throw invalid(distributionMessages.manifestVerification(reference));
  const claimed = header(res, "Docker-Content-Digest");
  if (claimed !== undefined && claimed.startsWith("sha256:") && claimed !== digest) {
    throw invalid(distributionMessages.manifestVerification(claimed));
  }
  return { manifest: parseManifest(bytes, header(res, "Content-Type")), digest, bytes };
}

/** The image manifest for the wanted platform (an index is followed one level). */
export async function resolveImageManifest(
  session: RegistrySession,
  repo: string,
  reference: string,
  platform: Platform,
): Promise<{ image: ImageManifest; digest: Digest; imageDigest: Digest }> {
  const top = await fetchManifest(session, repo, reference);
  if (top.manifest.kind === "image")
    return { image: top.manifest, digest: top.digest, imageDigest: top.digest };
  const entry = selectPlatform(top.manifest.manifests, platform);
  if (entry === undefined)
    throw notFound(distributionMessages.noMatchingManifest(platformString(normalizePlatform(platform))));
  const child = await fetchManifest(session, repo, entry.digest);
  if (child.manifest.kind !== "image")
    throw invalid(`manifest ${entry.digest} in the list is not an image manifest`);
  return { image: child.manifest, digest: top.digest, imageDigest: entry.digest };
}

export async function fetchBlob(
  session: RegistrySession,
  repo: string,
  d: Descriptor,
  limit: number,
): Promise<Buffer> {
  if (d.size > limit) throw invalid(`blob ${d.digest} is too large (${d.size} bytes)`);
  const res = await session.request("GET", `/v2/${repo}/blobs/${d.digest}`);
  const bytes = await readBody(res, limit);
  if (bytes.length !== d.size || sha256Digest(bytes) !== d.digest) {
    throw invalid(distributionMessages.verificationFailed(d.digest));
  }
  return bytes;
}

/** Pulls `ref` (a tag or a digest); returns whether a newer image was stored. */
export async function pullReference(
  ctx: PullContext,
  ref: Reference,
): Promise<{ id: ImageId; newer: boolean }> {
  const repo = ref.path;
  const reference = ref.digest ?? ref.tag ?? "latest";
  let resolved;
  try {
    resolved = await resolveImageManifest(ctx.session, repo, reference, ctx.platform);
  } catch (err) {
    throw translatePullError(err, ref);
  }
  const { image, digest } = resolved;
  ctx.emit({ kind: "pulling", tagOrDigest: reference, repo: ref.path });

  const configBytes = await fetchBlob(ctx.session, repo, image.config, maxConfigSize);
  const config = parseConfig(configBytes);
  checkPlatform(ctx, config, ref);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== image.layers.length) {
    throw invalid(`image config has ${diffIds.length} layers but the manifest has ${image.layers.length}`);
  }
  for (const l of image.layers) layerCompression(l.mediaType);
  const imageId = sha256Digest(configBytes) as ImageId;
  const before = ctx.target.imageIdOf(ref);

  await pullLayers(ctx, repo, image.layers, diffIds);

  const digestRef: Reference = { domain: ref.domain, path: ref.path, digest };
  const refs = ref.digest === undefined ? [{ ...ref }, digestRef] : [digestRef];
  const id = await ctx.target.createImage(configBytes, refs);
  ctx.emit({ kind: "digest", digest });
  return { id, newer: before !== imageId };
}

async function pullLayers(
  ctx: PullContext,
  repo: string,
  layers: Descriptor[],
  diffIds: DiffId[],
): Promise<void> {
  const chains = chainIdOf(diffIds);
  let firstMissing = 0;
  while (firstMissing < chains.length && ctx.target.hasLayer(chains[firstMissing]!)) firstMissing++;
  // Docker's layer IDs in progress: the blob digest, short.
  const ids = layers.map((l) => shortId(l.digest));
  for (let i = 0; i < firstMissing; i++) ctx.emit({ kind: "layer", id: ids[i]!, status: "Already exists" });
  const todo = layers.slice(firstMissing).map((desc, k) => ({ desc, index: firstMissing + k }));
  if (todo.length === 0) return;
  // Refuse before downloading what could not be unpacked.
  if (!hasZstd() && todo.some((t) => layerCompression(t.desc.mediaType) === "zstd")) {
    throw notImplemented(distributionMessages.noZstd());
  }
  for (const t of todo) ctx.emit({ kind: "layer", id: ids[t.index]!, status: "Pulling fs layer" });

  await mkdir(ctx.tmpDir, { recursive: true });
  const dir = await mkdtemp(join(ctx.tmpDir, "pull-"));
  const abort = new AbortController();
  const concurrency = ctx.concurrency ?? 3;
  const files = todo.map((_, k) => join(dir, String(k)));
  const done: Promise<void>[] = [];
  let running = 0;
  const waiters: (() => void)[] = [];
  const slot = async (id: string): Promise<void> => {
    if (running >= concurrency) {
      ctx.emit({ kind: "layer", id, status: "Waiting" });
      await new Promise<void>((r) => waiters.push(r));
    }
    running++;
  };
  const release = () => {
    running--;
    waiters.shift()?.();
  };
  try {
    for (const [k, t] of todo.entries()) {
      const id = ids[t.index]!;
      const p = (async () => {
        await slot(id);
        try {
          if (abort.signal.aborted) throw new Error("aborted");
          await downloadBlob({
            session: ctx.session,
            repo,
            desc: t.desc,
            file: files[k]!,
            signal: abort.signal,
            ...(ctx.retryDelayMs ? { retryDelayMs: ctx.retryDelayMs } : {}),
            onProgress: (current, total) =>
              ctx.emit({ kind: "layer", id, status: "Downloading", current, total }),
            onRetry: (seconds) => ctx.emit({ kind: "layer", id, status: "Retrying", retryIn: seconds }),
          });
          ctx.emit({ kind: "layer", id, status: "Verifying Checksum" });
          ctx.emit({ kind: "layer", id, status: "Download complete" });
        } finally {
          release();
        }
      })();
      p.catch(() => abort.abort());
      done.push(p);
    }
    let parent: ChainId | undefined = firstMissing > 0 ? chains[firstMissing - 1] : undefined;
    for (const [k, t] of todo.entries()) {
      await done[k];
      const id = ids[t.index]!;
      const size = t.desc.size;
      const diffId = await ctx.target.registerLayer(openLayer(files[k]!, t.desc.mediaType), parent, (n) =>
        ctx.emit({ kind: "layer", id, status: "Extracting", current: Math.min(n, size), total: size }),
      );
      const want = diffIds[t.index]!;
      if (diffId !== want) throw invalid(distributionMessages.diffIdMismatch(t.desc.digest, want, diffId));
      ctx.cache.add(diffId, { digest: t.desc.digest, registry: ctx.registry, repo, size: t.desc.size });
      ctx.emit({ kind: "layer", id, status: "Pull complete" });
      await rm(files[k]!, { force: true });
      parent = chains[t.index];
    }
  } catch (err) {
    abort.abort();
    await Promise.allSettled(done);
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The layer's tar: gzip and plain go to the layer store as is; zstd needs a decoder Node 20 lacks. */
function openLayer(file: string, mediaType: string): Readable {
  const raw = createReadStream(file);
  if (layerCompression(mediaType) !== "zstd") return raw;
  const make = (zlib as unknown as { createZstdDecompress?: () => NodeJS.ReadWriteStream })
    .createZstdDecompress;
  if (make === undefined) {
    raw.destroy();
    throw notImplemented(distributionMessages.noZstd());
  }
  return raw.pipe(make()) as unknown as Readable;
}

/** Whether this Node.js can unpack zstd layers. */
export function hasZstd(): boolean {
  return typeof (zlib as unknown as { createZstdDecompress?: unknown }).createZstdDecompress === "function";
}

function checkPlatform(ctx: PullContext, config: ImageConfig, ref: Reference): void {
  const actual = normalizePlatform({
    os: config.os,
    architecture: config.architecture,
    ...(config.variant ? { variant: config.variant } : {}),
  });
  const want = normalizePlatform(ctx.platform);
  if (actual.os === want.os && actual.architecture === want.architecture) return;
  if (ctx.platformExplicit) {
    throw notFound(
      distributionMessages.platformMismatch(
        familiarString(ref),
        platformString(want),
        platformString(actual),
      ),
    );
  }
}

/** Docker's translatePullError: denied / manifest unknown / name unknown become not-found texts. */
function translatePullError(err: unknown, ref: Reference): unknown {
  if (!isRegistryError(err)) return err;
  switch (err.code) {
    case "DENIED":
    case "UNAUTHORIZED":
      return notFound(distributionMessages.pullDenied(familiarName(ref), err.message));
    case "MANIFEST_UNKNOWN":
      return notFound(distributionMessages.manifestUnknown(familiarString(ref), err.message));
    case "NAME_UNKNOWN":
      return notFound(distributionMessages.repoUnknown(familiarName(ref), err.message));
    default:
      return err;
  }
}
