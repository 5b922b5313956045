/**
 * `docker load`: docker-archive (manifest.json + config + layer tars, as
 * `docker save` writes) or an OCI image layout (oci-layout + index.json +
 * blobs). Each layer's diffID is checked against the config; on any error
 * the layers this load registered are released and no row is written.
 */
import { createHash } from "node:crypto";
import { Transform, type Readable } from "node:stream";
import { invalid } from "../../errors.js";
import { chainIdOf, digestHex, isDigest, sha256Digest, type ChainId, type ImageId } from "../../ids.js";
import { hostArchitecture, parseConfig } from "../config.js";
import { familiarString, parseNormalizedNamed, withDefaultTag, type Reference } from "../reference.js";
import type { ImageService } from "../service.js";
import { SpooledArchive } from "./spool.js";

export type LoadProgress =
  | { kind: "layer"; id: string; current: number; total: number }
  | { kind: "loaded"; ref: string }
  | { kind: "loaded-id"; id: ImageId }
  | { kind: "renamed"; ref: string; oldId: ImageId };

interface PlannedImage {
  configBytes: Buffer;
  layers: { path: string; what: string; digest?: string }[];
  tags: Reference[];
}

export async function loadImages(
  s: ImageService,
  source: Readable,
  emit: (p: LoadProgress) => void,
): Promise<ImageId[]> {
  const archive = await SpooledArchive.from(source, s.deps.tmpDir);
  try {
    const plan = archive.has("manifest.json")
      ? await dockerArchivePlan(archive)
      : archive.has("index.json")
        ? await ociLayoutPlan(archive)
        : undefined;
    if (plan === undefined) {
      if (archive.has("repositories")) throw invalid("loading legacy (v1) image archives is not supported");
      throw invalid("invalid archive: neither manifest.json nor index.json found in archive");
    }
    if (plan.length === 0) throw invalid("invalid archive: no images in archive");
    const ids: ImageId[] = [];
    for (const img of plan) ids.push(await loadOne(s, archive, img, emit));
    return ids;
  } finally {
    await archive.remove();
  }
}

async function loadOne(
  s: ImageService,
  archive: SpooledArchive,
  img: PlannedImage,
  emit: (p: LoadProgress) => void,
): Promise<ImageId> {
  const config = parseConfig(img.configBytes);
  const diffIds = config.rootfs.diff_ids;
  if (img.layers.length !== diffIds.length) {
    throw invalid(
      `invalid manifest, layers length mismatch: expected ${diffIds.length}, got ${img.layers.length}`,
    );
  }
  const chains = chainIdOf(diffIds);
  const registered: ChainId[] = [];
  const layers = s.deps.layers;
  try {
    let parent: ChainId | undefined;
    for (const [i, chain] of chains.entries()) {
      if (layers.get(chain) === undefined) {
        const l = img.layers[i]!;
        const { stream, size } = archive.open(l.path, l.what);
        const short = digestHex(chain).slice(0, 12);
        const hash = createHash("sha256");
        const hashing = new Transform({
          transform(chunk: Buffer, _e, cb) {
            hash.update(chunk);
            cb(null, chunk);
          },
        });
        stream.on("error", (err) => hashing.destroy(err));
        const layer = await layers.register(stream.pipe(hashing), parent, (p) =>
          emit({ kind: "layer", id: short, current: p.bytesRead, total: size }),
        );
        registered.push(layer.chainId);
        if (l.digest !== undefined && `sha256:${hash.digest("hex")}` !== l.digest) {
          throw invalid(`invalid archive: blob ${l.path} does not match its digest ${l.digest}`);
        }
        if (layer.diffId !== diffIds[i]) {
          throw invalid(`invalid diffID for layer ${i}: expected "${diffIds[i]}", got "${layer.diffId}"`);
        }
      }
      parent = chain;
    }
    const { id, moved } = await s.create({ configBytes: img.configBytes, tags: img.tags });
    for (const m of moved) emit({ kind: "renamed", ref: m.ref, oldId: m.from });
    // Layers are now held by the image; drop the load's own claim on the new ones.
    registered.length = 0;
    if (img.tags.length === 0) emit({ kind: "loaded-id", id });
    for (const t of img.tags) emit({ kind: "loaded", ref: familiarString(t) });
    s.event(id, "load", id);
    return id;
  } finally {
    await dropUnused(s, registered);
  }
}

/** Frees layers nobody retained (a retain then release deletes an unreferenced layer). */
async function dropUnused(s: ImageService, chains: ChainId[]): Promise<void> {
  for (const c of [...chains].reverse()) {
    if (s.deps.layers.get(c) === undefined) continue;
    s.deps.layers.retain(c);
    await s.deps.layers.release(c);
  }
}

