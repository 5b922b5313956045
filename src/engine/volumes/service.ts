/**
 * The volume service: the `local` driver (a directory per volume under
 * `<data-root>/volumes/<name>/_data`, optionally a device mounted there while
 * in use), its metadata in SQLite, and the calls containers make (mountpoint,
 * acquire/release, copy-up). Errors carry Docker's texts, prefixed with the
 * operation and name as moby's OpErr does ("create x: …", "remove x: …").
 */
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { conflict, EngineError, errnoCode, internal, isEngineError, notFound } from "../errors.js";
import type { EngineEvent } from "../events/index.js";
import type { Mounter } from "../host/mount.js";
import { log } from "../log.js";
import { messages, volumeMessages } from "../messages.js";
import type { Db } from "../store/index.js";
import { copyTree, type CopySys } from "./copyUp.js";
import { VolumeDevices } from "./devices.js";
import { dirSize } from "./dirSize.js";
import { matchesList, matchLabels } from "./filters.js";
import { KeyedLock } from "../keyedLock.js";
import { anonymousLabel, newAnonymousName, validateVolumeName } from "./names.js";
import { validateOptions } from "./options.js";
import { VolumeRecords, type VolumeRecord } from "./records.js";
import type {
  CreateOptions,
  ListOptions,
  MountEventInfo,
  PruneOptions,
  PruneReport,
  Volume,
  VolumeUsage,
  VolumeUsers,
} from "./types.js";

export interface VolumeEvents {
  publish(event: Omit<EngineEvent, "timeNano">): unknown;
}

export interface VolumeServiceDeps {
  db: Db;
  /** `<data-root>/volumes`. */
  root: string;
  events: VolumeEvents;
  users: VolumeUsers;
  mounter: Mounter;
  /** mknod and xattr calls for copy-up (host/native.ts). */
  copySys: CopySys;
}

const localDriver = "local";

export class VolumeService {
  private readonly records: VolumeRecords;
  private readonly devices: VolumeDevices;
  private readonly locks = new KeyedLock();
  private pruning = false;

  private constructor(private readonly deps: VolumeServiceDeps) {
    this.records = new VolumeRecords(deps.db);
    this.devices = new VolumeDevices(this.records, deps.mounter, (n) => this.dataPath(n));
  }

  static async open(deps: VolumeServiceDeps): Promise<VolumeService> {
    await mkdir(deps.root, { recursive: true, mode: 0o701 });
    const s = new VolumeService(deps);
    for (const rec of s.records.all()) await mkdir(s.dataPath(rec.name), { recursive: true, mode: 0o755 });
    await s.devices.recover();
    return s;
  }

  /** Creates a volume, or returns the existing one of that name (whatever options were asked, as Docker does). */
  async create(opts: CreateOptions): Promise<Volume> {
    const anonymous = (opts.name ?? "") === "";
    const name = anonymous ? newAnonymousName() : opts.name!;
    const driver = opts.driver || localDriver;
    return this.locks.run(name, () =>
      withOp("create", name, async () => {
        if (driver !== localDriver) throw notFound(volumeMessages.noSuchPlugin(driver));
        const existing = this.records.get(name);
        if (existing !== undefined) return this.toVolume(existing);
        validateVolumeName(name);
        const options = { ...opts.options };
        validateOptions(options);
        const labels = { ...opts.labels };
        if (anonymous) labels[anonymousLabel] = "";
        const rec: VolumeRecord = {
          name,
          driver,
          labels,
          options,
          createdNano: BigInt(Date.now()) * 1_000_000n,
          anonymous,
        };
        const dir = this.volumeDir(name);
        const made = await mkdir(dir, { recursive: true, mode: 0o701 });
        try {
          await mkdir(this.dataPath(name), { recursive: true, mode: 0o755 });
          this.records.insert(rec);
        } catch (err) {
          // Only a directory this call made is removed: an old one may hold data.
          if (made !== undefined) await rm(dir, { recursive: true, force: true });
          throw err;
        }
        this.deps.events.publish({ type: "volume", action: "create", actorId: name, attributes: { driver } });
        return this.toVolume(rec);
      }),
    );
  }

