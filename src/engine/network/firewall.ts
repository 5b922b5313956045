/**
 * Carries out firewall plans on the host: one iptables-restore per change.
 * `rebuild` reconciles everything at daemon start (after a firewall reload
 * wiped or duplicated rules): it reads iptables-save, deletes rules tagged with
 * the prefix that are no longer wanted and adds the missing ones. Removals read
 * the saved rules and delete them as saved, so they are exact and never fail
 * on a rule already gone. The FORWARD policy is never touched.
 */
import type { IptablesHost } from "../host/iptables.js";
import {
  baseRules,
  chainsOf,
  isOwnTag,
  networkRules,
  ownChains,
  parseSave,
  portRules,
  restoreText,
  ruleKey,
  tags,
  type BridgeRules,
  type FirewallConfig,
  type PortRule,
  type Rule,
  type SavedTable,
  type Table,
} from "./firewallPlan.js";

export class Firewall {
  constructor(
    private readonly host: IptablesHost,
    readonly config: FirewallConfig,
    /** false: rules are off (dockerd's --iptables=false); every method does nothing. */
    private readonly enabled = true,
  ) {
    chainsOf(config.prefix);
  }

  private async saved(): Promise<Record<Table, SavedTable>> {
    const [nat, filter] = await Promise.all([this.host.save("nat"), this.host.save("filter")]);
    return { nat: parseSave("nat", nat), filter: parseSave("filter", filter) };
  }

  /** Makes the host's rules exactly the wanted set for these networks and ports. */
  async rebuild(
    networks: readonly BridgeRules[],
    ports: ReadonlyMap<string, readonly PortRule[]>,
  ): Promise<void> {
    if (!this.enabled) return;
    const cfg = this.config;
    const saved = await this.saved();
    const own = ownChains(cfg.prefix);
    const user = chainsOf(cfg.prefix).user;
    const base = baseRules(cfg);
    const jumps = base.filter((r) => r.chain === "FORWARD");
    const want = [
      ...base.filter((r) => r.chain !== "FORWARD"),
      ...networks.flatMap((n) => networkRules(cfg, n)),
      ...[...ports].flatMap(([owner, list]) => portRules(cfg, owner, list)),
    ];
    const wantKeys = new Set([...want, ...jumps].map(ruleKey));
    const remove: Rule[] = [];
    const present = new Set<string>();
    for (const table of ["nat", "filter"] as const) {
      for (const r of saved[table].rules) {
        const key = ruleKey(r);
        // Rules people add to the USER chain are theirs; every other rule in our chains is ours.
        const ours = isOwnTag(cfg.prefix, r.comment) || (own[table].includes(r.chain) && r.chain !== user);
        if (!ours) continue;
        if (!wantKeys.has(key) || present.has(key)) remove.push(r);
        else present.add(key);
      }
    }
    // The three FORWARD jumps must stay first and in order: re-insert them all if one is missing.
    let insert: Rule[] = [];
    if (!jumps.every((j) => present.has(ruleKey(j)))) {
      for (const j of jumps) if (present.delete(ruleKey(j))) remove.push(j);
      insert = [...jumps].reverse();
    }
    const newChains = {
      nat: own.nat.filter((c) => !saved.nat.chains.has(c)),
      filter: own.filter.filter((c) => !saved.filter.chains.has(c)),
    };
    const add = want.filter((r) => !present.has(ruleKey(r)));
    const text = restoreText({ newChains, remove, add, insert });
    if (text !== "") await this.host.restore(text);
  }

  async addNetwork(n: BridgeRules): Promise<void> {
    if (!this.enabled) return;
    await this.host.restore(restoreText({ add: networkRules(this.config, n) }));
  }

  async removeNetwork(bridge: string): Promise<void> {
    await this.removeTagged(tags.network(this.config.prefix, bridge));
  }

  async addPorts(owner: string, ports: readonly PortRule[]): Promise<void> {
    if (!this.enabled || ports.length === 0) return;
    await this.host.restore(restoreText({ add: portRules(this.config, owner, ports) }));
  }

  async removePorts(owner: string): Promise<void> {
    await this.removeTagged(tags.ports(this.config.prefix, owner));
  }

  /** Deletes every rule and chain of this prefix (uninstall, tests). */
  async removeAll(): Promise<void> {
    if (!this.enabled) return;
    const saved = await this.saved();
    const own = ownChains(this.config.prefix);
    const remove = (["nat", "filter"] as const).flatMap((t) =>
      saved[t].rules.filter((r) => isOwnTag(this.config.prefix, r.comment) && !own[t].includes(r.chain)),
    );
    const deleteChains = {
      nat: own.nat.filter((c) => saved.nat.chains.has(c)),
      filter: own.filter.filter((c) => saved.filter.chains.has(c)),
    };
    const text = restoreText({ remove, deleteChains });
    if (text !== "") await this.host.restore(text);
  }

  /** Rules of this prefix now on the host, as comparable keys (for tests and leak checks). */
  async ownRules(): Promise<string[]> {
    const saved = await this.saved();
    const own = ownChains(this.config.prefix);
    return (["nat", "filter"] as const).flatMap((t) =>
      saved[t].rules
        .filter((r) => isOwnTag(this.config.prefix, r.comment) || own[t].includes(r.chain))
        .map(ruleKey),
    );
  }

  private async removeTagged(tag: string): Promise<void> {
    if (!this.enabled) return;
    const saved = await this.saved();
    const remove = [...saved.nat.rules, ...saved.filter.rules].filter((r) => r.comment === tag);
    if (remove.length > 0) await this.host.restore(restoreText({ remove }));
  }
}
