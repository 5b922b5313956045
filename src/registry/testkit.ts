/**
 * Helpers for the registry's tests: a server on 127.0.0.1 (port 0) over a
 * temp root, and small clients for the pushes the tests repeat.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRegistry, type AuthOptions, type RunningRegistry } from "./server.js";

export interface TestRegistry extends RunningRegistry {
  root: string;
  logs: string[];
  /** Closes the server and removes the root. */
  dispose(): Promise<void>;
}

export async function testRegistry(auth?: AuthOptions, root?: string): Promise<TestRegistry> {
  const dir = root ?? (await mkdtemp(join(tmpdir(), "berth-registry-test-")));
  const logs: string[] = [];
  const opts = { root: dir, addr: "127.0.0.1:0", log: (l: string) => void logs.push(l) };
  const running = await startRegistry(auth ? { ...opts, auth } : opts);
  return {
    ...running,
    root: dir,
    logs,
    async dispose() {
      await running.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function sha256(data: string | Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** Pushes a blob in one POST (?digest=) and returns its digest. */
export async function pushBlob(
  base: string,
  repo: string,
  data: string | Buffer,
  headers: Record<string, string> = {},
): Promise<string> {
  const digest = sha256(data);
  const res = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${digest}`, {
    method: "POST",
    headers: { "Content-Type": "application/octet-stream", ...headers },
    body: data,
  });
  if (res.status !== 201) throw new Error(`push blob: ${res.status} ${await res.text()}`);
  return digest;
}

export const ociManifestType = "application/vnd.oci.image.manifest.v1+json";
export const ociIndexType = "application/vnd.oci.image.index.v1+json";

/** An OCI image manifest over a config and layers already in the repository. */
export function imageManifest(
  config: { digest: string; size: number; mediaType?: string },
  layers: { digest: string; size: number }[],
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: ociManifestType,
    config: {
      mediaType: config.mediaType ?? "application/vnd.oci.image.config.v1+json",
      digest: config.digest,
      size: config.size,
    },
    layers: layers.map((l) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...l })),
    ...extra,
  });
}

/** Pushes a config and one layer to `repo`, then a manifest under `ref`; returns the manifest's digest. */
export async function pushImage(
  base: string,
  repo: string,
  ref: string,
  seed: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ digest: string; body: string; config: string; layer: string }> {
  const configBody = JSON.stringify({ architecture: "amd64", os: "linux", seed });
  const layerBody = `layer-${seed}`;
  const config = await pushBlob(base, repo, configBody, headers);
  const layer = await pushBlob(base, repo, layerBody, headers);
  const body = imageManifest(
    { digest: config, size: configBody.length },
    [{ digest: layer, size: layerBody.length }],
    extra,
  );
  const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, {
    method: "PUT",
    headers: { "Content-Type": ociManifestType, ...headers },
    body,
  });
  if (res.status !== 201) throw new Error(`push manifest: ${res.status} ${await res.text()}`);
  return { digest: sha256(body), body, config, layer };
}