  /** The volume, or not-found with Docker's "get NAME: no such volume". */
  get(name: string): Volume {
    return this.toVolume(this.record(name));
  }

  list(opts: ListOptions = {}): Volume[] {
    return this.records
      .all()
      .filter((r) => matchesList(r, this.refs(r.name).length > 0, opts))
      .map((r) => this.toVolume(r));
  }

  /** Names of the containers using a volume (for `remove`, `dangling` and RefCount). */
  refs(name: string): string[] {
    const all = new Set([...this.deps.users.containersUsingVolume(name), ...this.records.holders(name)]);
    return [...all].sort();
  }

  /** Removes a volume; refused while any container uses it. `force` ignores a missing volume. */
  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.locks.run(name, async () => {
      const rec = this.records.get(name);
      if (rec === undefined) {
        if (opts.force === true) return;
        throw notFound(messages.noSuchVolume(name));
      }
      const refs = this.refs(name);
      if (refs.length > 0) throw conflict(volumeMessages.inUse(name, refs));
      await this.destroy(rec, opts.force === true);
    });
  }

  /** Removes unused local volumes without options; only anonymous ones unless `all`. */
  async prune(opts: PruneOptions): Promise<PruneReport> {
    if (this.pruning) throw conflict(volumeMessages.pruneRunning());
    this.pruning = true;
    try {
      const report: PruneReport = { deleted: [], spaceReclaimed: 0 };
      const labels = opts.all ? [...(opts.labels ?? [])] : [...(opts.labels ?? []), anonymousLabel];
      for (const candidate of this.records.all()) {
        if (candidate.driver !== localDriver || Object.keys(candidate.options).length > 0) continue;
        if (!matchLabels(candidate.labels, labels, opts.notLabels)) continue;
        await this.locks.run(candidate.name, async () => {
          const rec = this.records.get(candidate.name);
          if (rec === undefined || this.refs(rec.name).length > 0) return;
          const size = await dirSize(this.dataPath(rec.name)).catch(() => 0);
          try {
            await this.destroy(rec, false);
          } catch (err) {
            log.warn(`prune: could not remove volume ${rec.name}: ${(err as Error).message}`);
            return;
          }
          report.deleted.push(rec.name);
          report.spaceReclaimed += size;
        });
      }
      this.deps.events.publish({
        type: "volume",
        action: "prune",
        actorId: "",
        attributes: { reclaimed: String(report.spaceReclaimed) },
      });
      return report;
    } finally {
      this.pruning = false;
    }
  }

  /** `system df`: local volumes without options, with their size on disk and users. */
  async diskUsage(): Promise<{ volume: Volume; usage: VolumeUsage }[]> {
    const out: { volume: Volume; usage: VolumeUsage }[] = [];
    for (const rec of this.records.all()) {
      if (rec.driver !== localDriver || Object.keys(rec.options).length > 0) continue;
      const size = await dirSize(this.dataPath(rec.name)).catch(() => -1);
      out.push({ volume: this.toVolume(rec), usage: { size, refCount: this.refs(rec.name).length } });
    }
    return out;
  }

  /** Host path of a volume's data directory (what a container bind-mounts). */
  mountpoint(name: string): string {
    this.record(name);
    return this.dataPath(name);
  }

  /**
   * A container starts using a volume: its device is mounted if it has one
   * and is not mounted yet. Returns the host path to bind into the container.
   * Call once per container (a second call for the same container is a no-op
   * for the mount), and `release` when the container stops.
   */
  async acquire(name: string, containerId: string, info: MountEventInfo = {}): Promise<string> {
    return this.locks.run(name, async () => {
      const rec = this.record(name);
      await this.devices.attach(rec, containerId);
      const attributes: Record<string, string> = { driver: rec.driver, container: containerId };
      if (info.destination !== undefined) attributes.destination = info.destination;
      if (info.readWrite !== undefined) attributes["read/write"] = String(info.readWrite);
      if (info.propagation !== undefined) attributes.propagation = info.propagation;
      this.deps.events.publish({ type: "volume", action: "mount", actorId: name, attributes });
      return this.dataPath(name);
    });
  }

  /** The container stopped using the volume; the device is unmounted after the last one. */
  async release(name: string, containerId: string): Promise<void> {
    await this.locks.run(name, async () => {
      const rec = this.records.get(name);
      if (rec === undefined) return;
      await this.devices.detach(rec, containerId);
      this.deps.events.publish({
        type: "volume",
        action: "unmount",
        actorId: name,
        attributes: { driver: rec.driver, container: containerId },
      });
    });
  }

  /** Forgets mount holders that are not among the live containers (call after containers recover). */
  async releaseStale(liveContainerIds: Iterable<string>): Promise<void> {
    const live = new Set(liveContainerIds);
    for (const { volume, holder } of this.records.allHolders()) {
      if (!live.has(holder)) await this.release(volume, holder);
    }
  }

  /**
   * Copy-up: fills an empty volume with the content of `sourceDir` (an image
   * path the caller resolved inside the rootfs), keeping owners, modes,
   * times, links and xattrs. Returns false, copying nothing, when the volume
   * is not empty or the source is not a directory.
   */
  async populateFromImage(name: string, sourceDir: string): Promise<boolean> {
    return this.locks.run(name, async () => {
      const rec = this.record(name);
      const isDir = await stat(sourceDir).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (!isDir) return false;
      const wasMounted = this.devices.isMounted(name);
      await this.devices.ensureMounted(rec);
      try {
        const target = this.dataPath(name);
        if ((await readdir(target)).length > 0) return false;
        await copyTree(sourceDir, target, this.deps.copySys);
        return true;
      } finally {
        if (!wasMounted && this.records.holders(name).length === 0) await this.devices.unmountIfMounted(rec);
      }
    });
  }

  private async destroy(rec: VolumeRecord, force: boolean): Promise<void> {
    await withOp("remove", rec.name, async () => {
      await this.devices.unmountIfMounted(rec);
      const dir = this.volumeDir(rec.name);
      // rm -r would descend into a bind-mounted host directory and empty it.
      const mounts = await this.devices.mountsUnder(dir);
      if (mounts.length > 0) throw internal(`volume has active mounts: ${mounts.join(", ")}`);
      try {
        await rm(dir, { recursive: true, force: true });
      } catch (err) {
        if (force) this.records.delete(rec.name);
        throw internal(
          `error removing volume path '${dir}': ${errnoCode(err) ?? (err as Error).message}`,
          err,
        );
      }
      this.records.delete(rec.name);
    });
    this.deps.events.publish({
      type: "volume",
      action: "destroy",
      actorId: rec.name,
      attributes: { driver: rec.driver },
    });
  }

  private record(name: string): VolumeRecord {
    const rec = this.records.get(name);
    if (rec === undefined) throw notFound(messages.noSuchVolume(name));
    return rec;
  }

  private volumeDir(name: string): string {
    return join(this.deps.root, name);
  }

  private dataPath(name: string): string {
    return join(this.deps.root, name, "_data");
  }

  private toVolume(rec: VolumeRecord): Volume {
    return {
      name: rec.name,
      driver: rec.driver,
      labels: rec.labels,
      options: rec.options,
      createdNano: rec.createdNano,
      anonymous: rec.anonymous,
      mountpoint: this.dataPath(rec.name),
    };
  }
}

/** Runs `fn`, prefixing an engine error's message with "OP NAME: " (moby's OpErr). */
async function withOp<T>(op: string, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isEngineError(err)) throw new EngineError(err.kind, `${op} ${name}: ${err.message}`, { cause: err });
    throw internal(`${op} ${name}: ${(err as Error).message}`, err);
  }
}
