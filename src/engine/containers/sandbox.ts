/**
 * A container's network sandbox for one run: the networks it joins (in its
 * record's order, so the first gives the default route), the ports it
 * publishes, the netns another container shares (`--network container:`),
 * and the /etc files that follow from them. Torn down at the end of the run.
 */
import { readFile } from "node:fs/promises";
import { conflict, EngineError, invalid, isEngineError, notFound } from "../errors.js";
import type { ContainerId } from "../ids.js";
import { messages } from "../messages.js";
import type {
  ContainerNetworking,
  ContainerServiceDeps,
  EndpointState,
  NetworkInfo,
  PortRequest,
} from "./deps.js";
import type { Container, NetworkEndpointConfig } from "./model.js";
import type { ContainerPaths } from "./service.js";
import { hostnameFile, hostsFile, resolvConf } from "./spec/hostFiles.js";
import type { NetworkPlan } from "./spec/oci.js";
import { isActive } from "./state.js";
import type { ContainerStore } from "./store.js";
import type { Undo } from "../undo.js";

export interface HostFiles {
  hosts: string;
  resolvConf: string;
  hostname: string;
}

export interface Sandbox {
  plan: NetworkPlan;
  /** Settles when every network's host side is up: before the container's process runs. */
  ready: Promise<void>;
  addresses: string[];
  dnsServer?: string;
  /** `--network container:`: the files of the container whose netns is shared. */
  files?: HostFiles;
}

const containerPrefix = "container:";

/** The container ID of a `container:<id>` network mode, else undefined. */
export function sharedNetnsOf(mode: string): ContainerId | undefined {
  return mode.startsWith(containerPrefix) ? (mode.slice(containerPrefix.length) as ContainerId) : undefined;
}

/** The networks a start joins; records older than multi-network support name one in networkMode. */
export function networksOf(c: Container): NetworkEndpointConfig[] {
  if (c.networks !== undefined) return c.networks;
  const mode = c.spec.host.networkMode;
  if (mode === "none" || mode === "host" || sharedNetnsOf(mode) !== undefined) return [];
  return [{ name: mode, id: "", aliases: [] }];
}

/** What -p and -P ask for: the bindings, then every other exposed port on an ephemeral host port. */
export function portRequests(c: Container): PortRequest[] {
  const out: PortRequest[] = [];
  const bound = new Set<string>();
  for (const b of c.spec.host.portBindings ?? []) {
    bound.add(`${b.containerPort}/${b.proto}`);
    out.push({
      containerPort: b.containerPort,
      proto: b.proto,
      ...(b.hostIp !== "" ? { hostIp: b.hostIp } : {}),
      ...(b.hostPort > 0 ? { hostPort: b.hostPort } : {}),
      ...(b.hostPortEnd !== undefined ? { hostPortEnd: b.hostPortEnd } : {}),
    });
  }
  if (c.spec.host.publishAll) {
    for (const key of Object.keys(c.config.exposedPorts)) {
      const p = parsePortKey(key);
      if (p === undefined || bound.has(`${p.port}/${p.proto}`)) continue;
      out.push({ containerPort: p.port, proto: p.proto });
    }
  }
  return out;
}

/** "80/tcp" (or "80", tcp) to its parts; undefined when malformed. */
export function parsePortKey(key: string): { port: number; proto: "tcp" | "udp" } | undefined {
  const m = /^(\d{1,5})(?:\/(tcp|udp))?$/.exec(key.toLowerCase());
  const port = Number(m?.[1]);
  if (!m || port < 1 || port > 65535) return undefined;
  return { port, proto: (m[2] ?? "tcp") as "tcp" | "udp" };
}

/**
 * Joins the container's networks and publishes its ports. Every step pushes
 * its undo, so a failure part-way (a taken port) leaves nothing behind.
 */
export async function joinSandbox(
  c: Container,
  deps: ContainerServiceDeps,
  store: ContainerStore,
  paths: (id: ContainerId) => ContainerPaths,
  undo: Undo,
): Promise<Sandbox> {
  const mode = c.spec.host.networkMode;
  if (mode === "none") return { plan: { kind: "none" }, ready: Promise.resolve(), addresses: [] };
  if (mode === "host") return { plan: { kind: "host" }, ready: Promise.resolve(), addresses: [] };
  const net = deps.networking;
  const shared = sharedNetnsOf(mode);
  if (shared !== undefined) return joinShared(shared, deps, store, paths);
  if (net === undefined) throw notFound(messages.noSuchNetwork(mode));
  undo.push("network sandbox", () => net.detach(c.id));
  const addresses: string[] = [];
  let dnsServer: string | undefined;
  let netnsPath: string | null = null;
  const pending: Promise<void>[] = [];
  for (const cfg of networksOf(c)) {
    const n = resolveForStart(net, cfg);
    const ep = await net.join({ id: c.id, name: c.name }, { ...cfg, id: n.id, name: n.name });
    pending.push(ep.ready);
    if (ep.ip) addresses.push(ep.ip);
    dnsServer ??= ep.dnsServer;
    netnsPath ??= ep.netnsPath;
  }
  if (netnsPath === null) throw invalid(`container ${c.name} has no network namespace to join`);
  const ready = Promise.all(pending).then(() => undefined);
  // Awaited by the caller before the container runs; a failure meanwhile must not go unhandled.
  ready.catch(() => undefined);
  const ports = portRequests(c);
  if (ports.length > 0) await ready;
  if (ports.length > 0 && net.endpoints(c.id).some((e) => e.ip !== undefined)) {
    try {
      await net.publish(c.id, ports);
    } catch (err) {
      throw publishError(c, net.endpoints(c.id)[0], err);
    }
  }
  return {
    plan: { kind: "netns", path: netnsPath },
    ready,
    addresses,
    ...(dnsServer ? { dnsServer } : {}),
  };
}

