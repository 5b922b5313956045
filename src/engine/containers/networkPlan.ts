/**
 * The networks a create asks for, resolved as dockerd does at create: the
 * network mode names the first network (404 when missing), further
 * EndpointsConfig entries add more; `container:<ref>` shares another
 * container's netns (and its hostname); aliases and static addresses only
 * on user-defined networks.
 */
import { invalid, isEngineError, notFound } from "../errors.js";
import type { ContainerNetworking, ContainerServiceDeps, NetworkInfo } from "./deps.js";
import type { ContainerSpec, NetworkEndpointConfig, NetworkRequest } from "./model.js";
import { sharedNetnsOf } from "./sandbox.js";
import type { ContainerStore } from "./store.js";
import { messages } from "../messages.js";

export interface NetworkChoice {
  /** "none", "host", "container:<full id>", or the network as the user named it. */
  mode: string;
  networks?: NetworkEndpointConfig[];
  /** With container:, the other container's hostname. */
  hostname?: string;
}

export function planNetworks(
  spec: ContainerSpec,
  deps: ContainerServiceDeps,
  store: ContainerStore,
): NetworkChoice {
  const asked = spec.host.networkMode;
  const mode = asked === "default" || asked === "" ? deps.defaultNetwork : asked;
  const requests = spec.networks ?? [];
  if (mode.startsWith("container:")) {
    const other = store.resolve(mode.slice("container:".length));
    if (spec.hostname) throw invalid("conflicting options: hostname and the network mode");
    if ((spec.host.portBindings ?? []).length > 0 || spec.host.publishAll)
      throw invalid("conflicting options: port publishing and the container type network mode");
    if (spec.host.dns.length > 0) throw invalid("conflicting options: dns and the network mode");
    if (spec.host.extraHosts.length > 0)
      throw invalid("conflicting options: custom host-to-IP mapping and the network mode");
    const owner = sharedNetnsOf(other.spec.host.networkMode) ?? other.id;
    return { mode: `container:${owner}`, hostname: other.config.hostname };
  }
  if (mode === "none" || mode === "host") return { mode };
  if (deps.networking === undefined) throw notFound(messages.noSuchNetwork(mode));
  const first = resolveOrKeep(deps.networking, mode);
  if (first.driver === "host") return { mode: "host" };
  if (first.driver === "null") return { mode: "none" };
  const networks: NetworkEndpointConfig[] = [];
  const add = (n: NetworkInfo, r: NetworkRequest | undefined) => {
    if (networks.some((x) => (n.id !== "" && x.id === n.id) || x.name === n.name)) return;
    if (n.driver !== "bridge")
      throw invalid(`container cannot be connected to network ${n.name} with driver ${n.driver}`);
    networks.push(endpointConfig(n, r));
  };
  // The CLI keys the first network's settings by what --network said ("default" when nothing).
  const own = requests.find(
    (r) => r.ref === asked || r.ref === mode || r.ref === first.name || r.ref === first.id,
  );
  add(first, own);
  for (const r of requests) if (r !== own) add(resolveOrKeep(deps.networking, r.ref), r);
  return { mode, networks };
}

/**
 * As dockerd: a network that does not exist (yet) does not fail the create;
 * the start does, with "network X not found". (A 404 from create would make
 * the docker CLI try to pull the image.)
 */
function resolveOrKeep(net: ContainerNetworking, ref: string): NetworkInfo {
  try {
    return net.resolve(ref);
  } catch (err) {
    if (!isEngineError(err, "not-found")) throw err;
    return { id: "", name: ref, driver: "bridge" };
  }
}

/** The endpoint settings kept for a network; Docker's checks on what the default bridge allows. */
export function endpointConfig(
  n: NetworkInfo,
  r: Omit<NetworkRequest, "ref"> | undefined,
): NetworkEndpointConfig {
  const aliases = r?.aliases ?? [];
  if (n.name === "bridge" && aliases.length > 0)
    throw invalid("network-scoped aliases are only supported for user-defined networks");
  if (n.name === "bridge" && r?.ipv4)
    throw invalid("user specified IP address is supported on user defined networks only");
  return {
    name: n.name,
    id: n.id,
    aliases: [...aliases],
    ...(r?.ipv4 ? { ipv4: r.ipv4 } : {}),
    ...(r?.mac ? { mac: r.mac } : {}),
  };
}
