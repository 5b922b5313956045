/**
 * docker cp's three calls: stat a path in a container, archive it, and
 * extract a tar into a directory of it. They work on running and stopped
 * containers alike (a stopped one has its layer mounted for the call), hold
 * the container's lock while they touch its files (an archive until its
 * stream ends, as dockerd does), and resolve every path inside the
 * container's view (fsView.ts), so no symlink leads out of it.
 */
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { decompress, sniffCompression } from "../layers/decompress.js";
import { invalid, isEngineError, notFound } from "../errors.js";
import type { RwLayers } from "../layers/types.js";
import { containerExtraMessages } from "../messages.js";
import { TarReader } from "../layers/tarReader.js";
import { ViewExtractor } from "./archiveExtract.js";
import { viewTar } from "./archiveTar.js";
import { withRootfs, type ContainerAccess } from "./extrasDeps.js";
import { cleanComps, containerPath, FsView, type ViewMount } from "./fsView.js";
import type { Container } from "./model.js";
import type { ContainerPaths } from "./service.js";
import { resolveUser } from "./spec/user.js";
import { isActive } from "./state.js";

/** What HEAD /archive reports (Docker's PathStat, before api/ turns the mode into Go's FileMode). */
export interface PathStat {
  name: string;
  size: number;
  /** st_mode: file type and permission bits. */
  mode: number;
  mtimeMs: number;
  /** For a symlink: the absolute path it finally leads to inside the container. */
  linkTarget: string;
}

export interface ExtractToDirOptions {
  noOverwriteDirNonDir: boolean;
  /** docker cp -a: files get the container's User as owner, when it has one. */
  copyUidGid: boolean;
}

/** The container's mounts as its processes see them: user binds and volumes, then the generated /etc files. */
export function viewMounts(c: Container, paths: ContainerPaths): ViewMount[] {
  const user: ViewMount[] = [];
  for (const m of c.spec.host.mounts) {
    // A volume's source is its data directory on the host, bound like a bind mount.
    // A tmpfs lives only in the container's mount namespace: cp sees the rootfs under it, as Docker does.
    if (m.type === "bind" || m.type === "volume")
      user.push({ target: cleanComps(m.target), source: m.source, readOnly: m.readOnly });
  }
  const taken = new Set(user.map((m) => m.target.join("/")));
  const files: ViewMount[] = [
    { target: ["etc", "resolv.conf"], source: paths.resolvConf, readOnly: c.spec.host.readonlyRootfs },
    { target: ["etc", "hostname"], source: paths.hostname, readOnly: c.spec.host.readonlyRootfs },
    { target: ["etc", "hosts"], source: paths.hosts, readOnly: c.spec.host.readonlyRootfs },
  ].filter((m) => !taken.has(m.target.join("/")));
  return [...user, ...files];
}

/** Docker keeps a trailing "/" or "/." of what the user typed after cleaning. */
function trailing(path: string): "" | "/" | "/." {
  if (path.endsWith("/.") || path === ".") return "/.";
  if (path.endsWith("/")) return "/";
  return "";
}

export class ContainerArchive {
  constructor(
    private readonly containers: ContainerAccess,
    private readonly layers: Pick<RwLayers, "mount" | "unmount">,
  ) {}

  private withView<T>(ref: string, fn: (c: Container, view: FsView) => Promise<T>): Promise<T> {
    return this.containers.withLock(ref, (c) =>
      withRootfs(
        this.layers,
        c,
        () => isActive(this.containers.get(c.id).state),
        (root) =>
          fn(c, new FsView(root, viewMounts(c, this.containers.paths(c.id)), c.spec.host.readonlyRootfs)),
      ),
    );
  }

  /** HEAD /containers/{id}/archive. */
  async statPath(ref: string, path: string): Promise<PathStat> {
    return this.withView(ref, async (_c, view) => this.stat(view, ref, path));
  }

