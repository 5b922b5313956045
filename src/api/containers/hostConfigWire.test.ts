import assert from "node:assert/strict";
import { test } from "node:test";
import { containerRecord, containerSpec, hostSpec } from "../../engine/containers/testdata.js";
import { hostConfigWire } from "./hostConfigWire.js";

/** dockerd's HostConfig keys for a plain container, in its order (moby api/types/container/hostconfig.go). */
const dockerOrder = [
  "Binds",
  "ContainerIDFile",
  "LogConfig",
  "NetworkMode",
  "PortBindings",
  "RestartPolicy",
  "AutoRemove",
  "VolumeDriver",
  "VolumesFrom",
  "ConsoleSize",
  "CapAdd",
  "CapDrop",
  "CgroupnsMode",
  "Dns",
  "DnsOptions",
  "DnsSearch",
  "ExtraHosts",
  "GroupAdd",
  "IpcMode",
  "Cgroup",
  "Links",
  "OomScoreAdj",
  "PidMode",
  "Privileged",
  "PublishAllPorts",
  "ReadonlyRootfs",
  "SecurityOpt",
  "UTSMode",
  "UsernsMode",
  "ShmSize",
  "Runtime",
  "Isolation",
  "CpuShares",
  "Memory",
  "NanoCpus",
  "CgroupParent",
  "BlkioWeight",
  "BlkioWeightDevice",
  "BlkioDeviceReadBps",
  "BlkioDeviceWriteBps",
  "BlkioDeviceReadIOps",
  "BlkioDeviceWriteIOps",
  "CpuPeriod",
  "CpuQuota",
  "CpuRealtimePeriod",
  "CpuRealtimeRuntime",
  "CpusetCpus",
  "CpusetMems",
  "Devices",
  "DeviceCgroupRules",
  "DeviceRequests",
  "MemoryReservation",
  "MemorySwap",
  "MemorySwappiness",
  "OomKillDisable",
  "PidsLimit",
  "Ulimits",
  "CpuCount",
  "CpuPercent",
  "IOMaximumIOps",
  "IOMaximumBandwidth",
  "MaskedPaths",
  "ReadonlyPaths",
];

test("every field dockerd prints, in its order, with its zero values", () => {
  const h = hostConfigWire(containerRecord("a", "a"), {});
  assert.deepEqual(Object.keys(h), dockerOrder);
  assert.deepEqual(
    [h.PortBindings, h.Dns, h.Ulimits, h.OomKillDisable, h.ConsoleSize],
    [null, null, null, false, [0, 0]],
  );
  assert.ok(Array.isArray(h.MaskedPaths) && h.MaskedPaths.includes("/proc/kcore"));
});

test("limits come from the record (after docker update), the rest from the body", () => {
  const c = containerRecord("b", "b", {
    spec: containerSpec({
      host: hostSpec({
        memory: 64 << 20,
        memorySwap: 0,
        cpuQuota: 20_000,
        cpuPeriod: 50_000,
        cpusetCpus: "0",
        dns: ["10.0.0.1"],
        privileged: true,
        ulimits: [{ name: "nofile", soft: 10, hard: 20 }],
      }),
    }),
  });
  const h = hostConfigWire(c, {
    HostConfig: {
      CpuQuota: 50_000,
      CpuPeriod: 100_000,
      PortBindings: { "80/tcp": [{ HostPort: "" }] },
      Tmpfs: { "/run": "" },
      Init: true,
    },
  });
  assert.deepEqual(
    [h.CpuQuota, h.CpuPeriod, h.CpusetCpus, h.MemorySwap, h.Dns],
    [20_000, 50_000, "0", 128 << 20, ["10.0.0.1"]],
  );
  assert.deepEqual(h.PortBindings, { "80/tcp": [{ HostIp: "", HostPort: "" }] });
  assert.deepEqual(h.Ulimits, [{ Name: "nofile", Hard: 20, Soft: 10 }]);
  assert.deepEqual([h.MaskedPaths, h.ReadonlyPaths, h.Init, h.Tmpfs], [null, null, true, { "/run": "" }]);
});
