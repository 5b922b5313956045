/** The real host facts: architecture, kernel, resolv.conf and devices. */
import type { Stats } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { errnoCode, invalid } from "../errors.js";
import { arch, hostname, release } from "node:os";
import { join } from "node:path";
import type { HostFacts } from "./deps.js";
import type { OciDevice } from "./spec/oci.js";

const goArch = (): string => (arch() === "x64" ? "amd64" : arch() === "ia32" ? "386" : arch());

/** Linux's dev_t encoding (glibc's gnu_dev_major/minor). */
const major = (rdev: number): number =>
  Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
const minor = (rdev: number): number => Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));

function deviceOf(path: string, st: Stats): OciDevice {
  return {
    path,
    type: st.isCharacterDevice() ? "c" : "b",
    major: major(st.rdev),
    minor: minor(st.rdev),
    fileMode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
  };
}

async function listDevices(dir: string, out: OciDevice[]): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === "pts" || e.name === "shm" || e.name === "fd" || e.name === "mqueue") continue;
      await listDevices(path, out).catch(() => undefined);
    } else if (e.isCharacterDevice() || e.isBlockDevice()) {
      if (path === "/dev/console" || path === "/dev/ptmx" || path === "/dev/tty") continue;
      const st = await stat(path).catch(() => undefined);
      if (st === undefined) continue;
      out.push(deviceOf(path, st));
    }
  }
}

export const realHostFacts: HostFacts = {
  arch: goArch(),
  kernel: release(),
  hostname: () => hostname(),
  resolvConf: () => readFile("/etc/resolv.conf", "utf8").catch(() => ""),
  hostsFile: () => readFile("/etc/hosts", "utf8").catch(() => "127.0.0.1\tlocalhost\n"),
  devices: async () => {
    const out: OciDevice[] = [];
    await listDevices("/dev", out);
    return out;
  },
  devicesAt: async (path) => {
    const fail = (why: string) =>
      invalid(
        `error gathering device information while adding custom device ${JSON.stringify(path)}: ${why}`,
      );
    const st = await stat(path).catch((err: unknown) => {
      throw fail(errnoCode(err) === "ENOENT" ? "no such file or directory" : (err as Error).message);
    });
    if (st.isCharacterDevice() || st.isBlockDevice()) return [deviceOf(path, st)];
    if (!st.isDirectory()) throw fail("not a device node");
    const out: OciDevice[] = [];
    await listDevices(path, out);
    return out;
  },
};
