/**
 * Network endpoints: list, inspect, create, remove, connect, disconnect,
 * prune. Docker's filters (driver, id, label, name, scope, type, dangling)
 * and wire shapes are computed here from the domain's networks.
 */
import { invalid, notFound, notImplemented } from "../engine/errors.js";
import { parseTimeFilter } from "../engine/images/index.js";
import { messages } from "../engine/messages.js";
import {
  isPredefinedNetwork,
  type Endpoint,
  type Network,
  type NetworkCreateSpec,
  type NetworkId,
} from "../engine/network/index.js";
import type { RequestContext } from "./context.js";
import { checkFilterKeys, parseFilters, readJson, type Filters } from "./query.js";
import type { Route } from "./router.js";
import { rfc3339Nano } from "./timestamp.js";
import type {
  NetworkConnectBody,
  NetworkCreateBody,
  NetworkCreateResponse,
  NetworkDisconnectBody,
  NetworkPruneResponse,
  NetworkWire,
} from "./types/networks.js";

export interface NetworksBackend {
  list(): Network[];
  resolve(ref: string): Network;
  endpointsOf(id: NetworkId): Endpoint[];
  create(spec: NetworkCreateSpec): Promise<Network>;
  remove(ref: string): Promise<void>;
  prune(match: (n: Network) => boolean): Promise<Network[]>;
}

/** Connect and disconnect go through the container service: it owns the container's sandbox. */
export interface NetworkContainersBackend {
  connectContainer(
    container: string,
    network: string,
    opts: { ip?: string; aliases: string[]; mac?: string },
  ): Promise<void>;
  disconnectContainer(container: string, network: string, force: boolean): Promise<void>;
}

export function networkRoutes(backend: NetworksBackend, containers: NetworkContainersBackend): Route[] {
  return [
    { method: "GET", path: "/networks", handler: (ctx) => list(backend, ctx) },
    { method: "POST", path: "/networks/create", handler: (ctx) => create(backend, ctx) },
    { method: "POST", path: "/networks/prune", handler: (ctx) => prune(backend, ctx) },
    {
      method: "GET",
      path: "/networks/{id}",
      handler: async (ctx) => {
        const scope = ctx.query.get("scope");
        const n = backend.resolve(ctx.param("id"));
        // Every network here is local: asking for another scope finds nothing, as in dockerd.
        if (scope !== null && scope !== "" && scope !== "local")
          throw notFound(messages.noSuchNetwork(ctx.param("id")));
        ctx.json(200, toNetworkWire(n, backend.endpointsOf(n.id)));
      },
    },
    {
      method: "DELETE",
      path: "/networks/{id}",
      handler: async (ctx) => {
        await backend.remove(ctx.param("id"));
        ctx.noContent(204);
      },
    },
    {
      method: "POST",
      path: "/networks/{id}/connect",
      handler: async (ctx) => {
        const body = ((await readJson(ctx.req)) ?? {}) as NetworkConnectBody;
        const ep = body.EndpointConfig ?? {};
        const ip = ep.IPAMConfig?.IPv4Address;
        if (ep.IPAMConfig?.IPv6Address) throw notImplemented("IPv6 addresses are not supported");
        await containers.connectContainer(body.Container ?? "", ctx.param("id"), {
          ...(ip ? { ip } : {}),
          aliases: ep.Aliases ?? [],
          ...(ep.MacAddress ? { mac: ep.MacAddress } : {}),
        });
        ctx.noContent(200);
      },
    },
    {
      method: "POST",
      path: "/networks/{id}/disconnect",
      handler: async (ctx) => {
        const body = ((await readJson(ctx.req)) ?? {}) as NetworkDisconnectBody;
        await containers.disconnectContainer(body.Container ?? "", ctx.param("id"), body.Force === true);
        ctx.noContent(200);
      },
    },
  ];
}

