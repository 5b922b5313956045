/**
 * Image endpoints: list, inspect, history, tag, remove, prune, import
 * (`POST /images/create?fromSrc=`), load, save, and the images part of
 * `GET /system/df`.
 */
import type { Readable } from "node:stream";
import { invalid, notImplemented } from "../../engine/errors.js";
import type { ImageId } from "../../engine/ids.js";
import {
  familiarString,
  withDefaultTag,
  parseDanglingFilter,
  parseRepoTag,
  parseTimeFilter,
  type DeleteItem,
  type HistoryItem,
  type Image,
  type ImageSummary,
  type ImportOptions,
  type ListOptions,
  type LoadProgress,
  type PruneOptions,
  type RemoveOptions,
} from "../../engine/images/index.js";
import type { RequestContext } from "../context.js";
import { boolOr, boolValue, checkFilterKeys, parseFilters } from "../query.js";
import type { Route } from "../router.js";
import type { BuildCacheWire } from "../types/build.js";
import type { ContainerSummary } from "../types/containers.js";
import type { DiskUsageWire, ImagePruneWire } from "../types/images.js";
import type { VolumeWire } from "../types/volumes.js";
import { JsonMessages } from "./progress.js";
import { toDeleteWire, toHistoryWire, toInspectWire, toSummaryWire } from "./translate.js";

export interface ImagesBackend {
  list(opts: ListOptions): ImageSummary[];
  resolve(ref: string): Promise<Image>;
  lastTagNano(id: ImageId): bigint | undefined;
  graphDriverData(id: ImageId): Record<string, string>;
  history(ref: string): HistoryItem[];
  tag(source: string, target: string): Promise<void>;
  remove(ref: string, opts: RemoveOptions): Promise<DeleteItem[]>;
  prune(opts: PruneOptions): Promise<{ deleted: DeleteItem[]; spaceReclaimed: number }>;
  importImage(source: Readable, opts: ImportOptions): Promise<ImageId>;
  load(source: Readable, emit: (p: LoadProgress) => void): Promise<ImageId[]>;
  save(names: readonly string[]): Promise<{ tar: Readable }>;
  diskUsage(): { layersSize: number; images: ImageSummary[] };
}

export interface ImagesRouteDeps {
  /** The tarball of `import URL` (only loopback hosts are reachable). */
  openUrl(url: string): Promise<{ stream: Readable; size: number | undefined }>;
  /** `POST /images/create?fromImage=`: a pull, handled by api/distribution.ts when wired. */
  pullImage?: (ctx: RequestContext) => Promise<void>;
  /** The `Volumes` part of disk usage (api/volumes.ts maps it), when the volume service is wired. */
  volumesDiskUsage?: () => Promise<VolumeWire[]>;
  /** `system df` containers: the list summaries with SizeRw. */
  containersDiskUsage?: () => Promise<ContainerSummary[]>;
  /** The `BuildCache` part of disk usage (api/build.ts maps it), when the builder is wired. */
  buildCacheDiskUsage?: () => BuildCacheWire[];
}

