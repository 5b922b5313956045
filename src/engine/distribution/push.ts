/**
 * Pushing one tag (moby's push_v2): each layer is found already in the
 * repository (HEAD), mounted from another repository of the same registry,
 * or compressed with gzip and uploaded (POST, streamed PATCH, PUT ?digest=);
 * five at a time. Then the config blob and a schema 2 manifest.
 */
import { createHash } from "node:crypto";
import { Transform, type Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { invalid } from "../errors.js";
import { sha256Digest, shortId, type ChainId, type DiffId, type Digest } from "../ids.js";
import { distributionMessages } from "./messages.js";
import type { BlobCache, BlobLocation } from "./blobCache.js";
import { retryable } from "./download.js";
import { header } from "./http.js";
import { schema2Manifest } from "./manifest.js";
import { isRegistryError } from "./registryError.js";
import type { RegistrySession } from "./session.js";
import { mediaTypes, type Emit } from "./types.js";

export interface PushLayer {
  chainId: ChainId;
  diffId: DiffId;
  /** Bytes of the uncompressed tar (the progress total). */
  tarSize: number;
}

export interface PushContext {
  session: RegistrySession;
  /** Registry domain and repository path of the target. */
  registry: string;
  repo: string;
  cache: BlobCache;
  emit: Emit;
  tarStream(chainId: ChainId): Readable;
  concurrency?: number;
}

/** Mount sources a push may use: other repositories of the same registry holding a layer. */
export function mountSources(
  cache: BlobCache,
  registry: string,
  repo: string,
  layers: readonly PushLayer[],
): string[] {
  const out = new Set<string>();
  for (const l of layers) {
    for (const loc of cache.locations(l.diffId))
      if (loc.registry === registry && loc.repo !== repo) out.add(loc.repo);
  }
  return [...out];
}

/** Pushes the layers, config and manifest of one image under `tag`. */
export async function pushTag(
  ctx: PushContext,
  image: { configBytes: Buffer; layers: readonly PushLayer[] },
  tag: string,
): Promise<{ digest: Digest; size: number }> {
  const topFirst = [...image.layers].reverse();
  for (const l of topFirst) ctx.emit({ kind: "layer", id: shortId(l.diffId), status: "Preparing" });
  const results = new Map<DiffId, { digest: Digest; size: number }>();
  const concurrency = ctx.concurrency ?? 5;
  let next = 0;
  for (let i = concurrency; i < topFirst.length; i++) {
    ctx.emit({ kind: "layer", id: shortId(topFirst[i]!.diffId), status: "Waiting" });
  }
  const worker = async () => {
    while (next < topFirst.length) {
      const l = topFirst[next++]!;
      if (!results.has(l.diffId)) results.set(l.diffId, await pushLayer(ctx, l));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, topFirst.length) }, worker));

  const configDigest = sha256Digest(image.configBytes);
  if (!(await blobExists(ctx, configDigest))) {
    await uploadBuffer(ctx, image.configBytes, configDigest);
  }
  const layers = image.layers.map((l) => results.get(l.diffId)!);
  const manifest = schema2Manifest({ digest: configDigest, size: image.configBytes.length }, layers);
  const digest = sha256Digest(manifest);
  const res = await ctx.session.request("PUT", `/v2/${ctx.repo}/manifests/${tag}`, {
    headers: { "Content-Type": mediaTypes.dockerManifest },
    body: manifest,
  });
  res.body.resume();
  const answered = header(res, "Docker-Content-Digest");
  if (answered !== undefined && answered !== digest)
    throw invalid(distributionMessages.manifestVerification(answered));
  return { digest, size: manifest.length };
}