/** The domain network as Docker's NetworkResource; `endpoints` fill Containers (empty for lists). */
export function toNetworkWire(n: Network, endpoints: readonly Endpoint[]): NetworkWire {
  const b = n.bridge;
  const containers: NetworkWire["Containers"] = {};
  for (const e of endpoints) {
    containers[e.containerId] = {
      Name: e.containerName,
      EndpointID: e.endpointId,
      MacAddress: e.mac ?? "",
      IPv4Address: e.ip !== undefined ? `${e.ip}/${e.prefixLen ?? 32}` : "",
      IPv6Address: "",
    };
  }
  let config: NetworkWire["IPAM"]["Config"] = [];
  if (b) {
    // Docker echoes the IPAM config the user gave; an automatic pool shows subnet and gateway.
    config = b.userSubnet
      ? [
          {
            Subnet: b.subnet,
            ...(b.ipRange !== undefined ? { IPRange: b.ipRange } : {}),
            ...(b.userGateway ? { Gateway: b.gateway } : {}),
          },
        ]
      : [{ Subnet: b.subnet, Gateway: b.gateway }];
  }
  const options = b?.isDefault
    ? {
        "com.docker.network.bridge.default_bridge": "true",
        "com.docker.network.bridge.enable_icc": String(b.icc),
        "com.docker.network.bridge.enable_ip_masquerade": String(b.masquerade),
        "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0",
        "com.docker.network.bridge.name": b.name,
        "com.docker.network.driver.mtu": String(b.mtu),
      }
    : n.options;
  return {
    Name: n.name,
    Id: n.id,
    Created: goTime(n.created),
    Scope: "local",
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: {
      Driver: "default",
      // The API's create always sends IPAM options, so user networks show {} and built-in ones null.
      Options: isPredefinedNetwork(n.name) ? null : {},
      Config: config,
    },
    Internal: n.internal,
    Attachable: n.attachable === true,
    Ingress: false,
    ConfigFrom: { Network: "" },
    ConfigOnly: false,
    Containers: containers,
    Options: { ...options },
    Labels: { ...n.labels },
  };
}

/** RFC 3339 as Go prints it (trailing zeros of the fraction dropped). */
function goTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : rfc3339Nano(BigInt(ms) * 1_000_000n);
}

/** Go's filters.Match: an exact value, or a regular expression found in the text. */
function matchAny(values: readonly string[], text: string): boolean {
  return values.some((v) => {
    if (v === text) return true;
    try {
      return new RegExp(v).test(text);
    } catch {
      return false;
    }
  });
}

/** Go's filters.MatchKVList: every `k` or `k=v` must be among the labels. */
export function matchLabels(values: readonly string[], labels: Record<string, string>): boolean {
  return values.every((v) => {
    const eq = v.indexOf("=");
    const key = eq < 0 ? v : v.slice(0, eq);
    if (!Object.hasOwn(labels, key)) return false;
    return eq < 0 || labels[key] === v.slice(eq + 1);
  });
}

/** Docker's FilterNetworks over domain networks. */
export function filterNetworks(
  nets: readonly Network[],
  f: Filters,
  inUse: (n: Network) => boolean,
): Network[] {
  let out = nets.filter((n) => {
    const get = (k: string) => f.get(k) ?? [];
    if (f.has("driver") && !get("driver").includes(n.driver)) return false;
    if (f.has("name") && !matchAny(get("name"), n.name)) return false;
    if (f.has("id") && !matchAny(get("id"), n.id)) return false;
    if (f.has("label") && !matchLabels(get("label"), n.labels)) return false;
    if (f.has("scope") && !get("scope").includes("local")) return false;
    return true;
  });
  const dangling = f.get("dangling") ?? [];
  if (dangling.length > 1) throw invalid(`got more than one value for filter key "dangling"`);
  if (dangling[0] !== undefined) {
    let only: boolean;
    if (dangling[0] === "1" || dangling[0] === "true") only = true;
    else if (dangling[0] === "0" || dangling[0] === "false") only = false;
    else throw invalid(`invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`);
    out = out.filter((n) =>
      only ? !isPredefinedNetwork(n.name) && !inUse(n) : isPredefinedNetwork(n.name) || inUse(n),
    );
  }
  const types = f.get("type");
  if (types !== undefined) {
    const picked: Network[] = [];
    for (const t of types) {
      if (t !== "builtin" && t !== "custom") throw invalid(`invalid filter: 'type'='${t}'`);
      picked.push(...out.filter((n) => isPredefinedNetwork(n.name) === (t === "builtin")));
    }
    out = picked;
  }
  return out;
}