export function imageRoutes(backend: ImagesBackend, deps: ImagesRouteDeps): Route[] {
  return [
    { method: "GET", path: "/images/json", handler: (ctx) => list(backend, ctx) },
    { method: "POST", path: "/images/create", handler: (ctx) => create(backend, deps, ctx) },
    { method: "POST", path: "/images/load", handler: (ctx) => load(backend, ctx) },
    { method: "GET", path: "/images/get", handler: (ctx) => save(backend, ctx, ctx.query.getAll("names")) },
    { method: "POST", path: "/images/prune", handler: (ctx) => prune(backend, ctx) },
    { method: "GET", path: "/images/{name*}/get", handler: (ctx) => save(backend, ctx, [ctx.param("name")]) },
    {
      method: "GET",
      path: "/images/{name*}/json",
      handler: async (ctx) => {
        const img = await backend.resolve(ctx.param("name"));
        const extra = {
          lastTagNano: backend.lastTagNano(img.id),
          graphDriverData: backend.graphDriverData(img.id),
        };
        ctx.json(200, toInspectWire(img, extra, ctx.apiVersion));
      },
    },
    {
      method: "GET",
      path: "/images/{name*}/history",
      handler: async (ctx) => ctx.json(200, backend.history(ctx.param("name")).map(toHistoryWire)),
    },
    {
      method: "POST",
      path: "/images/{name*}/tag",
      handler: async (ctx) => {
        const repo = ctx.query.get("repo") ?? "";
        if (repo === "") throw invalid("repository name must have at least one component");
        const target = withDefaultTag(parseRepoTag(repo, ctx.query.get("tag") ?? ""));
        await backend.tag(ctx.param("name"), familiarString(target));
        ctx.noContent(201);
      },
    },
    {
      method: "DELETE",
      path: "/images/{name*}",
      handler: async (ctx) => {
        const items = await backend.remove(ctx.param("name"), {
          force: boolValue(ctx.query, "force"),
          prune: !boolValue(ctx.query, "noprune"),
        });
        ctx.json(200, items.map(toDeleteWire));
      },
    },
    // The images part of disk usage; containers/, volumes/ and build/ add theirs when they land.
    { method: "GET", path: "/system/df", handler: (ctx) => diskUsage(backend, deps, ctx) },
  ];
}

async function list(backend: ImagesBackend, ctx: RequestContext): Promise<void> {
  const f = parseFilters(ctx.query.get("filters"));
  checkFilterKeys(f, ["dangling", "label", "before", "since", "reference", "until"]);
  const pick = (k: string) => {
    const v = f.get(k) ?? [];
    return v[v.length - 1];
  };
  // API < 1.41 also took a bare `filter=name` for the reference.
  const legacy = ctx.query.get("filter");
  const references = [...(f.get("reference") ?? []), ...(legacy ? [legacy] : [])];
  const opts: ListOptions = {
    all: boolValue(ctx.query, "all"),
    dangling: parseDanglingFilter(f.get("dangling") ?? []),
    labels: f.get("label") ?? [],
    references,
    before: pick("before"),
    since: pick("since"),
    sharedSize: boolValue(ctx.query, "shared-size"),
    containerCount: false,
  };
  let out = backend.list(opts);
  const until = pick("until");
  if (until !== undefined) {
    const limit = parseTimeFilter(until, BigInt(Date.now()) * 1_000_000n) / 1_000_000_000n;
    out = out.filter((s) => BigInt(toSummaryWire(s, ctx.apiVersion).Created) <= limit);
  }
  ctx.json(
    200,
    out.map((s) => toSummaryWire(s, ctx.apiVersion)),
  );
}

async function create(backend: ImagesBackend, deps: ImagesRouteDeps, ctx: RequestContext): Promise<void> {
  const q = ctx.query;
  const src = q.get("fromSrc");
  if (src === null || src === "") {
    if (q.get("fromImage")) {
      if (deps.pullImage) return deps.pullImage(ctx);
      throw notImplemented("pulling images from a registry is not implemented yet");
    }
    throw invalid("fromImage or fromSrc is required");
  }
  const repo = q.get("repo") ?? "";
  const tag = repo === "" ? undefined : parseRepoTag(repo, q.get("tag") ?? "");
  const message = q.get("message") ?? "";
  const opts: ImportOptions = {
    tag: tag && tag.tag === undefined ? { ...tag, tag: "latest" } : tag,
    comment: message !== "" ? message : `Imported from ${src}`,
    changes: q.getAll("changes"),
  };
  let out: JsonMessages | undefined;
  const started = () => (out ??= new JsonMessages(ctx.stream("application/json")));
  try {
    let source: Readable = ctx.req;
    if (src !== "-") {
      started().write({ status: `Downloading from ${src}` });
      const remote = await deps.openUrl(src);
      source = remote.stream;
      opts.onProgress = (n) => out?.progress("", "Importing", n, remote.size ?? 0);
    }
    const id = await backend.importImage(source, opts);
    started().write({ status: id });
    out?.end();
  } catch (err) {
    // Before the first byte the client gets an HTTP error; after it, an in-band one.
    if (out === undefined) throw err;
    out.error(err);
    out.end();
  }
}

