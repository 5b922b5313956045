/**
 * The network service: bridge networks (plus the `host` and `none`
 * pseudo-networks), container endpoints in named netns, published ports and
 * the per-network DNS servers. Every multi-step change keeps an undo stack,
 * so a failure part-way leaves no bridge, veth, netns, rule, address or row.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Db } from "../store/index.js";
import { conflict, forbidden, invalid, notFound, notImplemented } from "../errors.js";
import { messages } from "../messages.js";
import { newHexId } from "../ids.js";
import type { IpCommand, IpHost } from "../host/ip.js";
import type { NetnsHost } from "../host/netns.js";
import type { IptablesHost } from "../host/iptables.js";
import { Ipam, macForIp, type AddressPool } from "./ipam.js";
import { formatIp, parseIp, parseSubnet, type Subnet } from "./ipv4.js";
import { Firewall } from "./firewall.js";
import type { BridgeRules, LocalhostMode } from "./firewallPlan.js";
import { bridgeUpPlan, endpointHostPlan, endpointInsidePlan, linkDeletePlan } from "./linkPlan.js";
import { DnsServer, type Upstream } from "./dnsServer.js";
import { DnsTable } from "./dnsTable.js";
import { netMessages } from "./messages.js";
import { KeyedLock } from "../keyedLock.js";
import { Undo } from "../undo.js";
import { NetworkStore } from "./store.js";
import { PortPublisher } from "./publisher.js";
import { PortAllocator } from "./portAllocator.js";
import type {
  ConnectOptions,
  ConnectResult,
  Endpoint,
  Network,
  NetworkCreateSpec,
  NetworkDriver,
  NetworkId,
  PortBinding,
  PortRequest,
} from "./types.js";

export interface NetworkServiceDeps {
  db: Db;
  ip: IpHost;
  netns: NetnsHost;
  iptables: IptablesHost;
  /** Netns files go to <execRoot>/netns/<container id>. */
  execRoot: string;
  /** iptables chain prefix and rule tag, e.g. "BERTH". */
  chainPrefix: string;
  /** Linux bridge of the default network, e.g. "berth0". */
  defaultBridge: string;
  /** Subnet of the default network; default: the first free Docker pool (172.17.0.0/16). */
  defaultSubnet?: string;
  /** Gateway (bridge address) of the default network, inside defaultSubnet (dockerd's --bip). */
  defaultGateway?: string;
  /** The daemon's default-address-pool list; Docker's pools when absent. */
  addressPools?: readonly AddressPool[];
  /** false (dockerd's --iptables=false): no rule is ever added or removed; ports use the proxy. */
  iptablesEnabled?: boolean;
  /** Told of network create, destroy, connect and disconnect once they are committed. */
  events?: NetworkEvents;
  /** User networks get `<bridgePrefix><id…>` bridges, 15 characters in all; default "br-". */
  bridgePrefix?: string;
  localhost: LocalhostMode;
  hostRoutes: () => Subnet[];
  /** Resolvers the DNS servers forward to. */
  upstreams: () => readonly Upstream[];
  /** DNS port on the gateways; 53 in production. */
  dnsPort?: number;
  ports?: PortAllocator;
}

/** Where the service reports its changes (the engine's event bus fits). */
export interface NetworkEvents {
  publish(e: {
    type: "network";
    action: string;
    actorId: string;
    attributes: Record<string, string>;
  }): unknown;
}

const predefined = new Set(["bridge", "host", "none"]);

