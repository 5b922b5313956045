/**
 * Blob uploads: start (POST, optionally monolithic with ?digest= or a
 * cross-repository mount), chunks (PATCH), completion (PUT ?digest=), status
 * (GET) and cancel (DELETE). Bodies stream to disk.
 */
import { regError } from "../errors.js";
import { isRepoName, parseBlobDigest, parseUploadId, type BlobDigest } from "../names.js";
import { rangeHeaders } from "../storage/index.js";
import { contentLength, queryValue, reply, type RepoExchange } from "./exchange.js";
import { parseContentRange } from "./range.js";

export async function postUpload(x: RepoExchange): Promise<void> {
  const { uploads } = x.registry.storage;
  const mount = queryValue(x.url, "mount");
  const from = queryValue(x.url, "from");
  if (mount !== undefined && from !== undefined && (await tryMount(x, mount, from))) return;
  const digest = queryValue(x.url, "digest");
  const id = await uploads.create(x.name);
  if (digest === undefined) {
    x.req.resume();
    return reply(x.res, 202, rangeHeaders(id, x.name, 0));
  }
  // Monolithic: the whole blob in this one request.
  try {
    const d = parseBlobDigest(digest);
    await uploads.finish(id, x.name, d, x.req);
    await created(x, d);
  } catch (err) {
    await uploads.cancel(id, x.name).catch(() => undefined);
    throw err;
  }
}

/** A mount the caller may read from; anything else falls back to an upload (202). */
async function tryMount(x: RepoExchange, mount: string, from: string): Promise<boolean> {
  if (!isRepoName(from)) return false;
  let d: BlobDigest;
  try {
    d = parseBlobDigest(mount);
  } catch {
    return false;
  }
  if (!x.grant.allows({ type: "repository", name: from, actions: ["pull"] })) return false;
  if (!(await x.registry.mount(x.name, d, from))) return false;
  reply(x.res, 201, { Location: `/v2/${x.name}/blobs/${d}`, "Docker-Content-Digest": d });
  x.req.resume();
  return true;
}

export async function patchUpload(x: RepoExchange): Promise<void> {
  const id = parseUploadId(x.param);
  const range = parseContentRange(headerValue(x.req.headers["content-range"]), contentLength(x.req));
  const size = await x.registry.storage.uploads.append(id, x.name, x.req, range?.start);
  reply(x.res, 202, rangeHeaders(id, x.name, size));
}

export async function putUpload(x: RepoExchange): Promise<void> {
  const id = parseUploadId(x.param);
  const digest = queryValue(x.url, "digest");
  if (digest === undefined) throw regError("DIGEST_INVALID", "digest parameter missing");
  const d = parseBlobDigest(digest);
  await x.registry.storage.uploads.finish(id, x.name, d, x.req);
  await created(x, d);
}

export async function getUpload(x: RepoExchange): Promise<void> {
  const id = parseUploadId(x.param);
  const { size } = await x.registry.storage.uploads.info(id, x.name);
  reply(x.res, 204, rangeHeaders(id, x.name, size));
}

export async function deleteUpload(x: RepoExchange): Promise<void> {
  const id = parseUploadId(x.param);
  await x.registry.storage.uploads.cancel(id, x.name);
  reply(x.res, 204);
}

async function created(x: RepoExchange, d: BlobDigest): Promise<void> {
  await x.registry.storage.repos.linkBlob(x.name, d);
  reply(x.res, 201, { Location: `/v2/${x.name}/blobs/${d}`, "Docker-Content-Digest": d });
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
