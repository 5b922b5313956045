/**
 * The build service: `POST /build` (context in, image out, events on the way), and the build
 * cache's share of `POST /build/prune` and `GET /system/df`: the intermediate images steps
 * made, untagged, kept as cache until pruned.
 */
import { lstat, mkdir, readdir, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { isEngineError, notImplemented } from "../errors.js";
import { newHexId, type ImageId } from "../ids.js";
import { log } from "../log.js";
import type { Db } from "../store/index.js";
import { detectCompression } from "../layers/decompress.js";
import { Build, cacheMountsDir } from "./builder.js";
import { BuildCacheStore } from "./cache.js";
import { dockerfileOnlyContext, prepareContext, terminated, unpackContext } from "./context.js";
import { ContextMirrors, type LeasedMirror } from "./contextMirror.js";
import { cloneGitContext } from "./gitContext.js";
import { isGitUrl } from "./gitUrl.js";
import type { BuildDeps } from "./deps.js";
import type { BuildEmit } from "./events.js";
import type { BuildOptions } from "./options.js";
import { wipeSecrets } from "./secrets.js";
import { BuildSessions, type ClaimedSession, type SessionInput, type SessionOpened } from "./session.js";

export interface CacheRecord {
  id: string;
  description: string;
  size: number;
  createdNano: bigint;
  inUse: boolean;
}

export interface BuildPruneResult {
  deleted: string[];
  spaceReclaimed: number;
}

export class BuildService {
  readonly cache: BuildCacheStore;
  /** Contexts of earlier builds, synced instead of unpacked again (contextMirror.ts). */
  private readonly mirrors: ContextMirrors;
  /** Build sessions opened by berth's client, waiting for their build. */
  readonly sessions: BuildSessions;

  constructor(
    private readonly deps: BuildDeps,
    db: Db,
  ) {
    this.cache = new BuildCacheStore(db);
    this.mirrors = new ContextMirrors(`${deps.tmpDir}/contexts`);
    this.sessions = new BuildSessions(this.mirrors);
  }

  /** Opens a build session: leases a mirror for the manifest and says which files to send. */
  openSession(input: SessionInput): Promise<SessionOpened> {
    return this.sessions.open(input);
  }

  /**
   * Builds from a context tar (or `opts.remote`, or with `opts.session` the files the session
   * asked for); emits progress; returns the image ID.
   */
  /** Builds in progress, cancelled at daemon shutdown. */
  private readonly running = new Set<{ cancel: AbortController; done: Promise<unknown> }>();

  /** Daemon shutdown: cancels the builds in progress and waits for them to clean up. */
  async close(): Promise<void> {
    const all = [...this.running];
    for (const b of all) b.cancel.abort();
    await Promise.all(all.map((b) => b.done.catch(() => undefined)));
  }

  async build(
    context: Readable | undefined,
    opts: BuildOptions,
    emit: BuildEmit,
    signal?: AbortSignal,
  ): Promise<ImageId> {
    const cancel = new AbortController();
    const onAbort = () => cancel.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted === true) cancel.abort();
    const done = this.runBuild(context, opts, emit, cancel.signal);
    const entry = { cancel, done };
    this.running.add(entry);
    try {
      return await done;
    } finally {
      this.running.delete(entry);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  private async runBuild(
    context: Readable | undefined,
    opts: BuildOptions,
    emit: BuildEmit,
    signal: AbortSignal,
  ): Promise<ImageId> {
    const scratch = `${this.deps.tmpDir}/${newHexId()}`;
    let ctxDir = `${scratch}/context`;
    let lease: LeasedMirror | undefined;
    let session: ClaimedSession | undefined;
    try {
      if (opts.session !== undefined) {
        session = this.sessions.claim(opts.session);
        opts = { ...opts, secrets: session.secrets };
      }
      await mkdir(scratch, { recursive: true, mode: 0o700 });
      const sc = session?.context;
      if (sc !== undefined) {
        const t0 = Date.now();
        lease = await sc.lease.sync(terminated(context ?? Readable.from([])), sc.manifest);
        log.debug("build session: context synced", {
          session: opts.session,
          files: String(sc.manifest.size),
          needed: String(sc.need),
          receivedBytes: String(lease.received),
          ms: String(Date.now() - t0),
        });
      } else if (opts.remote !== undefined && opts.remote !== "" && isGitUrl(opts.remote)) {
        // The checkout is under scratch: removed with it whatever happens.
        ctxDir = (await cloneGitContext(opts.remote, scratch, { signal })).dir;
        context?.resume();
      } else if (opts.remote !== undefined && opts.remote !== "") {
        const { stream } = await this.deps.openUrl(opts.remote);
        const body = await readAll(stream);
        const isTar =
          detectCompression(body) !== "none" ||
          (body.length >= 262 && body.subarray(257, 262).toString("latin1") === "ustar");
        if (isTar) await unpackContext(Readable.from([body]), ctxDir);
        else await dockerfileOnlyContext(body, ctxDir);
        context?.resume();
      } else {
        lease = await this.mirrors.sync(terminated(context ?? Readable.from([])));
      }
      const ctx = lease
        ? { ...(await prepareContext(lease.dir, opts.dockerfile, lease)), known: lease.known }
        : await prepareContext(ctxDir, opts.dockerfile);
      const id = await new Build(this.deps, this.cache, opts, ctx, scratch).run(emit, signal);
      emit({ type: "built", id });
      for (const t of opts.tags) {
        await this.deps.images.tag(id, t);
        emit({ type: "tagged", ref: t });
      }
      return id;
    } finally {
      if (session !== undefined) {
        wipeSecrets(session.secrets);
        if (lease === undefined) session.context?.lease.abandon();
      }
      await lease?.release();
      await rm(scratch, { recursive: true, force: true }).catch((err: unknown) =>
        log.warn(`build: cannot remove ${scratch}: ${(err as Error).message}`),
      );
    }
  }

  /** The intermediate images kept as cache (untagged; images with tags are images, not cache). */
  records(): CacheRecord[] {
    const out: CacheRecord[] = [];
    for (const id of this.cache.imageIds()) {
      const img = this.deps.images.get(id as ImageId);
      if (img === undefined) {
        this.cache.forgetImage(id);
        continue;
      }
      if (img.repoTags.length > 0) continue;
      const h = img.config.history ?? [];
      const last = h[h.length - 1];
      const own =
        last?.empty_layer === true || img.chainId === undefined
          ? 0
          : (this.deps.layers.get(img.chainId)?.size ?? 0);
      out.push({
        id: img.id,
        description: last?.created_by ?? "",
        size: own,
        createdNano: img.createdAtNano,
        inUse: this.deps.containers.containersUsingImage(img.id).length > 0,
      });
    }
    return out;
  }

  /** Removes cache images no tagged image or container needs, leaves first. */
  async prune(): Promise<BuildPruneResult> {
    const deleted: string[] = [];
    let spaceReclaimed = 0;
    for (let progress = true; progress;) {
      progress = false;
      for (const r of this.records()) {
        if (r.inUse) continue;
        try {
          await this.deps.images.remove(r.id, { force: false, prune: false });
        } catch (err) {
          if (isEngineError(err, "conflict")) continue;
          throw err;
        }
        this.cache.forgetImage(r.id);
        deleted.push(r.id);
        spaceReclaimed += r.size;
        progress = true;
      }
    }
    await this.mirrors.prune();
    // RUN --mount=type=cache directories are build cache too (BuildKit's `exec.cachemount`).
    const mountsDir = cacheMountsDir(this.deps);
    for (const name of await readdir(mountsDir).catch(() => [] as string[])) {
      spaceReclaimed += await du(`${mountsDir}/${name}`);
      await rm(`${mountsDir}/${name}`, { recursive: true, force: true });
      deleted.push(`cachemount:${name}`);
    }
    return { deleted, spaceReclaimed };
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
    size += b.length;
    if (size > 1024 * 1024 * 1024) throw notImplemented("remote context larger than 1 GiB");
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** Bytes under a path (files only; symlinks not followed). */
async function du(path: string): Promise<number> {
  const st = await lstat(path);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const n of await readdir(path)) total += await du(`${path}/${n}`);
  return total;
}
