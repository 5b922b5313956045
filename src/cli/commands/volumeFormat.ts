/** How `volume ls` draws volumes: docker's volumeContext fields and its natural name order. */
import type { VolumeWire } from "../../api/types/volumes.js";
import { humanSize, renderRows } from "../format/index.js";

const headers = {
  ID: "ID",
  Name: "VOLUME NAME",
  Group: "GROUP",
  Driver: "DRIVER",
  Scope: "SCOPE",
  Availability: "AVAILABILITY",
  Mountpoint: "MOUNTPOINT",
  Labels: "LABELS",
  Links: "LINKS",
  Size: "SIZE",
  Status: "STATUS",
};

/** One row context, as docker's volumeContext (methods become zero-argument functions). */
export function volumeRow(v: VolumeWire): Record<string, unknown> {
  const labels = v.Labels ?? {};
  return {
    Name: () => v.Name,
    Driver: () => v.Driver,
    Scope: () => v.Scope,
    Mountpoint: () => v.Mountpoint,
    Labels: () =>
      Object.keys(labels)
        .sort()
        .map((k) => `${k}=${labels[k]}`)
        .join(","),
    Label: (name: unknown) => labels[String(name)] ?? "",
    Links: () => (v.UsageData ? String(v.UsageData.RefCount) : "N/A"),
    Size: () => (v.UsageData ? humanSize(v.UsageData.Size, 4) : "N/A"),
    Group: () => "N/A",
    Availability: () => "N/A",
    Status: () => "N/A",
  };
}

export function renderVolumes(
  volumes: VolumeWire[],
  opts: { format?: string; quiet?: boolean; defaultTable?: string },
): string {
  const sorted = [...volumes].sort((a, b) => naturalCompare(a.Name, b.Name));
  let format = opts.format;
  if (opts.quiet === true && (format === undefined || format === "" || format === "table")) {
    format = "{{.Name}}";
  }
  return renderRows({
    format,
    defaultTable: opts.defaultTable ?? "table {{.Driver}}\t{{.Name}}",
    headers,
    rows: sorted.map(volumeRow),
    typeName: "*formatter.volumeContext",
  });
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * fvbommel/sortorder's natural order, which docker uses for volume names:
 * runs of digits compare by value (then by fewer leading zeros), other bytes
 * byte-wise, and digits sort before other characters.
 */
export function naturalCompare(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const cx = x[i]!;
    const cy = y[j]!;
    const dx = isDigit(cx);
    const dy = isDigit(cy);
    if (dx !== dy) return dx ? -1 : 1;
    if (!dx) {
      if (cx !== cy) return cx - cy;
      i++;
      j++;
      continue;
    }
    while (i < x.length && x[i] === 48) i++;
    while (j < y.length && y[j] === 48) j++;
    const si = i;
    const sj = j;
    while (i < x.length && isDigit(x[i]!)) i++;
    while (j < y.length && isDigit(y[j]!)) j++;
    if (i - si !== j - sj) return i - si - (j - sj);
    const nx = x.subarray(si, i).toString();
    const ny = y.subarray(sj, j).toString();
    if (nx !== ny) return nx < ny ? -1 : 1;
    if (si !== sj) return si - sj;
  }
  // Equal so far: the shorter string sorts first.
  return x.length - y.length;
}
