/** Image endpoints: list, inspect, history, tag, remove, prune, import, load, save, disk usage. */
import type { Readable } from "node:stream";
import type {
  DeleteItemWire,
  DiskUsageWire,
  HistoryItemWire,
  ImageInspectWire,
  ImagePruneWire,
  ImageSummaryWire,
  JsonMessageWire,
} from "../api/types/images.js";
import { jsonLines, type Transport } from "./transport.js";

/** An image name in a path: "/" and ":" stay readable, as the docker CLI sends them. */
export function imagePath(name: string): string {
  return encodeURIComponent(name).replace(/%2F/gi, "/").replace(/%3A/gi, ":");
}

function query(pairs: [string, string | undefined][]): string {
  const qs = new URLSearchParams();
  for (const [k, v] of pairs) if (v !== undefined) qs.append(k, v);
  const s = qs.toString();
  return s ? `?${s}` : "";
}

function filtersJson(filters: Record<string, string[]> | undefined): string | undefined {
  return filters && Object.keys(filters).length > 0 ? JSON.stringify(filters) : undefined;
}

export class ImagesClient {
  constructor(private readonly t: Transport) {}

  list(opts: {
    all?: boolean;
    digests?: boolean;
    sharedSize?: boolean;
    filters?: Record<string, string[]>;
  }): Promise<ImageSummaryWire[]> {
    return this.t.json("GET", "/images/json", {
      query: {
        all: opts.all ? "1" : undefined,
        digests: opts.digests ? "1" : undefined,
        "shared-size": opts.sharedSize ? "1" : undefined,
        filters: filtersJson(opts.filters),
      },
    });
  }

  inspect(name: string): Promise<ImageInspectWire> {
    return this.t.json("GET", `/images/${imagePath(name)}/json`);
  }

  history(name: string): Promise<HistoryItemWire[]> {
    return this.t.json("GET", `/images/${imagePath(name)}/history`);
  }

  async tag(source: string, repo: string, tag: string | undefined): Promise<void> {
    const res = await this.t.request("POST", `/images/${imagePath(source)}/tag`, { query: { repo, tag } });
    res.body.resume();
  }

  remove(name: string, opts: { force?: boolean; noPrune?: boolean }): Promise<DeleteItemWire[]> {
    return this.t.json("DELETE", `/images/${imagePath(name)}`, {
      query: { force: opts.force ? "1" : undefined, noprune: opts.noPrune ? "1" : undefined },
    });
  }

  prune(filters: Record<string, string[]>): Promise<ImagePruneWire> {
    return this.t.json("POST", "/images/prune", { query: { filters: filtersJson(filters) } });
  }

  /** POST /images/create?fromSrc=: `body` is the tar for fromSrc "-", absent for a URL. */
  async *import(opts: {
    fromSrc: string;
    body?: Readable;
    repo?: string;
    tag?: string;
    message?: string;
    changes?: string[];
  }): AsyncGenerator<JsonMessageWire> {
    const path =
      "/images/create" +
      query([
        ["fromSrc", opts.fromSrc],
        ["repo", opts.repo ?? ""],
        ["tag", opts.tag ?? ""],
        ["message", opts.message ?? ""],
        ...(opts.changes ?? []).map((c): [string, string] => ["changes", c]),
      ]);
    const res = await this.t.request("POST", path, {
      rawBody: opts.body,
      contentType: "application/x-tar",
    });
    yield* jsonLines<JsonMessageWire>(res.body);
  }

  async *load(body: Readable, quiet: boolean): AsyncGenerator<JsonMessageWire> {
    const res = await this.t.request("POST", "/images/load", {
      query: { quiet: quiet ? "1" : "0" },
      rawBody: body,
      contentType: "application/x-tar",
    });
    yield* jsonLines<JsonMessageWire>(res.body);
  }

  /** GET /images/get: the tar of one or more images. */
  async save(names: readonly string[]): Promise<Readable> {
    const res = await this.t.request(
      "GET",
      "/images/get" + query(names.map((n): [string, string] => ["names", n])),
    );
    return res.body;
  }

  diskUsage(types?: string[]): Promise<DiskUsageWire> {
    return this.t.json("GET", "/system/df" + query((types ?? []).map((t): [string, string] => ["type", t])));
  }
}
