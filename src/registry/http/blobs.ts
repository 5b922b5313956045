/** Blob reads (whole or ranged, streamed from disk) and blob deletes. */
import { pipeline } from "node:stream/promises";
import { regError } from "../errors.js";
import { parseBlobDigest } from "../names.js";
import { reply, type RepoExchange } from "./exchange.js";
import { parseRange } from "./range.js";

export async function getBlob(x: RepoExchange): Promise<void> {
  const digest = parseBlobDigest(x.param);
  const size = await x.registry.statBlob(x.name, digest);
  if (size === undefined) throw regError("BLOB_UNKNOWN", { digest });
  const common = {
    "Docker-Content-Digest": digest,
    "Accept-Ranges": "bytes",
    ETag: `"${digest}"`,
    "Cache-Control": "max-age=31536000",
    "Content-Type": "application/octet-stream",
  };
  if (x.req.method === "HEAD") {
    // A client checks existence before it pushes a manifest: keep the blob out of a running GC's sweep.
    await x.registry.storage.blobs.touch(digest);
    return reply(x.res, 200, { ...common, "Content-Length": String(size) });
  }
  const range = parseRange(x.req.headers.range, size);
  const { res } = x;
  res.statusCode = range ? 206 : 200;
  for (const [k, v] of Object.entries(common)) res.setHeader(k, v);
  res.setHeader("Content-Length", range ? range.end - range.start + 1 : size);
  if (range) res.setHeader("Content-Range", `bytes ${range.start}-${range.end}/${size}`);
  if (size === 0) return void res.end();
  await pipeline(x.registry.storage.blobs.open(digest, range), res);
}

export async function deleteBlob(x: RepoExchange): Promise<void> {
  const digest = parseBlobDigest(x.param);
  await x.registry.deleteBlob(x.name, digest);
  reply(x.res, 202, { "Docker-Content-Digest": digest });
}
