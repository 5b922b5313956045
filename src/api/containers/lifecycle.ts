/**
 * Container lifecycle endpoints: create, list, inspect, start, stop,
 * restart, kill, pause, unpause, wait, rename, remove, prune, resize.
 */
import type {
  Container,
  ContainerPaths,
  NetworkState,
  ContainerSpec,
  CreateOptions,
  PruneResult,
  RemoveOptions,
  StopOptions,
  WaitCondition,
  WaitResult,
} from "../../engine/containers/index.js";
import { viewState } from "../../engine/containers/index.js";
import { invalid } from "../../engine/errors.js";
import type { ImageLookup } from "../../engine/images/types.js";
import type { RequestContext } from "../context.js";
import { boolValue, checkFilterKeys, intValue, parseFilters, readBody, type Filters } from "../query.js";
import type { Route } from "../router.js";
import type {
  ContainerCreateBody,
  ContainerPruneResponse,
  ContainerWaitResponse,
} from "../types/containers.js";
import { healthFilter } from "./healthWire.js";
import { toContainerSpec } from "./translate.js";
import { toInspect, toSummary } from "./wire.js";

export interface ContainerLifecycleBackend {
  create(spec: ContainerSpec, opts: CreateOptions): Promise<Container>;
  get(ref: string): Container;
  list(): Container[];
  start(ref: string): Promise<void>;
  stop(ref: string, opts: StopOptions): Promise<void>;
  restart(ref: string, opts: StopOptions): Promise<void>;
  kill(ref: string, signal?: string): Promise<void>;
  pause(ref: string): Promise<void>;
  unpause(ref: string): Promise<void>;
  rename(ref: string, name: string): Promise<void>;
  remove(ref: string, opts: RemoveOptions): Promise<void>;
  wait(ref: string, condition: WaitCondition, signal?: AbortSignal): Promise<WaitResult>;
  prune(filter: (c: Container) => boolean): Promise<PruneResult>;
  resize(ref: string, size: { height: number; width: number }): Promise<void>;
  sizeRw(id: Container["id"]): Promise<number>;
  paths(id: Container["id"]): ContainerPaths;
  execIdsOf(id: Container["id"]): string[];
  mergedPath(id: Container["id"]): string;
  /** Live endpoints and published ports of a running container. */
  networkState(c: Container): NetworkState;
}

const listFilterKeys = [
  "id",
  "name",
  "label",
  "status",
  "exited",
  "ancestor",
  "before",
  "since",
  "network",
  "health",
  "is-task",
  "volume",
  "publish",
  "expose",
];
const statuses = ["created", "restarting", "running", "removing", "paused", "exited", "dead"];

function labelMatch(labels: Record<string, string>, wanted: string): boolean {
  const eq = wanted.indexOf("=");
  return eq < 0 ? wanted in labels : labels[wanted.slice(0, eq)] === wanted.slice(eq + 1);
}