async function list(backend: NetworksBackend, ctx: RequestContext): Promise<void> {
  const f = parseFilters(ctx.query.get("filters"));
  checkFilterKeys(f, ["dangling", "driver", "id", "label", "name", "scope", "type"]);
  const nets = filterNetworks(backend.list(), f, (n) => backend.endpointsOf(n.id).length > 0);
  // Since API 1.28 the list leaves the containers out.
  ctx.json(
    200,
    nets.map((n) => toNetworkWire(n, [])),
  );
}

/** The create body as the domain's spec; what Berth cannot do is refused, not ignored. */
export function toCreateSpec(body: NetworkCreateBody): NetworkCreateSpec {
  const driver = body.Driver === undefined || body.Driver === "" ? "bridge" : body.Driver;
  if (body.Scope && body.Scope !== "local")
    throw notImplemented(`network scope ${body.Scope} is not supported`);
  if (body.Ingress) throw notImplemented("ingress networks need swarm mode, which is not supported");
  if (body.ConfigOnly || body.ConfigFrom?.Network)
    throw notImplemented("config-only networks are not supported");
  if (body.EnableIPv6) throw notImplemented("IPv6 networks are not supported");
  if (body.EnableIPv4 === false) throw notImplemented("networks without IPv4 are not supported");
  const ipam = body.IPAM ?? {};
  if (ipam.Driver && ipam.Driver !== "default") throw notFound(`plugin "${ipam.Driver}" not found`);
  if (ipam.Options && Object.keys(ipam.Options).length > 0)
    throw notImplemented("IPAM driver options are not supported");
  const configs = ipam.Config ?? [];
  if (configs.length > 1) throw notImplemented("more than one subnet per network is not supported");
  const c = configs[0];
  if (c && [c.Subnet, c.Gateway, c.IPRange].some((v) => v?.includes(":")))
    throw notImplemented("IPv6 networks are not supported");
  if (c?.AuxiliaryAddresses && Object.keys(c.AuxiliaryAddresses).length > 0)
    throw notImplemented("auxiliary addresses are not supported");
  return {
    name: body.Name ?? "",
    driver,
    internal: body.Internal === true,
    attachable: body.Attachable === true,
    ...(c?.Subnet ? { subnet: c.Subnet } : {}),
    ...(c?.Gateway ? { gateway: c.Gateway } : {}),
    ...(c?.IPRange ? { ipRange: c.IPRange } : {}),
    labels: { ...(body.Labels ?? {}) },
    options: { ...(body.Options ?? {}) },
  };
}

async function create(backend: NetworksBackend, ctx: RequestContext): Promise<void> {
  const body = await readJson(ctx.req);
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalid("invalid JSON: expected a network create object");
  const n = await backend.create(toCreateSpec(body));
  const res: NetworkCreateResponse = { Id: n.id, Warning: "" };
  ctx.json(201, res);
}

async function prune(backend: NetworksBackend, ctx: RequestContext): Promise<void> {
  const f = parseFilters(ctx.query.get("filters"));
  checkFilterKeys(f, ["until", "label", "label!"]);
  const untilValues = f.get("until") ?? [];
  if (untilValues.length > 1) throw invalid("more than one until filter specified");
  const until = untilValues[0] === undefined ? undefined : parseTimeFilter(untilValues[0], nowNano());
  const labels = f.get("label");
  const notLabels = f.get("label!");
  const removed = await backend.prune((n) => {
    if (until !== undefined && BigInt(Date.parse(n.created)) * 1_000_000n > until) return false;
    if (labels && !matchLabels(labels, n.labels)) return false;
    if (notLabels && matchLabels(notLabels, n.labels)) return false;
    return true;
  });
  // dockerd answers null, not [], when nothing was removed.
  const res: NetworkPruneResponse = {
    NetworksDeleted: removed.length > 0 ? removed.map((n) => n.name) : null,
  };
  ctx.json(200, res);
}

function nowNano(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
