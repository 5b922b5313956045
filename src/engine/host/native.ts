/**
 * The native addon (native/berth_sys.c): the syscalls Node lacks. Loaded
 * lazily so that pure code and unit tests never need it built.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

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

let loaded: NativeSys | undefined;

export function nativeSys(): NativeSys {
  if (loaded) return loaded;
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/src/engine/host -> repository root
  const addon = join(here, "..", "..", "..", "..", "native", "build", "Release", "berth_sys.node");
  loaded = createRequire(import.meta.url)(addon) as NativeSys;
  return loaded;
}
