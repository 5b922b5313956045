/**
 * Domain images → Docker's wire shapes, with the per-version differences
 * (VirtualSize before 1.44, Container/ContainerConfig before 1.45, the
 * `<none>` placeholders before 1.43).
 */
import type { HistoryItem, Image, ImageSummary } from "../../engine/images/index.js";
import type { ContainerConfig } from "../../engine/images/types.js";
import type { DeleteItem } from "../../engine/images/index.js";
import type {
  DeleteItemWire,
  HistoryItemWire,
  ImageContainerConfigWire,
  ImageInspectWire,
  ImageSummaryWire,
} from "../types/images.js";
import { compareVersions } from "../version.js";

const before = (v: string, min: string) => compareVersions(v, min) < 0;

function createdSeconds(created: string | undefined): number {
  if (created === undefined) return 0;
  const ms = Date.parse(created);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

export function toSummaryWire(s: ImageSummary, apiVersion: string): ImageSummaryWire {
  const img = s.image;
  let repoTags = s.repoTags;
  let repoDigests = s.repoDigests;
  if (before(apiVersion, "1.43") && repoTags.length === 0 && repoDigests.length === 0) {
    repoTags = ["<none>:<none>"];
    repoDigests = ["<none>@<none>"];
  }
  const wire: ImageSummaryWire = {
    Containers: s.containers,
    Created: createdSeconds(img.config.created),
    Id: img.id,
    Labels: img.config.config?.Labels ?? null,
    ParentId: img.parent,
    RepoDigests: repoDigests,
    RepoTags: repoTags,
    SharedSize: s.sharedSize,
    Size: img.size,
  };
  if (before(apiVersion, "1.44")) wire.VirtualSize = img.size;
  return wire;
}

/** Docker's container.Config with every non-omitempty field present. */
export function fullConfig(c: ContainerConfig | undefined): ImageContainerConfigWire {
  const cfg = c ?? {};
  // Docker keeps what the config holds for these (a build's parent image, its step container).
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  const out: ImageContainerConfigWire = {
    Hostname: text(cfg.Hostname),
    Domainname: text(cfg.Domainname),
    User: cfg.User ?? "",
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: cfg.Env ?? null,
    Cmd: cfg.Cmd ?? null,
    Image: text(cfg.Image),
    Volumes: cfg.Volumes ?? null,
    WorkingDir: cfg.WorkingDir ?? "",
    Entrypoint: cfg.Entrypoint ?? null,
    OnBuild: cfg.OnBuild ?? null,
    Labels: cfg.Labels ?? null,
  };
  // Keep Docker's field order: the optional fields slot in where Go declares them.
  const ordered: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(out)) {
    ordered[k] = v;
    if (k === "AttachStderr" && cfg.ExposedPorts !== undefined) ordered.ExposedPorts = cfg.ExposedPorts;
    if (k === "Cmd") {
      if (cfg.Healthcheck !== undefined) ordered.Healthcheck = cfg.Healthcheck;
      if (cfg.ArgsEscaped === true) ordered.ArgsEscaped = true;
    }
  }
  if (cfg.StopSignal) ordered.StopSignal = cfg.StopSignal;
  if (cfg.StopTimeout !== undefined) ordered.StopTimeout = cfg.StopTimeout;
  if (cfg.Shell !== undefined) ordered.Shell = cfg.Shell;
  return ordered as unknown as ImageContainerConfigWire;
}

export function toInspectWire(
  img: Image,
  extra: { lastTagNano: bigint | undefined; graphDriverData: Record<string, string> },
  apiVersion: string,
): ImageInspectWire {
  const c = img.config;
  const wire: Record<string, unknown> = {
    Id: img.id,
    RepoTags: img.repoTags,
    RepoDigests: img.repoDigests,
    Parent: img.parent,
    Comment: c.comment ?? "",
    Created: c.created ?? "",
  };
  if (before(apiVersion, "1.45")) {
    wire.Container = c.container ?? "";
    wire.ContainerConfig = fullConfig(c.container_config);
  }
  Object.assign(wire, {
    DockerVersion: c.docker_version ?? "",
    Author: c.author ?? "",
    Config: fullConfig(c.config),
    Architecture: c.architecture,
  });
  if (c.variant) wire.Variant = c.variant;
  wire.Os = c.os;
  if (typeof c["os.version"] === "string" && c["os.version"] !== "") wire.OsVersion = c["os.version"];
  wire.Size = img.size;
  if (before(apiVersion, "1.44")) wire.VirtualSize = img.size;
  const data = extra.graphDriverData;
  wire.GraphDriver = { Data: Object.keys(data).length > 0 ? data : null, Name: "overlay2" };
  wire.RootFS =
    c.rootfs.diff_ids.length > 0 ? { Type: "layers", Layers: [...c.rootfs.diff_ids] } : { Type: "layers" };
  wire.Metadata = {
    LastTagTime: extra.lastTagNano === undefined ? "0001-01-01T00:00:00Z" : goTimeLocal(extra.lastTagNano),
  };
  return wire as unknown as ImageInspectWire;
}

/** Go's RFC3339Nano in UTC. */
function goTimeLocal(nano: bigint): string {
  const iso = new Date(Number(nano / 1_000_000n)).toISOString().slice(0, 19);
  const frac = String(nano % 1_000_000_000n)
    .padStart(9, "0")
    .replace(/0+$/, "");
  return `${iso}${frac ? "." + frac : ""}Z`;
}

export function toHistoryWire(h: HistoryItem): HistoryItemWire {
  return {
    Id: h.id,
    Created: h.created,
    CreatedBy: h.createdBy,
    Tags: h.tags,
    Size: h.size,
    Comment: h.comment,
  };
}

export function toDeleteWire(d: DeleteItem): DeleteItemWire {
  return "untagged" in d ? { Untagged: d.untagged } : { Deleted: d.deleted };
}
