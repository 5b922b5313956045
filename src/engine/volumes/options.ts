/**
 * The local driver's options (`-o type=… -o device=… -o o=…`): Docker's
 * validation, and the mount(2) calls they mean, as data. The service carries
 * the plan out through host/mount.ts when the first container uses the volume.
 */
import { invalid, notImplemented } from "../errors.js";
import type { MountSpec } from "../host/mount.js";
import { volumeMessages } from "../messages.js";

export type VolumeOptions = Readonly<Record<string, string>>;

const validKeys = ["type", "o", "device", "size"];
/** Checked in this order so the first missing option named is stable (Go's map order is not). */
const mandatory: [string, string[]][] = [
  ["device", ["type"]],
  ["type", ["device"]],
  ["o", ["device", "type"]],
];
/** Filesystems that need a network, which Berth never reaches. */
const networkTypes = ["nfs", "nfs4", "cifs", "smb3"];

/** Throws invalid or not-implemented; the message has no "create NAME: " prefix. */
export function validateOptions(opts: VolumeOptions): void {
  for (const key of Object.keys(opts)) {
    if (!validKeys.includes(key)) throw invalid(volumeMessages.invalidOption(key));
  }
  const size = opts.size;
  if (size !== undefined && ramInBytes(size) > 0) throw invalid(volumeMessages.noQuota());
  for (const [key, needs] of mandatory) {
    if (!(key in opts)) continue;
    for (const n of needs) if (!(n in opts)) throw invalid(volumeMessages.missingOption(n));
  }
  const type = opts.type ?? "";
  if (networkTypes.includes(type.toLowerCase())) {
    throw notImplemented(
      `volume type "${type}" is a network filesystem: Berth does not mount network filesystems (this host reaches no file server)`,
    );
  }
}

/** go-units RAMInBytes: "100m", "1.5GiB", "512" (binary multiples). */
export function ramInBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(s);
  if (m === null) throw invalid(`invalid size: '${s}'`);
  const mult: Record<string, number> = { k: 1 << 10, m: 1 << 20, g: 1 << 30, t: 2 ** 40, p: 2 ** 50 };
  return Math.trunc(Number.parseFloat(m[1]!) * (m[2] ? mult[m[2].toLowerCase()]! : 1));
}

/** A volume with a device or a type is mounted on its _data directory while in use. */
export function needsMount(opts: VolumeOptions): boolean {
  return (opts.device ?? "") !== "" || (opts.type ?? "") !== "";
}

// mount(2) flags, as moby/sys/mount's option table names them.
const MS = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  SYNCHRONOUS: 0x10,
  REMOUNT: 0x20,
  MANDLOCK: 0x40,
  DIRSYNC: 0x80,
  NOATIME: 0x400,
  NODIRATIME: 0x800,
  BIND: 0x1000,
  REC: 0x4000,
  UNBINDABLE: 1 << 17,
  PRIVATE: 1 << 18,
  SLAVE: 1 << 19,
  SHARED: 1 << 20,
  RELATIME: 1 << 21,
  STRICTATIME: 1 << 24,
} as const;
const propagationFlags = MS.SHARED | MS.PRIVATE | MS.SLAVE | MS.UNBINDABLE;

/** [clear?, flag]: a word in `o=` sets the flag, or clears it when `clear`. */
const flagWords: Record<string, [boolean, number]> = {
  defaults: [false, 0],
  ro: [false, MS.RDONLY],
  rw: [true, MS.RDONLY],
  suid: [true, MS.NOSUID],
  nosuid: [false, MS.NOSUID],
  dev: [true, MS.NODEV],
  nodev: [false, MS.NODEV],
  exec: [true, MS.NOEXEC],
  noexec: [false, MS.NOEXEC],
  sync: [false, MS.SYNCHRONOUS],
  async: [true, MS.SYNCHRONOUS],
  dirsync: [false, MS.DIRSYNC],
  remount: [false, MS.REMOUNT],
  mand: [false, MS.MANDLOCK],
  nomand: [true, MS.MANDLOCK],
  atime: [true, MS.NOATIME],
  noatime: [false, MS.NOATIME],
  diratime: [true, MS.NODIRATIME],
  nodiratime: [false, MS.NODIRATIME],
  bind: [false, MS.BIND],
  rbind: [false, MS.BIND | MS.REC],
  unbindable: [false, MS.UNBINDABLE],
  runbindable: [false, MS.UNBINDABLE | MS.REC],
  private: [false, MS.PRIVATE],
  rprivate: [false, MS.PRIVATE | MS.REC],
  shared: [false, MS.SHARED],
  rshared: [false, MS.SHARED | MS.REC],
  slave: [false, MS.SLAVE],
  rslave: [false, MS.SLAVE | MS.REC],
  relatime: [false, MS.RELATIME],
  norelatime: [true, MS.RELATIME],
  strictatime: [false, MS.STRICTATIME],
  nostrictatime: [true, MS.STRICTATIME],
};

/** `o=` split into mount flags and the filesystem's own data string. */
export function parseMountOptions(o: string): { flags: number; data: string } {
  let flags = 0;
  const data: string[] = [];
  for (const word of o.split(",")) {
    if (word === "") continue;
    const f = flagWords[word];
    if (f === undefined) data.push(word);
    else if (f[0]) flags &= ~f[1];
    else flags |= f[1];
  }
  return { flags, data: data.join(",") };
}

/**
 * The mount(2) calls that attach a volume's device on `target`, in order:
 * the mount itself, a propagation change, and the read-only remount a bind
 * mount needs (the kernel ignores MS_RDONLY on the first bind call).
 */
export function mountPlan(opts: VolumeOptions, target: string): MountSpec[] {
  const device = opts.device ?? "";
  if (device === "") throw invalid("missing device in volume options");
  const { flags, data } = parseMountOptions(opts.o ?? "");
  const main = flags & ~propagationFlags;
  if ((main & MS.BIND) !== 0 && !device.startsWith("/")) {
    throw invalid(`bind mount device must be an absolute path: ${device}`);
  }
  const steps: MountSpec[] = [];
  if ((main & MS.REMOUNT) === 0 || data !== "") {
    steps.push({ source: device, target, fstype: opts.type ?? "", flags: main, data });
  }
  if ((flags & propagationFlags) !== 0) {
    steps.push({ source: "", target, fstype: "", flags: flags & (propagationFlags | MS.REC) });
  }
  if ((main & (MS.BIND | MS.RDONLY)) === (MS.BIND | MS.RDONLY)) {
    steps.push({ source: "", target, fstype: "", flags: main | MS.REMOUNT });
  }
  return steps;
}
