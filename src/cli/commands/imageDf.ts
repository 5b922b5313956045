/** system df: disk usage by type (the images part is real; others fill in as their owners land). */
import type { DiskUsageWire, ImageSummaryWire } from "../../api/types/images.js";
import { humanSize, renderRows } from "../format/index.js";
import type { CommandSpec } from "../spec.js";
import { renderImageTable } from "./images.js";

function imagesReclaimable(du: DiskUsageWire): string {
  const total = du.LayersSize ?? 0;
  let used = 0;
  for (const i of du.Images ?? []) {
    if (i.Containers !== 0 && i.Size !== -1 && i.SharedSize !== -1) used += i.Size - i.SharedSize;
  }
  const reclaimable = total - used;
  return total > 0
    ? `${humanSize(reclaimable, 4)} (${Math.trunc((reclaimable * 100) / total)}%)`
    : humanSize(reclaimable, 4);
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
    // Containers, volumes and the build cache report nothing until their services answer.
    {
      Type: "Containers",
      TotalCount: String((du.Containers ?? []).length),
      Active: "0",
      Size: "0B",
      Reclaimable: "0B",
    },
    {
      Type: "Local Volumes",
      TotalCount: String((du.Volumes ?? []).length),
      Active: "0",
      Size: "0B",
      Reclaimable: "0B",
    },
    {
      Type: "Build Cache",
      TotalCount: String((du.BuildCache ?? []).length),
      Active: "0",
      Size: "0B",
      Reclaimable: "0B",
    },
  ];
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
    out += "CONTAINER ID   IMAGE     COMMAND   LOCAL VOLUMES   SIZE      CREATED   STATUS    NAMES\n";
    out += "\nLocal Volumes space usage:\n\n";
    out += "VOLUME NAME   LINKS     SIZE\n";
    out += "\nBuild cache usage: 0B\n\n";
    out += "CACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED\n";
    ctx.stdout.write(out);
    return 0;
  },
};