async function listFilter(
  f: Filters,
  b: ContainerLifecycleBackend,
  images: ImageLookup,
): Promise<(c: Container) => boolean> {
  checkFilterKeys(f, listFilterKeys);
  for (const s of f.get("status") ?? []) {
    if (!statuses.includes(s)) throw invalid(`invalid filter 'status=${s}'`);
  }
  const health = healthFilter(f.get("health"));
  const ancestors: string[] = [];
  for (const a of f.get("ancestor") ?? []) {
    ancestors.push(a);
    const img = await images.resolve(a).catch(() => undefined);
    if (img) ancestors.push(img.id);
  }
  const pivot = (key: "before" | "since") => {
    const v = f.get(key)?.[0];
    return v === undefined ? undefined : Date.parse(b.get(v).createdAt);
  };
  const before = pivot("before");
  const since = pivot("since");
  const any = (key: string, pred: (v: string) => boolean) => {
    const vs = f.get(key);
    return vs === undefined || vs.length === 0 || vs.some(pred);
  };
  return (c) =>
    any("id", (v) => c.id.startsWith(v)) &&
    any("name", (v) => new RegExp(v.replace(/^\//, "")).test(c.name)) &&
    (f.get("label") ?? []).every((l) => labelMatch(c.config.labels, l)) &&
    any("status", (v) => c.state.status === v) &&
    (health === undefined || health(c)) &&
    any("exited", (v) => c.state.status === "exited" && viewState(c.state).exitCode === Number(v)) &&
    any("ancestor", () => ancestors.includes(c.imageRef) || ancestors.includes(c.imageId)) &&
    any(
      "network",
      (v) => c.spec.host.networkMode === v || (c.networks ?? []).some((n) => n.name === v || n.id === v),
    ) &&
    any("volume", (v) =>
      c.spec.host.mounts.some((m) => (m.type === "volume" && m.name === v) || m.target === v),
    ) &&
    any("expose", (v) => portMatch(Object.keys(c.config.exposedPorts), v)) &&
    any("publish", (v) =>
      portMatch(
        b.networkState(c).ports.map((p) => `${p.containerPort}/${p.proto}`),
        v,
      ),
    ) &&
    (before === undefined || Date.parse(c.createdAt) < before) &&
    (since === undefined || Date.parse(c.createdAt) > since);
}

/** Docker's publish/expose filter value: "80", "80/udp" or a range "8000-8080/tcp". */
function portMatch(keys: string[], want: string): boolean {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(want);
  if (!m) throw invalid(`invalid filter: ${want}`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  const proto = m[3] ?? "tcp";
  return keys.some((k) => {
    const [port = "", p = "tcp"] = k.split("/");
    return p === proto && Number(port) >= lo && Number(port) <= hi;
  });
}

function stopOptions(ctx: RequestContext): StopOptions {
  const t = ctx.query.get("t") ?? ctx.query.get("timeout");
  const signal = ctx.query.get("signal");
  return {
    ...(t !== null && t !== ""
      ? { timeout: intValue(ctx.query, ctx.query.has("t") ? "t" : "timeout", 10) }
      : {}),
    ...(signal ? { signal } : {}),
  };
}

export function containerLifecycleRoutes(b: ContainerLifecycleBackend, images: ImageLookup): Route[] {
  return [
    {
      method: "POST",
      path: "/containers/create",
      handler: async (ctx) => {
        const raw = await readBody(ctx.req);
        if (raw.length === 0) throw invalid("config cannot be empty in order to create a container");
        let body: ContainerCreateBody;
        try {
          body = JSON.parse(raw.toString("utf8")) as ContainerCreateBody;
        } catch (err) {
          throw invalid(`invalid JSON: ${(err as Error).message}`);
        }
        const name = ctx.query.get("name");
        const c = await b.create(toContainerSpec(body), {
          ...(name ? { name } : {}),
          createBody: raw,
        });
        ctx.json(201, { Id: c.id, Warnings: [] });
      },
    },
    {
      method: "GET",
      path: "/containers/json",
      handler: async (ctx) => {
        const all = boolValue(ctx.query, "all");
        const size = boolValue(ctx.query, "size");
        const limit = intValue(ctx.query, "limit", -1);
        const filters = parseFilters(ctx.query.get("filters"));
        const match = await listFilter(filters, b, images);
        let list = b
          .list()
          .filter((c) =>
            all || limit > 0 || filters.has("status") || filters.has("exited")
              ? true
              : c.state.status === "running" ||
                c.state.status === "paused" ||
                c.state.status === "restarting",
          )
          .filter(match)
          .sort((x, y) => Date.parse(y.createdAt) - Date.parse(x.createdAt) || (y.id < x.id ? -1 : 1));
        if (limit > 0) list = list.slice(0, limit);
        const out = [];
        const health = ctx.versionAtLeast("1.52");
        for (const c of list) {
          const sizeRw = size ? await b.sizeRw(c.id) : undefined;
          out.push(
            toSummary(c, { ...(sizeRw !== undefined ? { sizeRw } : {}), network: b.networkState(c), health }),
          );
        }
        ctx.json(200, out);
      },
    },
    {
      method: "GET",
      path: "/containers/{id}/json",
      handler: async (ctx) => {
        const c = b.get(ctx.param("id"));
        const sizeRw = boolValue(ctx.query, "size") ? await b.sizeRw(c.id) : undefined;
        ctx.json(
          200,
          toInspect(c, b.paths(c.id), {
            execIds: b.execIdsOf(c.id),
            mergedDir: b.mergedPath(c.id),
            network: b.networkState(c),
            ...(sizeRw !== undefined ? { sizeRw } : {}),
          }),
        );
      },
    },
    {
      method: "POST",
      path: "/containers/{id}/start",
      handler: async (ctx) => {
        await b.start(ctx.param("id"));
        ctx.noContent();
      },
    },
    {
      method: "POST",
      path: "/containers/{id}/stop",
      handler: async (ctx) => {
        await b.stop(ctx.param("id"), stopOptions(ctx));
        ctx.noContent();
      },
    },
    {
      method: "POST",
      path: "/containers/{id}/restart",
      handler: async (ctx) => {
        await b.restart(ctx.param("id"), stopOptions(ctx));
        ctx.noContent();
      },
    },
    {
      method: "POST",
      path: "/containers/{id}/kill",
      handler: async (ctx) => {
        await b.kill(ctx.param("id"), ctx.query.get("signal") || "SIGKILL");
        ctx.noContent();
      },
    },
    {
      method: "POST",
      path: "/containers/{id}/pause",
      handler: async (ctx) => {
        await b.pause(ctx.param("id"));
        ctx.noContent();
      },
    },
    {
      method: "POST",
      path: "/containers/{id}/unpause",
      handler: async (ctx) => {
        await b.unpause(ctx.param("id"));
        ctx.noContent();
      },
    },
    {
      method: "POST",
      path: "/containers/{id}/rename",
      handler: async (ctx) => {
        const name = ctx.query.get("name");
        if (!name) throw invalid("Neither old nor new names may be empty");
        await b.rename(ctx.param("id"), name);
        ctx.noContent();
      },
    },
    {
      method: "POST",
      path: "/containers/{id}/resize",
      handler: async (ctx) => {
        const height = intValue(ctx.query, "h", 0);
        const width = intValue(ctx.query, "w", 0);
        await b.resize(ctx.param("id"), { height, width });
        ctx.text(200, "");
      },
    },
    {
      method: "POST",
      path: "/containers/{id}/wait",
      handler: async (ctx) => {
        const cond = ctx.query.get("condition") || "not-running";
        if (cond !== "not-running" && cond !== "next-exit" && cond !== "removed") {
          throw invalid(`invalid condition: "${cond}"`);
        }
        const ac = new AbortController();
        ctx.req.socket.on("close", () => ac.abort());
        // Registers the waiter before the headers go out: a client that starts
        // the container after the headers arrive cannot miss its exit.
        // Resolve first: a missing container is a 404, not a rejected waiter nobody awaits.
        b.get(ctx.param("id"));
        const result = b.wait(ctx.param("id"), cond, ac.signal);
        const out = ctx.stream("application/json");
        try {
          const r = await result;
          const body: ContainerWaitResponse = {
            StatusCode: r.exitCode,
            Error: r.error ? { Message: r.error } : null,
          };
          out.end(JSON.stringify(body) + "\n");
        } catch {
          out.end();
        }
      },
    },
    {
      method: "DELETE",
      path: "/containers/{id}",
      handler: async (ctx) => {
        if (boolValue(ctx.query, "link")) throw invalid("Links are not supported");
        await b.remove(ctx.param("id"), {
          force: boolValue(ctx.query, "force"),
          volumes: boolValue(ctx.query, "v"),
        });
        ctx.noContent();
      },
    },
    {
      method: "POST",
      path: "/containers/prune",
      handler: async (ctx) => {
        const f = parseFilters(ctx.query.get("filters"));
        checkFilterKeys(f, ["until", "label", "label!"]);
        const until = f.get("until")?.[0];
        const untilMs = until === undefined ? undefined : parseUntil(until);
        const res = await b.prune(
          (c) =>
            (untilMs === undefined || Date.parse(c.createdAt) < untilMs) &&
            (f.get("label") ?? []).every((l) => labelMatch(c.config.labels, l)) &&
            (f.get("label!") ?? []).every((l) => !labelMatch(c.config.labels, l)),
        );
        const body: ContainerPruneResponse = {
          ContainersDeleted: res.deleted.length > 0 ? res.deleted : null,
          SpaceReclaimed: res.spaceReclaimed,
        };
        ctx.json(200, body);
      },
    },
  ];
}

/** `until` as a Unix time, RFC 3339 time, or Go duration back from now (10m, 1h30m). */
function parseUntil(v: string): number {
  if (/^[0-9]+(\.[0-9]+)?$/.test(v)) return Number(v) * 1000;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...v.matchAll(/([0-9.]+)(ns|us|ms|s|m|h)/g)];
  if (parts.length > 0 && parts.map((p) => p[0]).join("") === v) {
    const ms = parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] ?? "s"] ?? 0), 0);
    return Date.now() - ms;
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalid(`invalid filter 'until=${v}'`);
  return t;
}
