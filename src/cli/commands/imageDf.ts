/** system df: disk usage by type, as docker 28's formatter computes it from `GET /system/df`. */
import type { BuildCacheWire } from "../../api/types/build.js";
import type { ContainerSummary } from "../../api/types/containers.js";
import type { DiskUsageWire, ImageSummaryWire } from "../../api/types/images.js";
import type { VolumeWire } from "../../api/types/volumes.js";
import { humanSize, renderRows, shortId, timeAgo } from "../format/index.js";
import type { CommandSpec } from "../spec.js";
import { renderImageTable } from "./images.js";
import { renderContainers } from "./ps.js";
import { renderVolumes } from "./volumeFormat.js";

/** "1.2kB (50%)": the percentage only when there is a total to take it of. */
function reclaimableText(reclaimable: number, total: number): string {
  return total > 0
    ? `${humanSize(reclaimable, 4)} (${Math.trunc((reclaimable * 100) / total)}%)`
    : humanSize(reclaimable, 4);
}

function imagesReclaimable(du: DiskUsageWire): string {
  const total = du.LayersSize ?? 0;
  let used = 0;
  for (const i of du.Images ?? []) {
    if (i.Containers !== 0 && i.Size !== -1 && i.SharedSize !== -1) used += i.Size - i.SharedSize;
  }
  return reclaimableText(total - used, total);
}

/** docker's isActive for the containers row: running, paused or restarting. */
const activeContainer = (c: ContainerSummary) =>
  c.State === "running" || c.State === "paused" || c.State === "restarting";

function containersRow(list: ContainerSummary[]) {
  let size = 0;
  let reclaimable = 0;
  for (const c of list) {
    size += c.SizeRw ?? 0;
    if (!activeContainer(c)) reclaimable += c.SizeRw ?? 0;
  }
  return {
    Type: "Containers",
    TotalCount: String(list.length),
    Active: String(list.filter(activeContainer).length),
    Size: humanSize(size, 4),
    Reclaimable: reclaimableText(reclaimable, size),
  };
}

/** Volumes whose size is unknown (-1) count for nothing; unused ones (RefCount 0) are reclaimable. */
function volumesRow(list: VolumeWire[]) {
  let size = 0;
  let reclaimable = 0;
  for (const v of list) {
    const u = v.UsageData;
    if (!u || u.Size === -1) continue;
    size += u.Size;
    if (u.RefCount === 0) reclaimable += u.Size;
  }
  return {
    Type: "Local Volumes",
    TotalCount: String(list.length),
    Active: String(list.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length),
    Size: humanSize(size, 4),
    Reclaimable: reclaimableText(reclaimable, size),
  };
}

/** Shared records count once (docker's BuilderSize); in-use ones are not reclaimable. */
function builderSize(list: BuildCacheWire[]): number {
  return list.reduce((n, b) => (b.Shared ? n : n + b.Size), 0);
}

function buildCacheRow(list: BuildCacheWire[]) {
  const total = builderSize(list);
  const inUse = list.reduce((n, b) => (b.InUse && !b.Shared ? n + b.Size : n), 0);
  return {
    Type: "Build Cache",
    TotalCount: String(list.length),
    Active: String(list.filter((b) => b.InUse).length),
    Size: humanSize(total, 4),
    Reclaimable: humanSize(total - inUse, 4),
  };
}

function summaryRows(du: DiskUsageWire) {
  const images: ImageSummaryWire[] = du.Images ?? [];
  return [
    {
      Type: "Images",
      TotalCount: String(images.length),
      Active: String(images.filter((i) => i.Containers > 0).length),
      Size: humanSize(du.LayersSize ?? 0, 4),
      Reclaimable: imagesReclaimable(du),
    },
    containersRow(du.Containers ?? []),
    volumesRow(du.Volumes ?? []),
    buildCacheRow(du.BuildCache ?? []),
  ];
}

/** docker's buildCacheSort: never-used records first, then by last use, ties by ID. */
function sortBuildCache(list: BuildCacheWire[]): BuildCacheWire[] {
  return [...list].sort((a, b) => {
    const la = a.LastUsedAt === null ? undefined : Date.parse(a.LastUsedAt);
    const lb = b.LastUsedAt === null ? undefined : Date.parse(b.LastUsedAt);
    if (la === lb || (la === undefined && lb === undefined)) return a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0;
    if (la === undefined) return -1;
    if (lb === undefined) return 1;
    return la - lb;
  });
}

function renderBuildCache(list: BuildCacheWire[]): string {
  const now = Date.now();
  return renderRows({
    format: undefined,
    defaultTable:
      "table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}",
    headers: {
      ID: "CACHE ID",
      CacheType: "CACHE TYPE",
      Size: "SIZE",
      CreatedSince: "CREATED",
      LastUsedSince: "LAST USED",
      UsageCount: "USAGE",
      Shared: "SHARED",
    },
    rows: sortBuildCache(list).map((b) => ({
      ID: () => (b.InUse ? `${shortId(b.ID)}*` : shortId(b.ID)),
      CacheType: () => b.Type,
      Size: () => humanSize(b.Size, 3),
      CreatedSince: () => timeAgo(b.CreatedAt, now),
      LastUsedSince: () => (b.LastUsedAt === null ? "" : timeAgo(b.LastUsedAt, now)),
      UsageCount: () => String(b.UsageCount),
      Shared: () => String(b.Shared),
    })),
    typeName: "*formatter.buildCacheContext",
  });
}

export const df: CommandSpec = {
  path: ["system", "df"],
  usage: "system df [OPTIONS]",
  description: "Show docker disk usage",
  flags: [
    {
      name: "format",
      kind: "string",
      description: "Format output using a custom template",
      valueName: "string",
    },
    { name: "verbose", short: "v", kind: "bool", description: "Show detailed information on space usage" },
  ],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const du = await ctx.client.images.diskUsage();
    const format = args.strings.get("format");
    if (args.bools.get("verbose") !== true) {
      ctx.stdout.write(
        renderRows({
          format,
          defaultTable: "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
          headers: {
            Type: "TYPE",
            TotalCount: "TOTAL",
            Active: "ACTIVE",
            Size: "SIZE",
            Reclaimable: "RECLAIMABLE",
          },
          rows: summaryRows(du),
          typeName: "*formatter.diskUsageContext",
        }),
      );
      return 0;
    }
    let out = "Images space usage:\n\n";
    out += renderImageTable(du.Images ?? [], {
      digests: false,
      trunc: true,
      quiet: false,
      defaultTable:
        "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}",
    });
    out += "\nContainers space usage:\n\n";
    out += renderContainers(
      (du.Containers ?? []).map((c) => ({ ...c, SizeRootFs: 0 })),
      {
        format:
          "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}",
        quiet: false,
        size: false,
        trunc: true,
      },
    );
    out += "\nLocal Volumes space usage:\n\n";
    out += renderVolumes(du.Volumes ?? [], { defaultTable: "table {{.Name}}\t{{.Links}}\t{{.Size}}" });
    out += `\nBuild cache usage: ${humanSize(builderSize(du.BuildCache ?? []), 4)}\n\n`;
    out += renderBuildCache(du.BuildCache ?? []);
    ctx.stdout.write(out);
    return 0;
  },
};
