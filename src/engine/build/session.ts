/**
 * Build sessions (`POST /berth/build/session`, berth's own endpoint): the client sends its
 * context's manifest first, the daemon leases a context mirror (the one this client used
 * last, when free) and answers which files it lacks; the build that follows
 * (`POST /build?berthsession=<id>`) sends only those. A session also carries the build's
 * secrets and ssh sockets. A session no build claims within the TTL gives its mirror back.
 */
import { invalid } from "../errors.js";
import { newHexId } from "../ids.js";
import type { ContextMirrors, MirrorLease } from "./contextMirror.js";
import { wipeSecrets, type BuildSecrets } from "./secrets.js";
import { neededFiles, parseManifest, type Manifest } from "./sessionManifest.js";

export interface SessionInput {
  /** Names the client's context (e.g. a hash of host and path), to find its mirror again. */
  key: string;
  /** The context's manifest (unchecked wire value); absent: the build sends a full tar. */
  manifest?: unknown;
  secrets: BuildSecrets;
}

export interface SessionOpened {
  id: string;
  /** Files the client must send, in the manifest's order. */
  need: string[];
  /** Files the manifest lists. */
  files: number;
}

/** What a build takes over from its session. */
export interface ClaimedSession {
  secrets: BuildSecrets;
  context?: { lease: MirrorLease; manifest: Manifest; need: number };
}

interface Pending extends ClaimedSession {
  timer: NodeJS.Timeout;
}

export const SESSION_TTL_MS = 60_000;

export class BuildSessions {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly mirrors: ContextMirrors,
    private readonly ttlMs = SESSION_TTL_MS,
  ) {}

  async open(input: SessionInput): Promise<SessionOpened> {
    if (typeof input.key !== "string" || input.key.length > 256) throw invalid("invalid build session key");
    const manifest = input.manifest === undefined ? undefined : parseManifest(input.manifest);
    const id = newHexId().slice(0, 32);
    let need: string[] = [];
    let context: ClaimedSession["context"];
    if (manifest !== undefined) {
      const lease = await this.mirrors.lease(input.key);
      need = neededFiles(manifest, lease.index);
      context = { lease, manifest, need: need.length };
    }
    const timer = setTimeout(() => this.expire(id), this.ttlMs);
    timer.unref();
    this.pending.set(id, { secrets: input.secrets, ...(context ? { context } : {}), timer });
    return {
      id,
      need,
      files: manifest === undefined ? 0 : [...manifest.values()].filter((e) => e.type === "file").length,
    };
  }

  /** Hands a session to its build (once). */
  claim(id: string): ClaimedSession {
    const p = this.pending.get(id);
    if (p === undefined)
      throw invalid(`build session ${id} not found: it expired or a build used it already`);
    this.pending.delete(id);
    clearTimeout(p.timer);
    return { secrets: p.secrets, ...(p.context ? { context: p.context } : {}) };
  }

  /** Open sessions (tests, shutdown). */
  get size(): number {
    return this.pending.size;
  }

  private expire(id: string): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    p.context?.lease.abandon();
    wipeSecrets(p.secrets);
  }
}