/** Docker's IsPredefined: these networks cannot be created or removed by users. */
export function isPredefinedNetwork(name: string): boolean {
  return predefined.has(name);
}
const nameRe = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export class NetworkService {
  private readonly store: NetworkStore;
  private readonly ipam: Ipam;
  private readonly firewall: Firewall;
  private readonly publisher: PortPublisher;
  private readonly networks = new Map<NetworkId, Network>();
  private readonly endpoints: Endpoint[] = [];
  private readonly dns = new Map<NetworkId, { table: DnsTable; server: DnsServer }>();
  private readonly locks = new KeyedLock();
  private readonly localhost: LocalhostMode;

  constructor(private readonly deps: NetworkServiceDeps) {
    this.store = new NetworkStore(deps.db);
    this.ipam = new Ipam(deps.db, deps.hostRoutes, deps.addressPools);
    const rules = deps.iptablesEnabled !== false;
    // Without NAT rules only the userland proxy can publish ports.
    this.localhost = rules ? deps.localhost : "proxy";
    this.firewall = new Firewall(
      deps.iptables,
      { prefix: deps.chainPrefix, localhost: this.localhost },
      rules,
    );
    this.publisher = new PortPublisher(
      this.store,
      this.firewall,
      deps.ports ?? new PortAllocator(),
      this.localhost,
    );
  }

  /** Loads state, creates the predefined networks, brings bridges, rules, DNS and proxies back. */
  async init(): Promise<void> {
    for (const n of this.store.networks()) this.networks.set(n.id, n);
    this.endpoints.push(...this.store.endpoints());
    this.deps.netns.prepareDir(join(this.deps.execRoot, "netns"));
    for (const n of this.networks.values()) if (n.bridge) await this.ensureBridge(n);
    // Reconcile first: it also creates the chains a new network's rules go into.
    await this.firewall.rebuild(this.bridgeRules(), this.publisher.rulesByOwner());
    if (!this.byName("bridge")) {
      await this.createNetwork(
        {
          name: "bridge",
          driver: "bridge",
          ...(this.deps.defaultSubnet ? { subnet: this.deps.defaultSubnet } : {}),
          ...(this.deps.defaultGateway ? { gateway: this.deps.defaultGateway } : {}),
        },
        { bridgeName: this.deps.defaultBridge, isDefault: true },
      );
    }
    if (!this.byName("host")) this.addPseudo("host", "host");
    if (!this.byName("none")) this.addPseudo("none", "null");
    for (const n of this.networks.values())
      if (n.bridge && !n.bridge.isDefault && !this.dns.has(n.id)) await this.startDns(n);
    await this.publisher.restore();
  }

  /** Stops DNS servers and proxies; bridges, rules and netns stay for the running containers. */
  async close(): Promise<void> {
    await Promise.all([...this.dns.values()].map((d) => d.server.close()));
    this.dns.clear();
    await this.publisher.close();
  }

  list(): Network[] {
    return [...this.networks.values()];
  }

  /** A network by full ID, name, or unique ID prefix. */
  resolve(ref: string): Network {
    const exact = this.networks.get(ref as NetworkId) ?? this.byName(ref);
    if (exact) return exact;
    const matches = ref.length > 0 ? this.list().filter((n) => n.id.startsWith(ref)) : [];
    if (matches.length === 1 && matches[0]) return matches[0];
    if (matches.length > 1)
      throw invalid(`network ${ref} is ambiguous (${matches.length} matches found based on ID prefix)`);
    throw notFound(messages.noSuchNetwork(ref));
  }

  endpointsOf(networkId: NetworkId): Endpoint[] {
    return this.endpoints.filter((e) => e.networkId === networkId);
  }

  containerEndpoints(containerId: string): Endpoint[] {
    return this.endpoints.filter((e) => e.containerId === containerId);
  }

  async create(spec: NetworkCreateSpec): Promise<Network> {
    const driver = spec.driver ?? "bridge";
    if (predefined.has(spec.name)) throw forbidden(netMessages.predefinedOperation(spec.name));
    if (driver === "host" || driver === "null")
      throw forbidden(`only one instance of "${driver}" network is allowed`);
    if (["overlay", "macvlan", "ipvlan"].includes(driver))
      throw notImplemented(`network driver ${driver} is not supported`);
    if (driver !== "bridge") throw notFound(netMessages.driverNotSupported(driver));
    if (spec.name === "") throw invalid("invalid name: ");
    if (!nameRe.test(spec.name)) throw invalid(`invalid network name "${spec.name}"`);
    const n = await this.locks.run(`name:${spec.name}`, () => this.createNetwork(spec, {}));
    this.emit("create", n);
    return n;
  }

  async remove(ref: string): Promise<void> {
    const n = this.resolve(ref);
    if (predefined.has(n.name)) throw forbidden(netMessages.predefinedNetwork(n.name));
    await this.locks.run(`name:${n.name}`, async () => {
      if (this.endpointsOf(n.id).length > 0) throw forbidden(netMessages.activeEndpoints(n.name, n.id));
      const d = this.dns.get(n.id);
      this.dns.delete(n.id);
      await d?.server.close();
      if (n.bridge) {
        await this.firewall.removeNetwork(n.bridge.name);
        if (this.deps.ip.linkExists(n.bridge.name)) await this.deps.ip.batch(linkDeletePlan(n.bridge.name));
      }
      this.ipam.releasePool(n.id);
      this.store.deleteNetwork(n.id);
      this.networks.delete(n.id);
    });
    this.emit("destroy", n);
  }

  /**
   * Removes every user-defined network without endpoints that `match` accepts;
   * returns the removed ones. A network that fails to go is skipped, as in Docker.
   */
  async prune(match: (n: Network) => boolean): Promise<Network[]> {
    const removed: Network[] = [];
    for (const n of this.list()) {
      if (predefined.has(n.name) || this.endpointsOf(n.id).length > 0 || !match(n)) continue;
      try {
        await this.remove(n.id);
        removed.push(n);
      } catch {
        // Docker logs and goes on: a container may have joined meanwhile.
      }
    }
    return removed;
  }

  /** Attaches a container (creating its netns if needed) to a network. */
  async connect(containerId: string, ref: string, opts: ConnectOptions): Promise<ConnectResult> {
    const n = this.resolve(ref);
    const result = await this.attach(containerId, n, opts);
    this.emit("connect", n, containerId);
    return result;
  }

  private attach(containerId: string, n: Network, opts: ConnectOptions): Promise<ConnectResult> {
    let answer: (r: ConnectResult) => void = () => undefined;
    const early = new Promise<ConnectResult>((resolve) => (answer = resolve));
    let done: { ok: () => void; fail: (err: unknown) => void } = {
      ok: () => undefined,
      fail: () => undefined,
    };
    const ready = new Promise<void>((ok, fail) => (done = { ok, fail }));
    // Whoever got the early answer awaits `ready`; the others get the attach's own rejection.
    ready.catch(() => undefined);
    const whole = this.locks.run(`ctr:${containerId}`, () =>
      Undo.run(async (undo): Promise<ConnectResult> => {
        const mine = this.containerEndpoints(containerId);
        if (mine.some((e) => e.networkId === n.id))
          throw forbidden(netMessages.alreadyConnected(opts.containerName, n.name));
        const onHost = mine.some((e) => this.networks.get(e.networkId)?.driver === "host");
        if ((n.driver === "host" && mine.length > 0) || onHost)
          throw forbidden(netMessages.hostNetworkExclusive());
        const ep: Endpoint = {
          networkId: n.id,
          containerId,
          containerName: opts.containerName,
          endpointId: newHexId(),
          aliases: [...(opts.aliases ?? [])],
        };
        const netnsPath = n.driver === "host" ? null : this.netnsPath(containerId);
        if (netnsPath !== null && !this.deps.netns.exists(netnsPath)) {
          if (!n.bridge) {
            await this.deps.netns.create(netnsPath);
            undo.push("netns", () => this.deps.netns.remove(netnsPath));
          }
        }
        let bridgePort: IpCommand[] = [];
        if (n.bridge && netnsPath !== null)
          bridgePort = await this.attachBridge(n, ep, netnsPath, opts, undo);
        this.store.insertEndpoint(ep);
        undo.push("endpoint record", () => this.store.deleteEndpoint(n.id, containerId));
        const dns = this.dns.get(n.id);
        dns?.table.set({
          owner: containerId,
          ipv4: ep.ip ?? "",
          names: [opts.containerName, containerId.slice(0, 12), ...ep.aliases],
        });
        this.endpoints.push(ep);
        undo.push("endpoint", () => {
          dns?.table.remove(containerId);
          const i = this.endpoints.indexOf(ep);
          if (i >= 0) this.endpoints.splice(i, 1);
        });
        const result: ConnectResult = {
          ...ep,
          netnsPath,
          ...(dns && n.bridge ? { dnsServer: n.bridge.gateway } : {}),
          ready,
        };
        // The lock stays held until the port is up: a detach or another attach waits for it.
        if (opts.bridgePortLater) answer(result);
        await this.deps.ip.batch(bridgePort);
        return result;
      }),
    );
    whole.then(
      () => done.ok(),
      (err: unknown) => done.fail(err),
    );
    return opts.bridgePortLater ? Promise.race([early, whole]) : whole;
  }

  async disconnect(containerId: string, ref: string): Promise<void> {
    const n = this.resolve(ref);
    await this.locks.run(`ctr:${containerId}`, async () => {
      const ep = this.endpoints.find((e) => e.containerId === containerId && e.networkId === n.id);
      if (!ep) throw notFound(netMessages.notConnected(containerId, n.name));
      if (this.publisher.bridgeOf(containerId) === n.bridge?.name)
        await this.publisher.unpublish(containerId);
      if (ep.hostIf && this.deps.ip.linkExists(ep.hostIf))
        await this.deps.ip.batch(linkDeletePlan(ep.hostIf));
      if (ep.ip) this.ipam.release(n.id, parseIp(ep.ip));
      this.dns.get(n.id)?.table.remove(containerId);
      this.store.deleteEndpoint(n.id, containerId);
      this.endpoints.splice(this.endpoints.indexOf(ep), 1);
    });
    this.emit("disconnect", n, containerId);
  }

  /** Publishes ports of a container on its first bridge network. */
  publish(containerId: string, ports: readonly PortRequest[]): Promise<PortBinding[]> {
    return this.locks.run(`ctr:${containerId}`, async () => {
      const ep = this.containerEndpoints(containerId).find((e) => e.ip !== undefined);
      const n = ep && this.networks.get(ep.networkId);
      if (!ep?.ip || !n?.bridge)
        throw invalid(`container ${containerId} has no bridge network to publish ports on`);
      return this.publisher.publish(containerId, n.bridge.name, ep.ip, ports);
    });
  }

  unpublish(containerId: string): Promise<void> {
    return this.locks.run(`ctr:${containerId}`, () => this.publisher.unpublish(containerId));
  }

  published(containerId: string): PortBinding[] {
    return this.publisher.bindings(containerId);
  }

  /** Tears down everything of a container: ports, endpoints, netns. */
  async releaseSandbox(containerId: string): Promise<void> {
    await this.unpublish(containerId);
    for (const ep of this.containerEndpoints(containerId)) await this.disconnect(containerId, ep.networkId);
    this.deps.netns.remove(this.netnsPath(containerId));
  }

  netnsPath(containerId: string): string {
    if (!/^[a-f0-9]{12,64}$/.test(containerId)) throw invalid(`invalid container ID: ${containerId}`);
    return join(this.deps.execRoot, "netns", containerId);
  }

  /** Removes every rule of this service's chain prefix (uninstall and tests). */
  async removeAllRules(): Promise<void> {
    await this.firewall.removeAll();
  }

  /**
   * Takes everything this service put on the host away: the bridges of its
   * networks, every rule and chain of its prefix, the netns directory's mount.
   * The records stay, so a later init() brings it all back. For tests and
   * uninstall (berthd --cleanup-network-on-exit), after close().
   */
  async removeHostState(): Promise<void> {
    for (const n of this.list()) {
      if (n.bridge && this.deps.ip.linkExists(n.bridge.name))
        await this.deps.ip.batch(linkDeletePlan(n.bridge.name));
    }
    await this.firewall.removeAll();
    this.deps.netns.releaseDir(join(this.deps.execRoot, "netns"));
  }

  private emit(action: string, n: Network, containerId?: string): void {
    this.deps.events?.publish({
      type: "network",
      action,
      actorId: n.id,
      attributes: { ...(containerId ? { container: containerId } : {}), name: n.name, type: n.driver },
    });
  }

  private byName(name: string): Network | undefined {
    return this.list().find((n) => n.name === name);
  }

  private addPseudo(name: string, driver: NetworkDriver): void {
    const n: Network = {
      id: newHexId() as NetworkId,
      name,
      driver,
      created: new Date().toISOString(),
      internal: false,
      labels: {},
      options: {},
    };
    this.store.insertNetwork(n);
    this.networks.set(n.id, n);
  }

  private async createNetwork(
    spec: NetworkCreateSpec,
    how: { bridgeName?: string; isDefault?: boolean },
  ): Promise<Network> {
    if (this.byName(spec.name)) throw conflict(netMessages.networkExists(spec.name));
    return Undo.run(async (undo) => {
      const id = newHexId() as NetworkId;
      const options = spec.options ?? {};
      const pool = this.ipam.requestPool(id, {
        ...(spec.subnet !== undefined ? { subnet: spec.subnet } : {}),
        ...(spec.gateway !== undefined ? { gateway: spec.gateway } : {}),
        ...(spec.ipRange !== undefined ? { ipRange: spec.ipRange } : {}),
      });
      undo.push("address pool", () => this.ipam.releasePool(id));
      const prefix = this.deps.bridgePrefix ?? "br-";
      const name =
        options["com.docker.network.bridge.name"] ??
        how.bridgeName ??
        `${prefix}${id.slice(0, 15 - prefix.length)}`;
      if (name.length > 15 || !/^[a-zA-Z0-9_.-]+$/.test(name)) throw invalid(`invalid bridge name: ${name}`);
      const mtu = Number(options["com.docker.network.driver.mtu"] ?? 1500);
      if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535)
        throw invalid(`invalid MTU: ${options["com.docker.network.driver.mtu"]}`);
      const n: Network = {
        id,
        name: spec.name,
        driver: "bridge",
        created: new Date().toISOString(),
        internal: spec.internal ?? false,
        ...(spec.attachable ? { attachable: true } : {}),
        labels: spec.labels ?? {},
        options,
        bridge: {
          name,
          subnet: `${formatIp(pool.subnet.base)}/${pool.subnet.prefix}`,
          gateway: formatIp(pool.gateway),
          ...(spec.ipRange !== undefined ? { ipRange: spec.ipRange } : {}),
          ...(spec.subnet !== undefined ? { userSubnet: true } : {}),
          ...(spec.gateway !== undefined ? { userGateway: true } : {}),
          mtu,
          icc: options["com.docker.network.bridge.enable_icc"] !== "false",
          masquerade: options["com.docker.network.bridge.enable_ip_masquerade"] !== "false",
          isDefault: how.isDefault ?? false,
        },
      };
      if (this.deps.ip.linkExists(name)) throw conflict(`bridge ${name} already exists on the host`);
      await this.ensureBridge(n);
      undo.push("bridge", () => this.deps.ip.batch(linkDeletePlan(name)));
      await this.firewall.addNetwork(this.rulesOf(n));
      undo.push("network rules", () => this.firewall.removeNetwork(name));
      if (!n.bridge?.isDefault) {
        await this.startDns(n);
        undo.push("dns server", async () => {
          await this.dns.get(id)?.server.close();
          this.dns.delete(id);
        });
      }
      this.store.insertNetwork(n);
      this.networks.set(id, n);
      return n;
    });
  }

  private async ensureBridge(n: Network): Promise<void> {
    const b = n.bridge;
    if (!b) return;
    if (!this.deps.ip.linkExists(b.name)) {
      await this.deps.ip.batch(
        bridgeUpPlan({
          name: b.name,
          mtu: b.mtu,
          gatewayCidr: `${b.gateway}/${parseSubnet(b.subnet).prefix}`,
        }),
      );
    }
    if (this.localhost === "route_localnet")
      this.deps.ip.setSysctl(`net/ipv4/conf/${b.name}/route_localnet`, "1");
  }

  private async startDns(n: Network): Promise<void> {
    if (!n.bridge) return;
    const table = new DnsTable(n.name);
    for (const e of this.endpointsOf(n.id)) {
      if (e.ip)
        table.set({
          owner: e.containerId,
          ipv4: e.ip,
          names: [e.containerName, e.containerId.slice(0, 12), ...e.aliases],
        });
    }
    // Internal networks resolve their own names only: nothing leaves them.
    const upstreams = n.internal ? () => [] : this.deps.upstreams;
    const server = new DnsServer({
      address: n.bridge.gateway,
      port: this.deps.dnsPort ?? 53,
      table,
      upstreams,
    });
    await server.start();
    this.dns.set(n.id, { table, server });
  }

  private async attachBridge(
    n: Network,
    ep: Endpoint,
    netnsPath: string,
    opts: ConnectOptions,
    undo: Undo,
  ): Promise<IpCommand[]> {
    const b = n.bridge!;
    const ip = this.ipam.allocate(n.id, ep.containerId, {
      ...(opts.ip ? { ip: opts.ip } : {}),
      networkName: n.name,
    });
    undo.push("address", () => this.ipam.release(n.id, ip));
    const mine = this.containerEndpoints(ep.containerId).filter((e) => e.ifName);
    const used = new Set(mine.map((e) => e.ifName));
    let idx = 0;
    while (used.has(`eth${idx}`)) idx++;
    const prefixLen = parseSubnet(b.subnet).prefix;
    Object.assign(ep, {
      ifName: `eth${idx}`,
      hostIf: `veth${randomBytes(4).toString("hex").slice(0, 7)}`,
      ip: formatIp(ip),
      prefixLen,
      mac: opts.mac ?? macForIp(ip),
      gateway: b.gateway,
    });
    const links = {
      ifName: ep.ifName!,
      hostIf: ep.hostIf!,
      bridge: b.name,
      mac: ep.mac!,
      mtu: b.mtu,
      cidr: `${ep.ip}/${prefixLen}`,
      hostNetnsPath: `/proc/${process.pid}/ns/net`,
      ...(mine.length === 0 && !n.internal ? { defaultGateway: b.gateway } : {}),
    };
    if (this.deps.netns.exists(netnsPath)) {
      await this.deps.ip.batch(endpointInsidePlan(links), netnsPath);
    } else {
      await this.deps.netns.create(netnsPath, endpointInsidePlan(links));
      undo.push("netns", () => this.deps.netns.remove(netnsPath));
    }
    undo.push("host veth", async () => {
      if (this.deps.ip.linkExists(links.hostIf)) await this.deps.ip.batch(linkDeletePlan(links.hostIf));
    });
    // The host side (the port on the bridge, up) is the caller's last step.
    return endpointHostPlan(links);
  }

  private rulesOf(n: Network): BridgeRules {
    const b = n.bridge!;
    return { bridge: b.name, subnet: b.subnet, internal: n.internal, icc: b.icc, masquerade: b.masquerade };
  }

  private bridgeRules(): BridgeRules[] {
    return this.list()
      .filter((n) => n.bridge)
      .map((n) => this.rulesOf(n));
  }
}
