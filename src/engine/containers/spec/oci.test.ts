import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { containerRecord, hostSpec } from "../testdata.js";
import { buildOciSpec, processArgs, type SpecInput } from "./oci.js";

function goldenDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
  return join(dir, "src/engine/containers/spec/testdata");
}

/** Compares with the golden file; BERTH_UPDATE_GOLDEN=1 rewrites it. */
function golden(name: string, value: unknown): void {
  const path = join(goldenDir(), name);
  const text = JSON.stringify(value, null, 2) + "\n";
  if (process.env.BERTH_UPDATE_GOLDEN === "1") writeFileSync(path, text);
  // Compared as data: the formatter may re-indent the file.
  assert.deepEqual(JSON.parse(text), JSON.parse(readFileSync(path, "utf8")));
}

const id = "0123456789ab".padEnd(64, "c");

function input(over: Partial<SpecInput> = {}): SpecInput {
  const rec = containerRecord(id, "web");
  return {
    id,
    config: { ...rec.config, path: "sh", args: ["-c", "echo hi"], env: ["FOO=bar"] },
    host: hostSpec(),
    user: { uid: 0, gid: 0, additionalGids: [10], home: "/root" },
    rootfs: "/var/lib/berth/layers/rw/x/merged",
    files: { hosts: "/c/hosts", resolvConf: "/c/resolv.conf", hostname: "/c/hostname" },
    network: { kind: "none" },
    initPath: "/usr/bin/tini-static",
    arch: "amd64",
    kernel: "6.1.0",
    hostDevices: [],
    ...over,
  };
}

test("default container: Docker's namespaces, caps, mounts, seccomp (golden)", () => {
  const spec = buildOciSpec(input());
  const seccomp = spec.linux.seccomp;
  assert.ok(seccomp);
  assert.equal(seccomp.defaultAction, "SCMP_ACT_ERRNO");
  assert.deepEqual(seccomp.architectures, ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]);
  const allowed = new Set(
    seccomp.syscalls.filter((s) => s.action === "SCMP_ACT_ALLOW").flatMap((s) => s.names),
  );
  assert.ok(allowed.has("read"));
  assert.ok(!allowed.has("mount"), "mount needs CAP_SYS_ADMIN");
  const clone3 = seccomp.syscalls.find((s) => s.names.includes("clone3"));
  assert.deepEqual([clone3?.action, clone3?.errnoRet], ["SCMP_ACT_ERRNO", 38]);
  golden("oci-default.json", { ...spec, linux: { ...spec.linux, seccomp: "(checked above)" } });
});

test("limits, mounts, host network, init, read-only, ulimits, tty (golden)", () => {
  const spec = buildOciSpec(
    input({
      config: { ...input().config, tty: true, workingDir: "/srv", hostname: "box" },
      network: { kind: "host" },
      host: hostSpec({
        init: true,
        readonlyRootfs: true,
        memory: 64 * 1024 * 1024,
        nanoCpus: 1_500_000_000,
        cpuShares: 512,
        cpusetCpus: "0",
        pidsLimit: 50,
        shmSize: 128 * 1024 * 1024,
        noNewPrivileges: true,
        capAdd: ["net_admin"],
        capDrop: ["CAP_MKNOD", "chown"],
        ulimits: [{ name: "nofile", soft: 1024, hard: 2048 }],
        mounts: [
          { type: "tmpfs", target: "/run/x", options: [] },
          { type: "bind", source: "/srv/data", target: "/data", readOnly: true, propagation: "rprivate" },
        ],
      }),
    }),
  );
  assert.deepEqual(spec.process.args, ["/sbin/docker-init", "--", "sh", "-c", "echo hi"]);
  assert.ok(!spec.linux.namespaces.some((n) => n.type === "network"));
  golden("oci-options.json", { ...spec, linux: { ...spec.linux, seccomp: "(default profile)" } });
});

test("privileged: all caps, no seccomp or masks, devices allowed", () => {
  const spec = buildOciSpec(
    input({
      host: hostSpec({ privileged: true }),
      hostDevices: [{ path: "/dev/loop0", type: "b", major: 7, minor: 0, fileMode: 0o660, uid: 0, gid: 6 }],
    }),
  );
  assert.equal(spec.linux.seccomp, undefined);
  assert.equal(spec.linux.maskedPaths, undefined);
  assert.ok(spec.process.capabilities?.bounding?.includes("CAP_SYS_ADMIN"));
  assert.deepEqual(spec.linux.resources.devices, [{ allow: true, access: "rwm" }]);
  assert.equal(spec.linux.devices?.[0]?.path, "/dev/loop0");
  assert.ok(spec.mounts.find((m) => m.destination === "/sys")?.options.includes("ro") === false);
});