async function pushLayer(ctx: PushContext, l: PushLayer): Promise<{ digest: Digest; size: number }> {
  const id = shortId(l.diffId);
  const known = ctx.cache.locations(l.diffId).filter((loc) => loc.registry === ctx.registry);
  for (const loc of known.filter((k) => k.repo === ctx.repo)) {
    if (await blobExists(ctx, loc.digest)) {
      ctx.emit({ kind: "layer", id, status: "Layer already exists" });
      return { digest: loc.digest, size: loc.size };
    }
    ctx.cache.remove(l.diffId, loc);
  }
  for (const loc of known.filter((k) => k.repo !== ctx.repo)) {
    if (await mount(ctx, loc)) {
      ctx.cache.add(l.diffId, { ...loc, repo: ctx.repo });
      ctx.emit({ kind: "layer", id, status: "Mounted from", from: loc.repo });
      return { digest: loc.digest, size: loc.size };
    }
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await uploadLayer(ctx, l, id);
      ctx.cache.add(l.diffId, { digest: out.digest, registry: ctx.registry, repo: ctx.repo, size: out.size });
      ctx.emit({ kind: "layer", id, status: "Pushed" });
      return out;
    } catch (err) {
      if (!retryable(err) || attempt >= 3) throw err;
      ctx.emit({ kind: "layer", id, status: "Retrying", retryIn: attempt });
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
}

async function blobExists(ctx: PushContext, digest: Digest): Promise<boolean> {
  const res = await ctx.session.request("HEAD", `/v2/${ctx.repo}/blobs/${digest}`, {
    ok: (s) => s === 200 || s === 404,
  });
  res.body.resume();
  return res.status === 200;
}

/** Cross-repository mount; a registry that cannot mount opens an upload instead, which is cancelled. */
async function mount(ctx: PushContext, loc: BlobLocation): Promise<boolean> {
  let res;
  try {
    res = await ctx.session.request(
      "POST",
      `/v2/${ctx.repo}/blobs/uploads/?mount=${loc.digest}&from=${loc.repo}`,
      {
        headers: { "Content-Length": "0" },
        ok: (s) => s === 201 || s === 202,
      },
    );
  } catch (err) {
    if (isRegistryError(err)) return false;
    throw err;
  }
  res.body.resume();
  if (res.status === 201) return true;
  const location = header(res, "Location");
  if (location !== undefined) {
    const del = await ctx.session.request("DELETE", absolute(ctx, location), { ok: () => true });
    del.body.resume();
  }
  return false;
}

async function startUpload(ctx: PushContext): Promise<string> {
  const res = await ctx.session.request("POST", `/v2/${ctx.repo}/blobs/uploads/`, {
    headers: { "Content-Length": "0" },
  });
  res.body.resume();
  const location = header(res, "Location");
  if (location === undefined) throw invalid("registry started an upload without a Location");
  return absolute(ctx, location);
}

async function uploadLayer(
  ctx: PushContext,
  l: PushLayer,
  id: string,
): Promise<{ digest: Digest; size: number }> {
  const location = await startUpload(ctx);
  const hash = createHash("sha256");
  let size = 0;
  let read = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      read += chunk.length;
      ctx.emit({ kind: "layer", id, status: "Pushing", current: read, total: l.tarSize });
      cb(null, chunk);
    },
  });
  const digestOf = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  const tar = ctx.tarStream(l.chainId);
  const gzip = createGzip();
  tar.on("error", (err) => digestOf.destroy(err));
  gzip.on("error", (err) => digestOf.destroy(err));
  tar.pipe(count).pipe(gzip).pipe(digestOf);
  const patched = await ctx.session.request("PATCH", location, {
    headers: { "Content-Type": "application/octet-stream" },
    body: () => digestOf,
  });
  patched.body.resume();
  const digest = `sha256:${hash.digest("hex")}` as Digest;
  const next = absolute(ctx, header(patched, "Location") ?? location);
  const put = await ctx.session.request("PUT", withDigest(next, digest), {
    headers: { "Content-Length": "0" },
  });
  put.body.resume();
  return { digest, size };
}

async function uploadBuffer(ctx: PushContext, bytes: Buffer, digest: Digest): Promise<void> {
  const location = await startUpload(ctx);
  const put = await ctx.session.request("PUT", withDigest(location, digest), {
    headers: { "Content-Type": "application/octet-stream", "Content-Length": String(bytes.length) },
    body: bytes,
  });
  put.body.resume();
}

function absolute(ctx: PushContext, location: string): string {
  return new URL(location, ctx.session.endpoint.base + "/").toString();
}

function withDigest(location: string, digest: Digest): string {
  const u = new URL(location);
  u.searchParams.set("digest", digest);
  return u.toString();
}
