/**
 * The distribution service: pull, push, login, search and distribution
 * inspect, over the image service and the layer store. One registry
 * session per operation, scoped to the repositories it touches.
 */
import { rmSync } from "node:fs";
import type { ContentProvider } from "../content/index.js";
import { invalid, notFound } from "../errors.js";
import type { ChainId } from "../ids.js";
import {
  familiarName,
  familiarString,
  hostArchitecture,
  parseNormalizedNamed,
  referenceString,
  type ImageService,
  type Reference,
} from "../images/index.js";
import type { LayerExporter, LayerIngester, LayerReader } from "../layers/types.js";
import { distributionMessages } from "./messages.js";
import type { Db } from "../store/index.js";
import { login, search, type SearchResult } from "./account.js";
import { BlobCache } from "./blobCache.js";
import { endpointsFor, validateRegistryConfig, type RegistryConfig } from "./endpoints.js";
import { header, readBody } from "./http.js";
import { normalizePlatform, parsePlatform } from "./manifest.js";
import { fetchBlob, fetchManifest, pullReference, type PullContext, type PullTarget } from "./pull.js";
import { mountSources, pushTag, type PushLayer } from "./push.js";
import { RegistrySession, scope } from "./session.js";
import type { AuthConfig, Descriptor, Emit, Platform } from "./types.js";

export interface DistributionDeps {
  db: Db;
  images: ImageService;
  layers: LayerReader & LayerIngester & LayerExporter;
  content: ContentProvider;
  /** Downloads in progress (on the data-root disk). */
  tmpDir: string;
  registries: RegistryConfig;
  /** Pause before download retry n; tests shorten it. */
  retryDelayMs?: (attempt: number) => number;
}

export interface PullOptions {
  /** `fromImage`, possibly with a tag or digest. */
  image: string;
  /** `tag`: a tag or a digest; "" with a name-only image pulls every tag. */
  tag: string;
  platform?: string;
  auth?: AuthConfig;
}

export interface DistributionInspect {
  descriptor: Descriptor;
  platforms: Platform[];
}

export class DistributionService {
  readonly cache: BlobCache;

  constructor(private readonly deps: DistributionDeps) {
    validateRegistryConfig(deps.registries);
    this.cache = new BlobCache(deps.db);
    // Downloads a crash left half-done: nothing refers to them.
    rmSync(deps.tmpDir, { recursive: true, force: true });
  }

  /** POST /images/create?fromImage=. */
  async pull(opts: PullOptions, emit: Emit): Promise<void> {
    const ref = pullRef(opts.image, opts.tag);
    const platform = opts.platform ? parsePlatform(opts.platform) : hostPlatform();
    const session = new RegistrySession(
      await endpointsFor(ref.domain, this.deps.registries, "pull"),
      opts.auth,
      [scope.pull(ref.path)],
    );
    await session.authorize();
    const ctx: PullContext = {
      session,
      registry: ref.domain,
      target: this.pullTarget(),
      cache: this.cache,
      tmpDir: this.deps.tmpDir,
      emit,
      platform,
      platformExplicit: opts.platform !== undefined && opts.platform !== "",
      ...(this.deps.retryDelayMs ? { retryDelayMs: this.deps.retryDelayMs } : {}),
    };
    if (ref.tag !== undefined || ref.digest !== undefined) {
      const { id, newer } = await pullReference(ctx, ref);
      this.deps.images.event(id, "pull", familiarString(ref));
      emit({ kind: "pulled", ref: familiarString(ref), newer });
      return;
    }
    let anyNewer = false;
    for (const tag of await listTags(session, ref.path)) {
      const tagged = { ...ref, tag };
      const { id, newer } = await pullReference(ctx, tagged);
      this.deps.images.event(id, "pull", familiarString(tagged));
      anyNewer ||= newer;
    }
    emit({ kind: "pulled", ref: familiarName(ref), newer: anyNewer });
  }

  /** POST /images/{name}/push?tag=: `tag` "" pushes every tag of the repository. */
  async push(name: string, tag: string, auth: AuthConfig | undefined, emit: Emit): Promise<void> {
    const repoRef = parseNormalizedNamed(name);
    if (repoRef.digest !== undefined) throw invalid("cannot push a digest reference");
    const tags = tag !== "" ? [tag] : repoRef.tag !== undefined ? [repoRef.tag] : this.localTags(repoRef);
    const base: Reference = { domain: repoRef.domain, path: repoRef.path };
    // Docker names the repository first, so a refusal below reads as its consequence.
    emit({ kind: "push-start", repo: referenceString(base) });
    if (tags.length === 0) throw notFound(distributionMessages.noLocalTag(familiarName(base)));
    const images = tags.map((t) => {
      const ref = { ...base, tag: t };
      try {
        return { tag: t, ref, rec: this.deps.images.resolveRecord(referenceString(ref)) };
      } catch {
        throw notFound(
          distributionMessages.noLocalTag(familiarString(tag !== "" || repoRef.tag ? ref : base)),
        );
      }
    });
    const endpoints = await endpointsFor(base.domain, this.deps.registries, "push");
    const allLayers = images.flatMap((i) => this.pushLayers(i.rec.chainId));
    const sources = mountSources(this.cache, base.domain, base.path, allLayers);
    const session = new RegistrySession(endpoints, auth, [scope.push(base.path), ...sources.map(scope.pull)]);
    await session.authorize();
    for (const img of images) {
      const configBytes = await this.deps.content.read(img.rec.id);
      const out = await pushTag(
        {
          session,
          registry: base.domain,
          repo: base.path,
          cache: this.cache,
          emit,
          tarStream: (c) => this.deps.layers.tarStream(c),
        },
        { configBytes, layers: this.pushLayers(img.rec.chainId) },
        img.tag,
      );
      await this.deps.images.create({ configBytes, tags: [{ ...base, digest: out.digest }], silent: true });
      this.deps.images.event(img.rec.id, "push", familiarString(img.ref));
      emit({ kind: "pushed", tag: img.tag, digest: out.digest, size: out.size });
    }
  }

