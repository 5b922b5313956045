/**
 * `docker save`: the archive Docker 25+ writes, both a docker-archive
 * (manifest.json, repositories) and an OCI layout (oci-layout, index.json),
 * sharing one blobs/sha256/ directory. Layer tars come byte-exact from the
 * layer store, so their digests are the diffIDs and a load gives the same IDs.
 */
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import { invalid, notFound } from "../../errors.js";
import { chainIdOf, digestHex, sha256Digest, type ChainId, type ImageId } from "../../ids.js";
import { messages } from "../../messages.js";
import {
  familiarName,
  familiarString,
  parseAnyReference,
  parseNormalizedNamed,
  referenceString,
  withDefaultTag,
  type Reference,
} from "../reference.js";
import type { ImageService } from "../service.js";

interface SavedImage {
  id: ImageId;
  configBytes: Buffer;
  refs: Reference[];
  layers: { diffId: string; chainId: ChainId; size: number }[];
  manifest: Buffer;
  manifestDigest: string;
}

const ociManifest = "application/vnd.oci.image.manifest.v1+json";

/** Resolves every name first (errors before any byte), then streams the tar. */
export async function saveImages(
  s: ImageService,
  names: readonly string[],
): Promise<{ ids: ImageId[]; tar: Readable }> {
  if (names.length === 0) throw invalid("no images specified");
  const byId = new Map<ImageId, Reference[]>();
  const add = (id: ImageId, ref: Reference | undefined) => {
    const refs = byId.get(id) ?? [];
    if (ref !== undefined && !refs.some((r) => referenceString(r) === referenceString(ref))) refs.push(ref);
    byId.set(id, refs);
  };
  for (const name of names) {
    const any = parseAnyReference(name);
    if (any.kind === "id" || familiarName(any.ref) === "sha256") {
      add(s.resolveRecord(name).id, undefined);
      continue;
    }
    const ref = any.ref;
    if (ref.tag === undefined && ref.digest === undefined) {
      const repo = referenceString(ref);
      const tagged = s.records
        .all()
        .flatMap((img) => s.records.refsOf(img.id).map((r) => ({ r, img })))
        .filter(({ r }) => r.kind === "tag" && r.name.startsWith(`${repo}:`));
      if (tagged.length > 0) {
        for (const { r, img } of tagged) add(img.id, parseNormalizedNamed(r.name));
        continue;
      }
      add(s.resolveRecord(name).id, undefined);
      continue;
    }
    const found = s.records.ref(referenceString(ref));
    if (found === undefined) throw notFound(messages.noSuchImage(familiarString(withDefaultTag(ref))));
    add(found.imageId, ref.tag !== undefined ? ref : undefined);
  }
  const images: SavedImage[] = [];
  for (const [id, refs] of byId) images.push(await describe(s, id, refs));
  for (const img of images) s.event(img.id, "save", img.id);
  return { ids: images.map((i) => i.id), tar: writeTar(s, images) };
}

async function describe(s: ImageService, id: ImageId, refs: Reference[]): Promise<SavedImage> {
  const rec = s.records.get(id);
  if (rec === undefined) throw notFound(messages.noSuchImage(id));
  const configBytes = await s.deps.content.read(id);
  const diffIds = rec.config.rootfs.diff_ids;
  const layers = chainIdOf(diffIds).map((chainId, i) => {
    const l = s.deps.layers.get(chainId);
    if (l === undefined) throw notFound(`layer ${chainId} of image ${id} is missing`);
    return { diffId: diffIds[i]!, chainId, size: l.tarSize };
  });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: ociManifest,
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: id, size: configBytes.length },
      layers: layers.map((l) => ({
        mediaType: "application/vnd.oci.image.layer.v1.tar",
        digest: l.diffId,
        size: l.size,
      })),
    }),
  );
  return { id, configBytes, refs, layers, manifest, manifestDigest: sha256Digest(manifest) };
}

type Blob = { hex: string } & ({ bytes: Buffer } | { chainId: ChainId; size: number });

function writeTar(s: ImageService, images: SavedImage[]): Readable {
  const pack = tar.pack();
  const mtime = new Date(0);
  const blobs = new Map<string, Blob>();
  for (const img of images) {
    blobs.set(digestHex(img.id), { hex: digestHex(img.id), bytes: img.configBytes });
    blobs.set(img.manifestDigest.slice(7), { hex: img.manifestDigest.slice(7), bytes: img.manifest });
    for (const l of img.layers) {
      blobs.set(l.diffId.slice(7), { hex: l.diffId.slice(7), chainId: l.chainId, size: l.size });
    }
  }
  const manifestJson = images.map((img) => ({
    Config: `blobs/sha256/${digestHex(img.id)}`,
    RepoTags: img.refs.length > 0 ? img.refs.map((r) => familiarString(r)) : null,
    Layers: img.layers.map((l) => `blobs/sha256/${l.diffId.slice(7)}`),
  }));
  const repositories: Record<string, Record<string, string>> = {};
  for (const img of images) {
    const top = img.layers[img.layers.length - 1];
    if (top === undefined) continue;
    for (const r of img.refs) (repositories[familiarName(r)] ??= {})[r.tag ?? "latest"] = top.diffId.slice(7);
  }
  const index = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: images.flatMap((img) => {
      const d = { mediaType: ociManifest, digest: img.manifestDigest, size: img.manifest.length };
      if (img.refs.length === 0) return [d];
      return img.refs.map((r) => ({
        ...d,
        annotations: {
          "io.containerd.image.name": referenceString(r),
          "org.opencontainers.image.ref.name": r.tag ?? "latest",
        },
      }));
    }),
  };
  const file = (name: string, bytes: Buffer) =>
    new Promise<void>((resolve, reject) =>
      pack.entry({ name, mode: 0o644, mtime, size: bytes.length }, bytes, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  const dir = (name: string) =>
    new Promise<void>((resolve, reject) =>
      pack.entry({ name, type: "directory", mode: 0o755, mtime }, (err) => (err ? reject(err) : resolve())),
    );
  const run = async () => {
    await dir("blobs/");
    await dir("blobs/sha256/");
    for (const b of [...blobs.values()].sort((a, b) => (a.hex < b.hex ? -1 : 1))) {
      const name = `blobs/sha256/${b.hex}`;
      if ("bytes" in b) {
        await file(name, b.bytes);
        continue;
      }
      const sink = pack.entry({ name, mode: 0o644, mtime, size: b.size });
      await pipeline(s.deps.layers.tarStream(b.chainId), sink);
    }
    await file("index.json", Buffer.from(JSON.stringify(index) + "\n"));
    await file("manifest.json", Buffer.from(JSON.stringify(manifestJson) + "\n"));
    await file("oci-layout", Buffer.from('{"imageLayoutVersion": "1.0.0"}'));
    if (Object.keys(repositories).length > 0) {
      await file("repositories", Buffer.from(JSON.stringify(repositories) + "\n"));
    }
    pack.finalize();
  };
  run().catch((err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  return pack as unknown as Readable;
}
