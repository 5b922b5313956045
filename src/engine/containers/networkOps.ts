/**
 * `docker network connect` / `disconnect` on the container side: the record
 * keeps the network (so each start joins it), and a running container joins
 * or leaves it at once, with /etc/hosts rewritten for its addresses. Also
 * the live network view inspect and ps show.
 */
import { writeFile } from "node:fs/promises";
import { forbidden, invalid, notFound } from "../errors.js";
import type { ContainerServiceDeps, ContainerNetworking, EndpointState, PublishedPort } from "./deps.js";
import type { Container } from "./model.js";
import { endpointConfig } from "./networkPlan.js";
import { hostFilesFor, networksOf, sharedNetnsOf } from "./sandbox.js";
import { isActive } from "./state.js";

export interface ConnectOptions {
  aliases: string[];
  ip?: string;
  mac?: string;
}

/** What a running container has now: its endpoints and published ports. */
export interface NetworkState {
  endpoints: EndpointState[];
  ports: PublishedPort[];
  /** The netns path while it runs with its own network namespace. */
  sandboxKey?: string;
}

type Locked = <T>(
  ref: string,
  fn: (c: Container, save: (next: Container) => void) => Promise<T>,
) => Promise<T>;

const sharedText =
  "container sharing network namespace with another container or host cannot be connected to any other network";

function networking(deps: ContainerServiceDeps): ContainerNetworking {
  if (deps.networking === undefined) throw invalid("networking is not available in this daemon");
  return deps.networking;
}

export function connectNetwork(
  deps: ContainerServiceDeps,
  withLock: Locked,
  hostsPath: (c: Container) => string,
  ref: string,
  network: string,
  opts: ConnectOptions,
): Promise<void> {
  const net = networking(deps);
  return withLock(ref, async (c, save) => {
    const n = net.resolve(network);
    const mode = c.spec.host.networkMode;
    if (sharedNetnsOf(mode) !== undefined) throw forbidden(sharedText);
    if (mode === "host" || n.driver === "host")
      throw forbidden("container cannot be disconnected from host network or connected to host network");
    if (mode === "none" || n.driver === "null")
      throw forbidden(
        "container cannot be connected to multiple networks with one of the networks in private (none) mode",
      );
    const current = networksOf(c);
    if (current.some((x) => x.id === n.id || (x.id === "" && x.name === n.name)))
      throw forbidden(`endpoint with name ${c.name} already exists in network ${n.name}`);
    const cfg = endpointConfig(n, {
      aliases: opts.aliases,
      ...(opts.ip ? { ipv4: opts.ip } : {}),
      ...(opts.mac ? { mac: opts.mac } : {}),
    });
    if (isActive(c.state)) {
      await (
        await net.join({ id: c.id, name: c.name }, cfg)
      ).ready;
      await rewriteHosts(deps, c, hostsPath(c));
    }
    save({ ...c, networks: [...current, cfg] });
  });
}

export function disconnectNetwork(
  deps: ContainerServiceDeps,
  withLock: Locked,
  hostsPath: (c: Container) => string,
  ref: string,
  network: string,
  force: boolean,
): Promise<void> {
  const net = networking(deps);
  return withLock(ref, async (c, save) => {
    const mode = c.spec.host.networkMode;
    let n: { id: string; name: string; driver: string };
    try {
      n = net.resolve(network);
    } catch (err) {
      // A removed network can still be dropped from a stopped container's record with --force.
      const kept = networksOf(c).find((x) => x.name === network || x.id === network);
      if (!force || kept === undefined) throw err;
      n = { id: kept.id, name: kept.name, driver: "bridge" };
    }
    if (mode === "host" || n.driver === "host")
      throw forbidden("container cannot be disconnected from host network or connected to host network");
    const current = networksOf(c);
    const kept = current.find((x) => x.id === n.id || (x.id === "" && x.name === n.name));
    if (kept === undefined) throw notFound(`container ${c.id} is not connected to network ${network}`);
    if (isActive(c.state) && net.endpoints(c.id).some((e) => e.networkId === n.id)) {
      await net.leave(c.id, n.id);
      await rewriteHosts(deps, c, hostsPath(c));
    }
    save({ ...c, networks: current.filter((x) => x !== kept) });
  });
}

async function rewriteHosts(deps: ContainerServiceDeps, c: Container, path: string): Promise<void> {
  const addresses = networking(deps)
    .endpoints(c.id)
    .flatMap((e) => (e.ip ? [e.ip] : []));
  const files = await hostFilesFor(c, deps, addresses);
  await writeFile(path, files.hosts);
}

/** The live endpoints and ports of a running container; empty otherwise. */
export function networkState(deps: ContainerServiceDeps, c: Container): NetworkState {
  const net = deps.networking;
  if (net === undefined || !isActive(c.state) || sharedNetnsOf(c.spec.host.networkMode) !== undefined)
    return { endpoints: [], ports: [] };
  const endpoints = net.endpoints(c.id);
  return {
    endpoints,
    ports: net.published(c.id),
    ...(endpoints.length > 0 ? { sandboxKey: net.netnsPath(c.id) } : {}),
  };
}