  private stat(view: FsView, ref: string, path: string): PathStat {
    const notThere = (cause?: unknown) => notFound(containerExtraMessages.fileNotFound(path, ref), cause);
    let r;
    try {
      // A trailing slash asks the kernel to follow a final symlink; so does Docker's Lstat.
      r = view.resolve(path, trailing(path) !== "");
    } catch (err) {
      if (isEngineError(err, "not-found")) throw notThere(err);
      throw err;
    }
    const st = r.stat;
    if (st === undefined) throw notThere();
    if (trailing(path) !== "" && !st.isDirectory())
      throw invalid(`${containerPath(r.comps)}: not a directory`);
    let linkTarget = "";
    if (st.isSymbolicLink()) {
      try {
        linkTarget = containerPath(view.resolve(r.comps, true, true).comps);
      } catch {
        linkTarget = ""; // a dangling chain: Docker reports what it could resolve; nothing here
      }
    }
    const comps = cleanComps(path);
    return {
      name: trailing(path) === "/." ? "." : comps.length === 0 ? "/" : (comps[comps.length - 1] as string),
      size: st.size,
      mode: st.mode,
      mtimeMs: st.mtimeMs,
      linkTarget,
    };
  }

  /**
   * GET /containers/{id}/archive: the stat and a tar of the path. The lock
   * is held until the tar is read to its end or destroyed.
   */
  archivePath(ref: string, path: string): Promise<{ stat: PathStat; tar: Readable }> {
    return new Promise((resolve, reject) => {
      this.withView(ref, async (c, view) => {
        const stat = this.stat(view, ref, path);
        const r = view.resolve(path, trailing(path) !== "");
        const isDir = r.stat?.isDirectory() === true;
        // A directory comes as NAME/… (or its contents alone for "/."), anything else as NAME.
        const rebase = isDir && (trailing(path) === "/." || r.comps.length === 0) ? "." : stat.name;
        const tar = Readable.from(viewTar(view, r.comps, rebase), { objectMode: false });
        this.containers.publish(c, "archive-path");
        resolve({ stat, tar });
        await finished(tar).catch(() => undefined);
      }).catch(reject);
    });
  }

  /** PUT /containers/{id}/archive: extracts `tar` (plain or compressed) into the directory `path`. */
  async extractToDir(
    ref: string,
    path: string,
    tar: AsyncIterable<Uint8Array>,
    opts: ExtractToDirOptions,
  ): Promise<void> {
    await this.withView(ref, async (c, view) => {
      let r;
      try {
        r = view.resolve(path, true);
      } catch (err) {
        if (isEngineError(err, "not-found"))
          throw notFound(containerExtraMessages.fileNotFound(path, ref), err);
        throw err;
      }
      if (r.stat === undefined) throw notFound(containerExtraMessages.fileNotFound(path, ref));
      if (!r.stat.isDirectory()) throw invalid(containerExtraMessages.notADirectory());
      const readOnly = view.readOnlyReason(r.comps);
      if (readOnly !== undefined) throw invalid(readOnly);
      const chown =
        opts.copyUidGid && c.config.user !== "" ? this.containerUser(view, c.config.user) : undefined;
      const extractor = new ViewExtractor(view, r.comps, {
        noOverwriteDirNonDir: opts.noOverwriteDirNonDir,
        ...(chown ? { chown } : {}),
      });
      const reader = new TarReader(extractor);
      const consume = async (input: AsyncIterable<Buffer>): Promise<void> => {
        for await (const chunk of input) reader.feed(chunk);
        reader.finish();
        extractor.finish();
      };
      // Plain, gzip, bzip2, xz (and zstd), as dockerd's DecompressStream takes them.
      const { compression, stream } = await sniffCompression(tar);
      await consume(decompress(compression, stream));
      this.containers.publish(c, "extract-to-dir");
    });
  }

  private containerUser(view: FsView, user: string): { uid: number; gid: number } {
    const read = (p: string): string | undefined => {
      try {
        const r = view.resolve(p, true);
        return r.stat?.isFile() ? readFileSync(r.host, "utf8") : undefined;
      } catch {
        return undefined;
      }
    };
    const u = resolveUser(user, [], read("/etc/passwd"), read("/etc/group"));
    return { uid: u.uid, gid: u.gid };
  }
}