/** The network by its ID (a removed and re-created namesake is another network), else by name. */
function resolveForStart(net: ContainerNetworking, cfg: NetworkEndpointConfig): NetworkInfo {
  try {
    return net.resolve(cfg.id || cfg.name);
  } catch (err) {
    if (!isEngineError(err, "not-found")) throw err;
    throw new EngineError(
      "not-found",
      `failed to set up container networking: network ${cfg.name} not found`,
      {
        cause: err,
      },
    );
  }
}

/** Docker's wording for a port that cannot be bound, keeping the error's kind. */
function publishError(c: Container, ep: EndpointState | undefined, err: unknown): unknown {
  if (!isEngineError(err)) return err;
  const eid = ep?.endpointId ?? "";
  return new EngineError(
    err.kind,
    `failed to set up container networking: driver failed programming external connectivity on endpoint ${c.name} (${eid}): ${err.message}`,
    { cause: err },
  );
}

async function joinShared(
  otherId: ContainerId,
  deps: ContainerServiceDeps,
  store: ContainerStore,
  paths: (id: ContainerId) => ContainerPaths,
): Promise<Sandbox> {
  const other = store.get(otherId);
  if (other === undefined) throw notFound(messages.noSuchContainer(otherId));
  if (!isActive(other.state))
    throw conflict(`cannot join network namespace of a non running container: ${otherId}`);
  const p = paths(other.id);
  const files: HostFiles = {
    hosts: await readFile(p.hosts, "utf8"),
    resolvConf: await readFile(p.resolvConf, "utf8"),
    hostname: await readFile(p.hostname, "utf8"),
  };
  const mode = other.spec.host.networkMode;
  const ready = Promise.resolve();
  if (mode === "host") return { plan: { kind: "host" }, ready, addresses: [], files };
  if (mode === "none" || deps.networking === undefined)
    return { plan: { kind: "none" }, ready, addresses: [], files };
  const nested = sharedNetnsOf(mode);
  const owner = nested ?? other.id;
  return { plan: { kind: "netns", path: deps.networking.netnsPath(owner) }, ready, addresses: [], files };
}

/** Undoes joinSandbox; a shared netns belongs to its owner and stays. Idempotent. */
export async function leaveSandbox(c: Container, deps: ContainerServiceDeps): Promise<void> {
  const mode = c.spec.host.networkMode;
  if (!deps.networking || mode === "none" || mode === "host" || sharedNetnsOf(mode) !== undefined) return;
  await deps.networking.detach(c.id);
}

/** /etc/hosts, /etc/resolv.conf and /etc/hostname for the container's run. */
export async function hostFilesFor(
  c: Container,
  deps: ContainerServiceDeps,
  addresses: string[],
  dnsServer?: string,
): Promise<HostFiles> {
  const h = c.spec.host;
  const hostNet = h.networkMode === "host";
  const dns = h.dns.length > 0 || dnsServer === undefined ? h.dns : [dnsServer];
  const gateway = deps.networking?.hostGateway();
  const extraHosts = h.extraHosts.map((e) => {
    const at = e.indexOf(":");
    if (at < 0 || e.slice(at + 1) !== "host-gateway") return e;
    if (gateway === undefined) throw invalid(`unable to derive the IP value for host-gateway`);
    return `${e.slice(0, at)}:${gateway}`;
  });
  return {
    hosts: hostNet
      ? await deps.host.hostsFile()
      : hostsFile({
          addresses,
          hostname: c.config.hostname,
          domainname: c.config.domainname,
          extraHosts,
        }),
    resolvConf: resolvConf(await deps.host.resolvConf(), {
      dns,
      dnsSearch: h.dnsSearch,
      dnsOptions: h.dnsOptions,
      hostNetwork: hostNet,
    }),
    hostname: hostnameFile(c.config.hostname),
  };
}