test("a netns path joins it; seccomp follows capabilities", () => {
  const spec = buildOciSpec(
    input({ network: { kind: "netns", path: "/run/netns/x" }, host: hostSpec({ capAdd: ["SYS_ADMIN"] }) }),
  );
  assert.deepEqual(spec.linux.namespaces.at(-1), { type: "network", path: "/run/netns/x" });
  const allowed = new Set(spec.linux.seccomp?.syscalls.flatMap((s) => s.names));
  assert.ok(allowed.has("mount"));
});

test("memory swap: default twice the limit, -1 unlimited", () => {
  const two = buildOciSpec(input({ host: hostSpec({ memory: 100 }) }));
  assert.deepEqual(two.linux.resources.memory, { limit: 100, swap: 200 });
  const unl = buildOciSpec(input({ host: hostSpec({ memory: 100, memorySwap: -1 }) }));
  assert.deepEqual(unl.linux.resources.memory, { limit: 100, swap: -1 });
});

test("processArgs combines path and args", () => {
  const c = containerRecord(id, "x").config;
  assert.deepEqual(processArgs({ ...c, path: "/bin/echo", args: ["a"] }, false), ["/bin/echo", "a"]);
});

test("--pid, --uts, --ipc: the host's namespaces left out, another's joined, /dev/shm as asked", () => {
  const types = (s: ReturnType<typeof buildOciSpec>) => s.linux.namespaces.map((n) => n.path ?? n.type);
  const hostModes = buildOciSpec(
    input({ host: { ...hostSpec(), pidMode: "host", utsMode: "host", ipcMode: "host" } }),
  );
  assert.deepEqual(types(hostModes), ["mount", "cgroup", "network"]);
  assert.equal(hostModes.hostname, undefined, "no hostname without a UTS namespace");
  assert.deepEqual(
    hostModes.mounts.find((m) => m.destination === "/dev/shm"),
    { destination: "/dev/shm", type: "bind", source: "/dev/shm", options: ["rbind", "rw"] },
  );
  const joined = buildOciSpec(
    input({
      host: { ...hostSpec(), pidMode: "container:web", ipcMode: "none" },
      pidNamespace: "/proc/42/ns/pid",
    }),
  );
  assert.deepEqual(types(joined), ["/proc/42/ns/pid", "ipc", "uts", "mount", "cgroup", "network"]);
  const ipcJoined = buildOciSpec(
    input({
      host: { ...hostSpec(), ipcMode: "container:db" },
      ipcNamespace: "/proc/7/ns/ipc",
      shmSource: "/c/db/shm",
    }),
  );
  assert.deepEqual(types(ipcJoined), ["pid", "/proc/7/ns/ipc", "uts", "mount", "cgroup", "network"]);
  assert.deepEqual(
    ipcJoined.mounts.find((m) => m.destination === "/dev/shm"),
    {
      destination: "/dev/shm",
      type: "bind",
      source: "/c/db/shm",
      options: ["rbind", "rw"],
    },
  );
  assert.equal(
    joined.mounts.find((m) => m.destination === "/dev/shm"),
    undefined,
  );
  assert.ok(joined.mounts.some((m) => m.destination === "/dev/mqueue"));
});

test("--device nodes and their access, --device-cgroup-rule after the defaults", () => {
  const fuse = { path: "/dev/x", type: "c" as const, major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 };
  const spec = buildOciSpec(
    input({
      host: { ...hostSpec(), deviceCgroupRules: [{ type: "b", major: 8, access: "r" }] },
      devices: [{ node: fuse, access: "r" }],
    }),
  );
  assert.deepEqual(spec.linux.devices, [fuse]);
  assert.deepEqual(spec.linux.resources.devices.slice(-2), [
    { allow: true, type: "c", major: 10, minor: 229, access: "r" },
    { allow: true, type: "b", major: 8, access: "r" },
  ]);
  assert.deepEqual(spec.linux.resources.devices[0], { allow: false, access: "rwm" }, "deny all comes first");
});