async function load(backend: ImagesBackend, ctx: RequestContext): Promise<void> {
  const quiet = boolOr(ctx.query, "quiet", true);
  const out = new JsonMessages(ctx.stream("application/json"));
  const emit = (p: LoadProgress) => {
    switch (p.kind) {
      case "layer":
        if (!quiet) out.progress(p.id, "Loading layer", p.current, p.total);
        return;
      case "loaded":
        out.write({ stream: `Loaded image: ${p.ref}\n` });
        return;
      case "loaded-id":
        out.write({ stream: `Loaded image ID: ${p.id}\n` });
        return;
      case "renamed":
        out.write({
          stream: `The image ${p.ref} already exists, renaming the old one with ID ${p.oldId} to empty string\n`,
        });
        return;
    }
  };
  try {
    await backend.load(ctx.req, emit);
  } catch (err) {
    // dockerd answers 200 and reports load errors in the stream.
    out.error(err);
    ctx.req.resume();
  }
  out.end();
}

async function save(backend: ImagesBackend, ctx: RequestContext, names: string[]): Promise<void> {
  const { tar } = await backend.save(names);
  const res = ctx.stream("application/x-tar");
  tar.on("error", (err) => {
    // Mid-stream: the only honest signal left is a cut connection.
    res.destroy(err);
  });
  tar.pipe(res);
  await new Promise<void>((resolve) => {
    res.on("close", () => resolve());
    res.on("finish", () => resolve());
  });
}

async function prune(backend: ImagesBackend, ctx: RequestContext): Promise<void> {
  const f = parseFilters(ctx.query.get("filters"));
  checkFilterKeys(f, ["dangling", "label", "label!", "until"]);
  const dangling = parseDanglingFilter(f.get("dangling") ?? []);
  const until = f.get("until") ?? [];
  if (until.length > 1) throw invalid("more than one until filter specified");
  const report = await backend.prune({
    danglingOnly: dangling ?? true,
    untilNano:
      until[0] === undefined ? undefined : parseTimeFilter(until[0], BigInt(Date.now()) * 1_000_000n),
    labels: f.get("label") ?? [],
    notLabels: f.get("label!") ?? [],
  });
  const body: ImagePruneWire = {
    ImagesDeleted: report.deleted.length > 0 ? report.deleted.map(toDeleteWire) : null,
    SpaceReclaimed: report.spaceReclaimed,
  };
  ctx.json(200, body);
}

async function diskUsage(backend: ImagesBackend, deps: ImagesRouteDeps, ctx: RequestContext): Promise<void> {
  const types = ctx.query.getAll("type");
  for (const t of types) {
    if (!["container", "image", "volume", "build-cache"].includes(t))
      throw invalid(`unknown object type: ${t}`);
  }
  const want = (t: string) => types.length === 0 || types.includes(t);
  const body: Partial<DiskUsageWire> = {};
  if (want("image")) {
    const du = backend.diskUsage();
    body.LayersSize = du.layersSize;
    body.Images = du.images.map((s) => toSummaryWire(s, ctx.apiVersion));
  }
  // Owners of containers, volumes and the build cache fill these in.
  if (want("container")) body.Containers = deps.containersDiskUsage ? await deps.containersDiskUsage() : [];
  if (want("volume")) body.Volumes = deps.volumesDiskUsage ? await deps.volumesDiskUsage() : [];
  if (want("build-cache")) body.BuildCache = deps.buildCacheDiskUsage ? deps.buildCacheDiskUsage() : [];
  ctx.json(200, body);
}
