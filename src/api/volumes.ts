/**
 * Volume endpoints: list, create, inspect, remove, prune, the cluster-only
 * update (503 outside a swarm), and the mapper for the volumes part of
 * `GET /system/df`.
 */
import { invalid, unavailable } from "../engine/errors.js";
import { notSwarmManager, volumeMessages } from "../engine/messages.js";
import {
  parseAllValues,
  parseDanglingValues,
  type CreateOptions,
  type ListOptions,
  type PruneOptions,
  type PruneReport,
  type Volume,
  type VolumeUsage,
} from "../engine/volumes/index.js";
import type { RequestContext } from "./context.js";
import { boolValue, checkFilterKeys, parseFilters, readJson } from "./query.js";
import type { Route } from "./router.js";
import type { VolumeCreateWire, VolumeListWire, VolumePruneWire, VolumeWire } from "./types/volumes.js";

export interface VolumesBackend {
  create(opts: CreateOptions): Promise<Volume>;
  get(name: string): Volume;
  list(opts: ListOptions): Volume[];
  remove(name: string, opts: { force?: boolean }): Promise<void>;
  prune(opts: PruneOptions): Promise<PruneReport>;
}

export function volumeRoutes(backend: VolumesBackend): Route[] {
  return [
    { method: "GET", path: "/volumes", handler: (ctx) => list(backend, ctx) },
    { method: "POST", path: "/volumes/create", handler: (ctx) => create(backend, ctx) },
    { method: "POST", path: "/volumes/prune", handler: (ctx) => prune(backend, ctx), minVersion: "1.25" },
    {
      method: "GET",
      path: "/volumes/{name}",
      handler: async (ctx) => ctx.json(200, toVolumeWire(backend.get(ctx.param("name")))),
    },
    {
      method: "PUT",
      path: "/volumes/{name}",
      minVersion: "1.42",
      handler: async () => {
        throw unavailable(volumeMessages.updateNeedsSwarm());
      },
    },
    {
      method: "DELETE",
      path: "/volumes/{name}",
      handler: async (ctx) => {
        await backend.remove(ctx.param("name"), { force: boolValue(ctx.query, "force") });
        ctx.noContent();
      },
    },
  ];
}

async function list(backend: VolumesBackend, ctx: RequestContext): Promise<void> {
  const f = parseFilters(ctx.query.get("filters"));
  checkFilterKeys(f, ["dangling", "name", "driver", "label"]);
  const dangling = f.get("dangling");
  const opts: ListOptions = {
    names: f.get("name"),
    drivers: f.get("driver"),
    labels: f.get("label"),
    dangling: dangling === undefined ? undefined : parseDanglingValues(dangling),
  };
  const body: VolumeListWire = { Volumes: backend.list(opts).map((v) => toVolumeWire(v)), Warnings: null };
  ctx.json(200, body);
}

async function create(backend: VolumesBackend, ctx: RequestContext): Promise<void> {
  const body = parseCreateBody(await readJson(ctx.req));
  if (body.ClusterVolumeSpec !== undefined && body.ClusterVolumeSpec !== null && ctx.versionAtLeast("1.42")) {
    throw unavailable(notSwarmManager);
  }
  const v = await backend.create({
    name: body.Name,
    driver: body.Driver,
    labels: body.Labels ?? undefined,
    options: body.DriverOpts ?? undefined,
  });
  ctx.json(201, toVolumeWire(v));
}

async function prune(backend: VolumesBackend, ctx: RequestContext): Promise<void> {
  const f = parseFilters(ctx.query.get("filters"));
  checkFilterKeys(f, ["label", "label!", "all"]);
  // Before API 1.42 prune removed every unused volume, not only anonymous ones.
  const all = ctx.versionAtLeast("1.42") ? parseAllValues(f.get("all") ?? []) : true;
  const report = await backend.prune({ all, labels: f.get("label"), notLabels: f.get("label!") });
  const body: VolumePruneWire = { VolumesDeleted: report.deleted, SpaceReclaimed: report.spaceReclaimed };
  ctx.json(200, body);
}

function parseCreateBody(raw: unknown): VolumeCreateWire {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalid("invalid JSON: expected an object");
  const o = raw as Record<string, unknown>;
  const str = (k: string): string | undefined => {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw invalid(`invalid JSON: ${k} must be a string`);
    return v;
  };
  const map = (k: string): Record<string, string> | null => {
    const v = o[k];
    if (v === undefined || v === null) return null;
    if (typeof v !== "object" || Array.isArray(v)) throw invalid(`invalid JSON: ${k} must be an object`);
    for (const [key, val] of Object.entries(v)) {
      if (typeof val !== "string") throw invalid(`invalid JSON: ${k}.${key} must be a string`);
    }
    return v as Record<string, string>;
  };
  return {
    Name: str("Name"),
    Driver: str("Driver"),
    DriverOpts: map("DriverOpts"),
    Labels: map("Labels"),
    ClusterVolumeSpec: o.ClusterVolumeSpec,
  };
}

/** Docker's Volume; empty labels and options are null, as dockerd stores a create without them. */
export function toVolumeWire(v: Volume, usage?: VolumeUsage): VolumeWire {
  const out: VolumeWire = {
    CreatedAt: rfc3339Local(v.createdNano),
    Driver: v.driver,
    Labels: Object.keys(v.labels).length > 0 ? { ...v.labels } : null,
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: Object.keys(v.options).length > 0 ? { ...v.options } : null,
    Scope: "local",
  };
  if (usage !== undefined) out.UsageData = { Size: usage.size, RefCount: usage.refCount };
  return out;
}

/** The `Volumes` part of `GET /system/df`. */
export function toVolumesDiskUsageWire(items: { volume: Volume; usage: VolumeUsage }[]): VolumeWire[] {
  return items.map((i) => toVolumeWire(i.volume, i.usage));
}

/** Go's time.RFC3339 in the daemon's local zone: seconds, then "Z" or "+hh:mm". */
export function rfc3339Local(nano: bigint): string {
  const d = new Date(Number(nano / 1_000_000n));
  const offsetMin = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + offsetMin * 60_000).toISOString().slice(0, 19);
  if (offsetMin === 0) return `${local}Z`;
  const sign = offsetMin > 0 ? "+" : "-";
  const abs = Math.abs(offsetMin);
  return `${local}${sign}${String(Math.trunc(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}
