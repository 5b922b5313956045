/**
 * Mounts, through the native mount(2)/umount2(2) (no `mount` process), and
 * the kernel's view of them in /proc/self/mountinfo. Callers build the
 * options as data (see layers/overlay.ts); this file only carries them out.
 */
import { readFile } from "node:fs/promises";
import { internal } from "../errors.js";
import { MNT_DETACH, nativeSys } from "./native.js";

export interface MountSpec {
  source: string;
  target: string;
  fstype: string;
  flags?: number;
  /** Filesystem options (at most one page). */
  data?: string;
}

/** One line of /proc/self/mountinfo, paths decoded. */
export interface MountInfo {
  mountId: number;
  parentId: number;
  root: string;
  mountPoint: string;
  options: string;
  fsType: string;
  source: string;
  superOptions: string;
}

export interface Mounter {
  mount(spec: MountSpec): Promise<void>;
  /** Lazily (MNT_DETACH) unless `detach` is false. */
  unmount(target: string, opts?: { detach?: boolean }): Promise<void>;
  /** The mounts of this mount namespace. */
  list(): Promise<MountInfo[]>;
  isMountPoint(target: string): Promise<boolean>;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMountInfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const f = line.split(" ");
    const sep = f.indexOf("-", 6);
    if (f.length < 10 || sep === -1) continue;
    out.push({
      mountId: Number(f[0]),
      parentId: Number(f[1]),
      root: unescapeOctal(f[3] ?? ""),
      mountPoint: unescapeOctal(f[4] ?? ""),
      options: f[5] ?? "",
      fsType: f[sep + 1] ?? "",
      source: unescapeOctal(f[sep + 2] ?? ""),
      superOptions: f[sep + 3] ?? "",
    });
  }
  return out;
}

export class NativeMounter implements Mounter {
  async mount(spec: MountSpec): Promise<void> {
    try {
      nativeSys().mount(spec.source, spec.target, spec.fstype, spec.flags ?? 0, spec.data ?? null);
    } catch (err) {
      throw internal(
        `mount ${spec.fstype} on ${spec.target} (options ${spec.data ?? ""}): ${(err as Error).message}`,
        err,
      );
    }
  }

  async unmount(target: string, opts?: { detach?: boolean }): Promise<void> {
    try {
      nativeSys().umount2(target, opts?.detach === false ? 0 : MNT_DETACH);
    } catch (err) {
      throw internal(`unmount ${target}: ${(err as Error).message}`, err);
    }
  }

  async list(): Promise<MountInfo[]> {
    return parseMountInfo(await readFile("/proc/self/mountinfo", "utf8"));
  }

  async isMountPoint(target: string): Promise<boolean> {
    return (await this.list()).some((m) => m.mountPoint === target);
  }
}
