/** Manifests by tag or digest: read, push (validated), delete. */
import { maxManifestSize } from "../manifests.js";
import { parseManifestRef } from "../names.js";
import { readBody, reply, type RepoExchange } from "./exchange.js";

export async function getManifest(x: RepoExchange): Promise<void> {
  const m = await x.registry.getManifest(x.name, parseManifestRef(x.param));
  const headers = {
    "Content-Type": m.mediaType,
    "Docker-Content-Digest": m.digest,
    ETag: `"${m.digest}"`,
    "Content-Length": String(m.bytes.length),
  };
  reply(x.res, 200, headers, x.req.method === "HEAD" ? undefined : m.bytes);
}

export async function putManifest(x: RepoExchange): Promise<void> {
  const ref = parseManifestRef(x.param);
  const bytes = await readBody(x.req, maxManifestSize);
  const pushed = await x.registry.putManifest(x.name, ref, bytes, x.req.headers["content-type"]);
  const headers: Record<string, string> = {
    Location: `/v2/${x.name}/manifests/${pushed.digest}`,
    "Docker-Content-Digest": pushed.digest,
  };
  if (pushed.subject) headers["OCI-Subject"] = pushed.subject;
  reply(x.res, 201, headers);
}

export async function deleteManifest(x: RepoExchange): Promise<void> {
  await x.registry.deleteManifest(x.name, parseManifestRef(x.param));
  reply(x.res, 202);
}