async function dockerArchivePlan(archive: SpooledArchive): Promise<PlannedImage[]> {
  const { value } = await archive.readJson("manifest.json", "manifest");
  if (!Array.isArray(value)) throw invalid("invalid archive: manifest.json is not a list");
  const out: PlannedImage[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== "object" || item === null) throw invalid("invalid archive: bad manifest.json entry");
    const m = item as { Config?: unknown; RepoTags?: unknown; Layers?: unknown };
    if (typeof m.Config !== "string") throw invalid("invalid archive: manifest.json entry without Config");
    if (!Array.isArray(m.Layers) || !m.Layers.every((l): l is string => typeof l === "string")) {
      throw invalid("invalid archive: manifest.json entry without Layers");
    }
    const repoTags = m.RepoTags ?? [];
    if (!Array.isArray(repoTags) || !repoTags.every((t): t is string => typeof t === "string")) {
      throw invalid("invalid archive: bad RepoTags in manifest.json");
    }
    const { bytes } = await archive.readJson(m.Config, "config");
    out.push({
      configBytes: bytes,
      layers: m.Layers.map((path) => ({ path, what: "layer" })),
      tags: repoTags.map(parseLoadTag),
    });
  }
  return out;
}

function parseLoadTag(t: string): Reference {
  const ref = parseNormalizedNamed(t);
  if (ref.tag === undefined || ref.digest !== undefined) throw invalid(`invalid tag "${t}"`);
  return withDefaultTag(ref);
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string };
}

function descriptors(value: unknown, what: string): Descriptor[] {
  const list = (value as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(list)) throw invalid(`invalid archive: ${what} has no manifests`);
  return list.map((d) => {
    if (typeof d !== "object" || d === null || typeof (d as Descriptor).digest !== "string") {
      throw invalid(`invalid archive: bad descriptor in ${what}`);
    }
    return d as Descriptor;
  });
}

function blobPath(digest: string): string {
  if (!isDigest(digest)) throw invalid(`invalid archive: unsupported digest ${digest}`);
  return `blobs/sha256/${digest.slice(7)}`;
}

async function verifiedBlob(
  archive: SpooledArchive,
  digest: string,
  what: string,
): Promise<{ bytes: Buffer; value: unknown }> {
  const blob = await archive.readJson(blobPath(digest), what);
  if (sha256Digest(blob.bytes) !== digest)
    throw invalid(`invalid archive: ${what} ${digest} does not match its digest`);
  return blob;
}

const indexTypes = new Set([
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
]);

async function ociLayoutPlan(archive: SpooledArchive): Promise<PlannedImage[]> {
  const { value } = await archive.readJson("index.json", "index");
  const out: PlannedImage[] = [];
  for (const top of descriptors(value, "index.json")) {
    let desc = top;
    for (let depth = 0; indexTypes.has(desc.mediaType ?? ""); depth++) {
      if (depth > 2) throw invalid("invalid archive: nested indexes too deep");
      const nested = descriptors((await verifiedBlob(archive, desc.digest, "index")).value, desc.digest);
      const pick =
        nested.find((d) => d.platform?.os === "linux" && d.platform.architecture === hostArchitecture()) ??
        nested.find((d) => d.platform === undefined);
      if (pick === undefined) throw invalid(`invalid archive: no manifest for linux/${hostArchitecture()}`);
      desc = { ...pick, annotations: { ...pick.annotations, ...top.annotations } };
    }
    const manifest = (await verifiedBlob(archive, desc.digest, "manifest")).value as {
      config?: { digest?: unknown };
      layers?: unknown;
    };
    const configDigest = manifest.config?.digest;
    if (typeof configDigest !== "string")
      throw invalid(`invalid archive: manifest ${desc.digest} has no config`);
    const configBytes = (await verifiedBlob(archive, configDigest, "config")).bytes;
    if (!Array.isArray(manifest.layers))
      throw invalid(`invalid archive: manifest ${desc.digest} has no layers`);
    const layers = (manifest.layers as { digest?: unknown }[]).map((l) => {
      if (typeof l?.digest !== "string")
        throw invalid(`invalid archive: bad layer in manifest ${desc.digest}`);
      return { path: blobPath(l.digest), what: "layer", digest: l.digest };
    });
    out.push({ configBytes, layers, tags: ociTags(desc.annotations ?? {}) });
  }
  return out;
}

/** The name an OCI index gives a manifest: containerd's full name, else a full ref.name. */
function ociTags(annotations: Record<string, string>): Reference[] {
  const full = annotations["io.containerd.image.name"];
  const refName = annotations["org.opencontainers.image.ref.name"];
  for (const candidate of [full, refName]) {
    if (candidate === undefined || !/[:/]/.test(candidate)) continue;
    try {
      const ref = parseNormalizedNamed(candidate);
      if (ref.tag !== undefined && ref.digest === undefined) return [ref];
    } catch {
      // Not a reference (a bare tag): the image loads untagged.
    }
  }
  return [];
}
