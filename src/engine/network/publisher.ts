/**
 * Published ports of containers: host ports from the allocator, DNAT rules,
 * and per port a userland proxy ("proxy" localhost mode) or else a socket
 * that only holds the port on the host while DNAT carries the traffic. One owner
 * (the container ID) tags all of a container's rules, so unpublishing removes
 * exactly those.
 */
import { conflict } from "../errors.js";
import { log } from "../log.js";
import type { Firewall } from "./firewall.js";
import type { LocalhostMode, PortRule } from "./firewallPlan.js";
import type { PortAllocator } from "./portAllocator.js";
import { startPortProxy, type PortProxy } from "./portProxy.js";
import { reservePort } from "./portReservation.js";
import type { NetworkStore, PublishedRow } from "./store.js";
import type { PortBinding, PortRequest } from "./types.js";
import { Undo } from "../undo.js";

export class PortPublisher {
  private readonly rows = new Map<string, PublishedRow>();
  /** Per container: its proxies, or the sockets holding its ports. */
  private readonly holders = new Map<string, PortProxy[]>();

  constructor(
    private readonly store: NetworkStore,
    private readonly firewall: Firewall,
    private readonly allocator: PortAllocator,
    private readonly localhost: LocalhostMode,
  ) {
    for (const row of store.published()) this.rows.set(row.containerId, row);
  }

  rulesByOwner(): Map<string, PortRule[]> {
    return new Map([...this.rows].map(([owner, row]) => [owner, row.rules]));
  }

  bindings(containerId: string): PortBinding[] {
    return this.rows.get(containerId)?.bindings ?? [];
  }

  bridgeOf(containerId: string): string | undefined {
    return this.rows.get(containerId)?.rules[0]?.bridge;
  }

  /** Holds the ports again and restarts proxies after a daemon restart (rules come from rebuild). */
  async restore(): Promise<void> {
    for (const row of this.rows.values()) {
      for (const b of row.bindings) this.allocator.restore(row.containerId, b);
      // A port taken meanwhile by another process must not stop the daemon: DNAT still serves it.
      try {
        this.holders.set(row.containerId, await this.hold(row.rules));
      } catch (e) {
        log.warn(`ports of container ${row.containerId}: ${(e as Error).message}`);
      }
    }
  }

  async publish(
    containerId: string,
    bridge: string,
    containerIp: string,
    ports: readonly PortRequest[],
  ): Promise<PortBinding[]> {
    if (this.rows.has(containerId)) throw conflict(`ports of container ${containerId} are already published`);
    if (ports.length === 0) return [];
    return Undo.run(async (undo) => {
      undo.push("host ports", () => this.allocator.release(containerId));
      const bindings: PortBinding[] = [];
      const rules: PortRule[] = [];
      for (const p of ports) {
        const hp = await this.allocator.allocate(containerId, {
          proto: p.proto,
          ...(p.hostIp !== undefined ? { hostIp: p.hostIp } : {}),
          ...(p.hostPort !== undefined ? { hostPort: p.hostPort } : {}),
          ...(p.hostPortEnd !== undefined ? { hostPortEnd: p.hostPortEnd } : {}),
        });
        bindings.push({
          containerPort: p.containerPort,
          proto: p.proto,
          hostIp: hp.hostIp,
          hostPort: hp.hostPort,
        });
        rules.push({
          bridge,
          containerIp,
          containerPort: p.containerPort,
          hostIp: hp.hostIp,
          hostPort: hp.hostPort,
          proto: p.proto,
        });
      }
      this.holders.set(containerId, await this.hold(rules, undo));
      undo.push("port holders", () => this.holders.delete(containerId));
      await this.firewall.addPorts(containerId, rules);
      undo.push("port rules", () => this.firewall.removePorts(containerId));
      const row = { containerId, bindings, rules };
      this.store.insertPublished(row);
      this.rows.set(containerId, row);
      return bindings;
    });
  }

  async unpublish(containerId: string): Promise<void> {
    const holders = this.holders.get(containerId) ?? [];
    this.holders.delete(containerId);
    await Promise.all(holders.map((p) => p.close()));
    if (this.rows.has(containerId)) await this.firewall.removePorts(containerId);
    this.allocator.release(containerId);
    this.store.deletePublished(containerId);
    this.rows.delete(containerId);
  }

  async close(): Promise<void> {
    const all = [...this.holders.values()].flat();
    this.holders.clear();
    await Promise.all(all.map((p) => p.close()));
  }

  /** One holder per rule; on a failure the ones already made are closed (by undo when given). */
  private async hold(rules: readonly PortRule[], undo?: Undo): Promise<PortProxy[]> {
    if (!undo) return Undo.run((u) => this.hold(rules, u));
    const out: PortProxy[] = [];
    for (const r of rules) {
      const holder =
        this.localhost === "proxy"
          ? await startPortProxy({
              proto: r.proto,
              hostIp: r.hostIp,
              hostPort: r.hostPort,
              targetIp: r.containerIp,
              targetPort: r.containerPort,
            })
          : await reservePort(r.proto, r.hostIp, r.hostPort);
      out.push(holder);
      undo?.push("port holder", () => holder.close());
    }
    return out;
  }
}