  /** POST /auth. */
  login(auth: AuthConfig): Promise<{ status: string; identityToken: string }> {
    return login(auth, this.deps.registries);
  }

  /** GET /images/search. */
  search(term: string, limit: number, auth: AuthConfig | undefined): Promise<SearchResult[]> {
    return search(term, limit, auth, this.deps.registries);
  }

  /** GET /distribution/{name}/json: the manifest's descriptor and the platforms it serves. */
  async inspect(name: string, auth: AuthConfig | undefined): Promise<DistributionInspect> {
    let ref = parseNormalizedNamed(name);
    if (ref.tag === undefined && ref.digest === undefined) ref = { ...ref, tag: "latest" };
    const session = new RegistrySession(await endpointsFor(ref.domain, this.deps.registries, "pull"), auth, [
      scope.pull(ref.path),
    ]);
    await session.authorize();
    const top = await fetchManifest(session, ref.path, ref.digest ?? ref.tag ?? "latest");
    const descriptor: Descriptor = {
      mediaType: top.manifest.mediaType,
      digest: top.digest,
      size: top.bytes.length,
    };
    if (top.manifest.kind === "index") {
      return {
        descriptor,
        platforms: top.manifest.manifests.flatMap((m) => (m.platform ? [m.platform] : [])),
      };
    }
    const config = JSON.parse(
      (await fetchBlob(session, ref.path, top.manifest.config, 8 * 1024 * 1024)).toString("utf8"),
    ) as { os?: unknown; architecture?: unknown; variant?: unknown; "os.version"?: unknown };
    const p: Platform = {
      architecture: typeof config.architecture === "string" ? config.architecture : "",
      os: typeof config.os === "string" ? config.os : "",
    };
    if (typeof config.variant === "string" && config.variant !== "") p.variant = config.variant;
    if (typeof config["os.version"] === "string") p["os.version"] = config["os.version"];
    return { descriptor, platforms: [p] };
  }

  private pullTarget(): PullTarget {
    const { images, layers } = this.deps;
    return {
      imageIdOf: (ref) => images.records.ref(referenceString(ref))?.imageId,
      hasLayer: (c) => layers.get(c) !== undefined,
      registerLayer: async (tar, parent, onProgress) =>
        (await layers.register(tar, parent, (p) => onProgress(p.bytesRead))).diffId,
      createImage: async (configBytes, refs) =>
        (await images.create({ configBytes, tags: refs, silent: true })).id,
    };
  }

  private pushLayers(top: ChainId | undefined): PushLayer[] {
    if (top === undefined) return [];
    return this.deps.layers
      .chain(top)
      .map((l) => ({ chainId: l.chainId, diffId: l.diffId, tarSize: l.tarSize }));
  }

  /** The tags of a repository held locally, sorted. */
  private localTags(repo: Reference): string[] {
    const prefix = `${repo.domain}/${repo.path}:`;
    const out: string[] = [];
    for (const rec of this.deps.images.records.all()) {
      for (const r of this.deps.images.records.refsOf(rec.id)) {
        if (r.kind === "tag" && r.name.startsWith(prefix)) out.push(r.name.slice(prefix.length));
      }
    }
    return out.sort();
  }
}

/** fromImage + tag as Docker's postImagesCreate combines them. */
export function pullRef(image: string, tag: string): Reference {
  const ref = parseNormalizedNamed(image);
  if (tag === "") return ref;
  if (/^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/.test(tag)) {
    return parseNormalizedNamed(`${familiarName(ref)}@${tag}`);
  }
  return parseNormalizedNamed(`${familiarName(ref)}:${tag}`);
}

export function hostPlatform(): Platform {
  return normalizePlatform({ os: "linux", architecture: hostArchitecture() });
}

/** GET /v2/<name>/tags/list, following Link pagination. */
async function listTags(session: RegistrySession, repo: string): Promise<string[]> {
  const tags: string[] = [];
  let path: string | undefined = `/v2/${repo}/tags/list`;
  for (let pages = 0; path !== undefined && pages < 100; pages++) {
    const res = await session.request("GET", path);
    const body = JSON.parse((await readBody(res)).toString("utf8")) as { tags?: unknown };
    if (Array.isArray(body.tags)) tags.push(...body.tags.filter((t): t is string => typeof t === "string"));
    const link = header(res, "Link");
    const m = link !== undefined ? /<([^>]+)>;\s*rel="next"/.exec(link) : null;
    path = m?.[1];
  }
  return tags.sort();
}
