/** Builders for container records in unit tests. */
import type { ContainerId, ImageId } from "../ids.js";
import type { Container, ContainerSpec, HostSpec } from "./model.js";

export function hostSpec(over: Partial<HostSpec> = {}): HostSpec {
  return {
    networkMode: "none",
    mounts: [],
    readonlyRootfs: false,
    privileged: false,
    capAdd: [],
    capDrop: [],
    noNewPrivileges: false,
    seccomp: "default",
    groupAdd: [],
    ulimits: [],
    init: false,
    shmSize: 64 * 1024 * 1024,
    memory: 0,
    memorySwap: 0,
    nanoCpus: 0,
    cpuShares: 0,
    cpuQuota: 0,
    cpuPeriod: 0,
    cpusetCpus: "",
    pidsLimit: 0,
    autoRemove: false,
    restartPolicy: { name: "no", maximumRetryCount: 0 },
    extraHosts: [],
    dns: [],
    dnsSearch: [],
    dnsOptions: [],
    ...over,
  };
}

export function containerSpec(over: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    image: "busybox",
    env: [],
    labels: {},
    tty: false,
    openStdin: false,
    stdinOnce: false,
    host: hostSpec(),
    ...over,
  };
}

export function containerRecord(id: string, name: string, over: Partial<Container> = {}): Container {
  return {
    id: id.padEnd(64, "0") as ContainerId,
    name,
    createdAt: "2026-01-01T00:00:00.000Z",
    imageId: `sha256:${"a".repeat(64)}` as ImageId,
    imageRef: "busybox",
    spec: containerSpec(),
    config: {
      hostname: id.slice(0, 12),
      domainname: "",
      user: "",
      env: [],
      path: "sh",
      args: [],
      entrypoint: null,
      cmd: ["sh"],
      workingDir: "",
      labels: {},
      stopSignal: "SIGTERM",
      tty: false,
      openStdin: false,
      stdinOnce: false,
      exposedPorts: {},
      volumes: {},
    },
    state: { status: "created", error: "" },
    restartCount: 0,
    createBody: undefined,
    manuallyStopped: false,
    ...over,
  };
}
