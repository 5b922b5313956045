/**
 * The native addon (native/berth_sys.c): the syscalls Node lacks. Loaded
 * lazily so that pure code and unit tests never need it built.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface NativeSys {
  mknod(path: string, mode: number, major: number, minor: number): void;
  lsetxattr(path: string, name: string, value: Buffer): void;
  /** null when the attribute is absent. */
  lgetxattr(path: string, name: string): Buffer | null;
  llistxattr(path: string): string[];
  mount(
    source: string | null,
    target: string,
    fstype: string | null,
    flags: number,
    data: string | null,
  ): void;
  umount2(target: string, flags: number): void;
  flockExclusive(fd: number): void;
}

/** mount(2) flags and umount2(2) flags used by Berth. */
export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_REMOUNT = 0x20;
export const MS_BIND = 0x1000;
export const MS_REC = 0x4000;
export const MS_PRIVATE = 0x40000;
export const MNT_DETACH = 0x2;

const addonPath = join("native", "build", "Release", "berth_sys.node");

let loaded: NativeSys | undefined;

export function nativeSys(): NativeSys {
  if (loaded) return loaded;
  // The compiled file may sit in dist/ or another build dir: look upwards for the repo root.
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, addonPath))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`native addon not built: run 'npm run build:native'`);
    dir = up;
  }
  loaded = createRequire(import.meta.url)(join(dir, addonPath)) as NativeSys;
  return loaded;
}
