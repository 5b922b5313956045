/**
 * The devices of volumes created with options (tmpfs, bind, a block device):
 * mounted on the volume's _data directory when the first container needs it,
 * unmounted when the last one lets go. Holders (container IDs) are kept in
 * SQLite so a restarted berthd keeps the mounts its running containers use.
 */
import { internal } from "../errors.js";
import type { Mounter } from "../host/mount.js";
import { log } from "../log.js";
import { mountPlan, needsMount } from "./options.js";
import type { VolumeRecord, VolumeRecords } from "./records.js";

export class VolumeDevices {
  /** Names of volumes whose device is mounted now. */
  private readonly mounted = new Set<string>();

  constructor(
    private readonly records: VolumeRecords,
    private readonly mounter: Mounter,
    private readonly dataPath: (name: string) => string,
  ) {}

  /**
   * After a daemon start: a mount that no holder wants is undone; holders of
   * a volume whose mount is gone (a reboot) are stale and forgotten.
   */
  async recover(): Promise<void> {
    const mountPoints = new Set((await this.mounter.list()).map((m) => m.mountPoint));
    for (const rec of this.records.all()) {
      if (!needsMount(rec.options)) continue;
      const path = this.dataPath(rec.name);
      const holders = this.records.holders(rec.name);
      if (mountPoints.has(path)) {
        if (holders.length > 0) this.mounted.add(rec.name);
        else await this.mounter.unmount(path).catch((e) => log.warn(`volume ${rec.name}: ${String(e)}`));
      } else {
        for (const h of holders) this.records.removeHolder(rec.name, h);
      }
    }
  }

  isMounted(name: string): boolean {
    return this.mounted.has(name);
  }

  /** Adds `holder` and mounts the device if this is the first. No-op for plain volumes. */
  async attach(rec: VolumeRecord, holder: string): Promise<void> {
    if (!needsMount(rec.options)) return;
    await this.ensureMounted(rec);
    this.records.addHolder(rec.name, holder);
  }

  /** Removes `holder`, and unmounts when no holder is left. */
  async detach(rec: VolumeRecord, holder: string): Promise<void> {
    if (!needsMount(rec.options)) return;
    this.records.removeHolder(rec.name, holder);
    if (this.records.holders(rec.name).length === 0) await this.unmountIfMounted(rec);
  }

  async ensureMounted(rec: VolumeRecord): Promise<void> {
    if (this.mounted.has(rec.name) || !needsMount(rec.options)) return;
    const target = this.dataPath(rec.name);
    const steps = mountPlan(rec.options, target);
    let done = 0;
    try {
      for (const step of steps) {
        await this.mounter.mount(step);
        done++;
      }
    } catch (err) {
      if (done > 0) await this.mounter.unmount(target).catch(() => undefined);
      throw internal(`failed to mount local volume: ${(err as Error).message}`, err);
    }
    this.mounted.add(rec.name);
  }

  async unmountIfMounted(rec: VolumeRecord): Promise<void> {
    if (!this.mounted.has(rec.name)) return;
    await this.mounter.unmount(this.dataPath(rec.name));
    this.mounted.delete(rec.name);
  }

  /** Mount points at or below `dir` (a volume about to be deleted must have none). */
  async mountsUnder(dir: string): Promise<string[]> {
    return (await this.mounter.list())
      .map((m) => m.mountPoint)
      .filter((p) => p === dir || p.startsWith(dir + "/"));
  }
}
