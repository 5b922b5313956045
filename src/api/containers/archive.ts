/**
 * docker cp's endpoints: HEAD (stat), GET (tar of a path) and PUT (extract a
 * tar into a directory) on /containers/{id}/archive. The stat travels in the
 * X-Docker-Container-Path-Stat header as base64 JSON, its mode as Go's
 * os.FileMode bits.
 */
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ExtractToDirOptions, PathStat } from "../../engine/containers/extras.js";
import { invalid } from "../../engine/errors.js";
import type { RequestContext } from "../context.js";
import { boolValue } from "../query.js";
import type { Route } from "../router.js";
import type { ContainerPathStatWire } from "../types/containerExtras.js";

export interface ContainerArchiveBackend {
  statPath(ref: string, path: string): Promise<PathStat>;
  archivePath(ref: string, path: string): Promise<{ stat: PathStat; tar: Readable }>;
  extractToDir(
    ref: string,
    path: string,
    tar: AsyncIterable<Uint8Array>,
    opts: ExtractToDirOptions,
  ): Promise<void>;
}

export const PATH_STAT_HEADER = "X-Docker-Container-Path-Stat";

/** st_mode to Go's os.FileMode (type bits high, permission bits low). */
export function goFileMode(mode: number): number {
  let m = mode & 0o777;
  switch (mode & 0o170000) {
    case 0o040000:
      m |= 1 << 31;
      break;
    case 0o120000:
      m |= 1 << 27;
      break;
    case 0o010000:
      m |= 1 << 25;
      break;
    case 0o140000:
      m |= 1 << 24;
      break;
    case 0o020000:
      m |= (1 << 26) | (1 << 21);
      break;
    case 0o060000:
      m |= 1 << 26;
      break;
  }
  if (mode & 0o4000) m |= 1 << 23;
  if (mode & 0o2000) m |= 1 << 22;
  if (mode & 0o1000) m |= 1 << 20;
  return m >>> 0;
}

export function toPathStatWire(s: PathStat): ContainerPathStatWire {
  return {
    name: s.name,
    size: s.size,
    mode: goFileMode(s.mode),
    mtime: new Date(s.mtimeMs).toISOString(),
    linkTarget: s.linkTarget,
  };
}

function pathStatHeader(s: PathStat): string {
  return Buffer.from(JSON.stringify(toPathStatWire(s))).toString("base64");
}

function archivePathParam(ctx: RequestContext): string {
  const path = ctx.query.get("path") ?? "";
  if (path === "") throw invalid("bad parameter: path cannot be empty");
  return path;
}

async function headArchive(ctx: RequestContext, b: ContainerArchiveBackend): Promise<void> {
  const stat = await b.statPath(ctx.param("name"), archivePathParam(ctx));
  ctx.res.writeHead(200, { [PATH_STAT_HEADER]: pathStatHeader(stat), "Content-Type": "application/json" });
  ctx.res.end();
}

async function getArchive(ctx: RequestContext, b: ContainerArchiveBackend): Promise<void> {
  const { stat, tar } = await b.archivePath(ctx.param("name"), archivePathParam(ctx));
  ctx.res.writeHead(200, { [PATH_STAT_HEADER]: pathStatHeader(stat), "Content-Type": "application/x-tar" });
  // A client that goes away destroys the tar, which releases the container.
  await pipeline(tar, ctx.res).catch(() => tar.destroy());
}

async function putArchive(ctx: RequestContext, b: ContainerArchiveBackend): Promise<void> {
  const path = archivePathParam(ctx);
  // Docker's default lets a file replace a directory unless the client asks otherwise.
  const noOverwriteDirNonDir =
    ctx.query.has("noOverwriteDirNonDir") && boolValue(ctx.query, "noOverwriteDirNonDir");
  await b.extractToDir(ctx.param("name"), path, ctx.req, {
    noOverwriteDirNonDir,
    copyUidGid: boolValue(ctx.query, "copyUIDGID"),
  });
  ctx.res.writeHead(200).end();
}

export function containerArchiveRoutes(b: ContainerArchiveBackend): Route[] {
  return [
    { method: "HEAD", path: "/containers/{name}/archive", handler: (ctx) => headArchive(ctx, b) },
    { method: "GET", path: "/containers/{name}/archive", handler: (ctx) => getArchive(ctx, b) },
    { method: "PUT", path: "/containers/{name}/archive", handler: (ctx) => putArchive(ctx, b) },
  ];
}
