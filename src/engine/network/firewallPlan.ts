/**
 * The iptables rules of bridge networks and published ports, as data, in the
 * exact form `iptables-save` prints them, so the rules wanted and the rules
 * present can be compared as text. Laid out like Docker's: a nat chain for
 * DNAT jumped to from PREROUTING/OUTPUT, MASQUERADE per subnet in POSTROUTING,
 * and in filter a USER chain first in FORWARD, two isolation stages, then a
 * FORWARD chain of accepts. Every rule carries a comment that starts with the
 * caller's prefix (the tag), so removal deletes exactly what was added and
 * never touches Docker's or the host's own rules.
 */
import { invalid } from "../errors.js";

export type Table = "nat" | "filter";
export type Proto = "tcp" | "udp";

/** How 127.0.0.1:hostPort reaches a container. */
export type LocalhostMode = "route_localnet" | "proxy";

export interface FirewallConfig {
  /** Chain-name prefix, e.g. "BERTH"; also the first word of every rule's comment. */
  prefix: string;
  localhost: LocalhostMode;
}

export interface BridgeRules {
  bridge: string;
  /** CIDR. */
  subnet: string;
  internal: boolean;
  /** Inter-container communication on the bridge (Docker's enable_icc). */
  icc: boolean;
  /** Source NAT for traffic leaving the host (Docker's enable_ip_masquerade). */
  masquerade: boolean;
}

export interface PortRule {
  bridge: string;
  containerIp: string;
  containerPort: number;
  /** "0.0.0.0" for every host address. */
  hostIp: string;
  hostPort: number;
  proto: Proto;
}

/** One rule: `-A chain spec` in table. */
export interface Rule {
  table: Table;
  chain: string;
  spec: string;
}

export interface Chains {
  nat: string;
  user: string;
  forward: string;
  isolation1: string;
  isolation2: string;
  /** filter chain holding the ACCEPT of each published port. */
  ports: string;
}

export function chainsOf(prefix: string): Chains {
  if (!/^[A-Z][A-Z0-9_]{0,9}$/.test(prefix)) throw invalid(`bad iptables chain prefix: ${prefix}`);
  return {
    nat: prefix,
    user: `${prefix}-USER`,
    forward: `${prefix}-FORWARD`,
    isolation1: `${prefix}-ISOLATION-STAGE-1`,
    isolation2: `${prefix}-ISOLATION-STAGE-2`,
    ports: prefix,
  };
}

/** The chains Berth owns, per table. */
export function ownChains(prefix: string): Record<Table, string[]> {
  const c = chainsOf(prefix);
  return { nat: [c.nat], filter: [c.user, c.forward, c.isolation1, c.isolation2, c.ports] };
}

export const tags = {
  base: (prefix: string) => prefix,
  network: (prefix: string, bridge: string) => `${prefix}:net:${bridge}`,
  ports: (prefix: string, owner: string) => `${prefix}:port:${owner}`,
};

/** Whether a rule comment was written by this prefix. */
export function isOwnTag(prefix: string, comment: string | undefined): boolean {
  return comment === prefix || (comment?.startsWith(`${prefix}:`) ?? false);
}

const comment = (tag: string) => `-m comment --comment "${tag}"`;

/** Jumps from the built-in chains and the USER chain's final RETURN. */
export function baseRules(cfg: FirewallConfig): Rule[] {
  const c = chainsOf(cfg.prefix);
  const t = comment(tags.base(cfg.prefix));
  // From the host itself only when 127.0.0.1 is NATed too (route_localnet); the proxy serves it otherwise.
  const outputDst = cfg.localhost === "proxy" ? "! -d 127.0.0.0/8 " : "";
  return [
    { table: "nat", chain: "PREROUTING", spec: `-m addrtype --dst-type LOCAL ${t} -j ${c.nat}` },
    { table: "nat", chain: "OUTPUT", spec: `${outputDst}-m addrtype --dst-type LOCAL ${t} -j ${c.nat}` },
    { table: "filter", chain: "FORWARD", spec: `${t} -j ${c.user}` },
    { table: "filter", chain: "FORWARD", spec: `${t} -j ${c.isolation1}` },
    { table: "filter", chain: "FORWARD", spec: `${t} -j ${c.forward}` },
    { table: "filter", chain: c.user, spec: `${t} -j RETURN` },
  ];
}

export function networkRules(cfg: FirewallConfig, n: BridgeRules): Rule[] {
  const c = chainsOf(cfg.prefix);
  const t = comment(tags.network(cfg.prefix, n.bridge));
  const b = n.bridge;
  const rules: Rule[] = [];
  const nat = (chain: string, spec: string) => rules.push({ table: "nat", chain, spec });
  const filter = (chain: string, spec: string) => rules.push({ table: "filter", chain, spec });
  if (n.internal) {
    filter(c.isolation1, `! -s ${n.subnet} -o ${b} ${t} -j DROP`);
    filter(c.isolation1, `! -d ${n.subnet} -i ${b} ${t} -j DROP`);
    filter(c.forward, `-i ${b} -o ${b} ${t} -j ${n.icc ? "ACCEPT" : "DROP"}`);
    return rules;
  }
  if (n.masquerade) nat("POSTROUTING", `-s ${n.subnet} ! -o ${b} ${t} -j MASQUERADE`);
  if (cfg.localhost === "proxy") nat(c.nat, `-i ${b} ${t} -j RETURN`);
  // 127.0.0.1 (and host addresses, for hairpin) as source must be rewritten to the bridge address.
  else nat("POSTROUTING", `-o ${b} -m addrtype --src-type LOCAL ${t} -j MASQUERADE`);
  filter(c.forward, `-o ${b} -m conntrack --ctstate RELATED,ESTABLISHED ${t} -j ACCEPT`);
  filter(c.forward, `-o ${b} ${t} -j ${c.ports}`);
  filter(c.forward, `-i ${b} ! -o ${b} ${t} -j ACCEPT`);
  filter(c.forward, `-i ${b} -o ${b} ${t} -j ${n.icc ? "ACCEPT" : "DROP"}`);
  filter(c.isolation1, `-i ${b} ! -o ${b} ${t} -j ${c.isolation2}`);
  filter(c.isolation2, `-o ${b} ${t} -j DROP`);
  return rules;
}

/** DNAT, hairpin MASQUERADE and forward ACCEPT of published ports; owner names them for removal. */
export function portRules(cfg: FirewallConfig, owner: string, ports: readonly PortRule[]): Rule[] {
  const c = chainsOf(cfg.prefix);
  const t = comment(tags.ports(cfg.prefix, owner));
  const rules: Rule[] = [];
  for (const p of ports) {
    const match = `-p ${p.proto} -m ${p.proto}`;
    const dst = p.hostIp === "0.0.0.0" ? "" : `-d ${p.hostIp}/32 `;
    // With the proxy, traffic from the bridge itself goes through it (Docker's `! -i docker0`).
    const notBridge = cfg.localhost === "proxy" ? `! -i ${p.bridge} ` : "";
    rules.push({
      table: "nat",
      chain: c.nat,
      spec: `${dst}${notBridge}${match} --dport ${p.hostPort} ${t} -j DNAT --to-destination ${p.containerIp}:${p.containerPort}`,
    });
    rules.push({
      table: "nat",
      chain: "POSTROUTING",
      spec: `-s ${p.containerIp}/32 -d ${p.containerIp}/32 ${match} --dport ${p.containerPort} ${t} -j MASQUERADE`,
    });
    rules.push({
      table: "filter",
      chain: c.ports,
      spec: `-d ${p.containerIp}/32 ! -i ${p.bridge} -o ${p.bridge} ${match} --dport ${p.containerPort} ${t} -j ACCEPT`,
    });
  }
  return rules;
}

/** The whole rule set for a state of networks and published ports. */
export function desiredRules(
  cfg: FirewallConfig,
  networks: readonly BridgeRules[],
  ports: ReadonlyMap<string, readonly PortRule[]>,
): Rule[] {
  return [
    ...baseRules(cfg),
    ...networks.flatMap((n) => networkRules(cfg, n)),
    ...[...ports].flatMap(([owner, list]) => portRules(cfg, owner, list)),
  ];
}

/** Restore text for one change: chains to create, rules to delete then append; built-in jumps inserted on top. */
export function restoreText(change: {
  newChains?: Partial<Record<Table, readonly string[]>>;
  remove?: readonly Rule[];
  add?: readonly Rule[];
  /** Rules inserted at position 1, in the order given (the last one ends up first). */
  insert?: readonly Rule[];
  deleteChains?: Partial<Record<Table, readonly string[]>>;
}): string {
  const out: string[] = [];
  for (const table of ["nat", "filter"] as const) {
    const lines: string[] = [];
    for (const ch of change.newChains?.[table] ?? []) lines.push(`:${ch} - [0:0]`);
    for (const r of change.remove ?? []) if (r.table === table) lines.push(`-D ${r.chain} ${r.spec}`);
    for (const r of change.add ?? []) if (r.table === table) lines.push(`-A ${r.chain} ${r.spec}`);
    for (const r of change.insert ?? []) if (r.table === table) lines.push(`-I ${r.chain} 1 ${r.spec}`);
    for (const ch of change.deleteChains?.[table] ?? []) lines.push(`-F ${ch}`);
    for (const ch of change.deleteChains?.[table] ?? []) lines.push(`-X ${ch}`);
    if (lines.length > 0) out.push(`*${table}`, ...lines, "COMMIT");
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}

/** A saved rule line reduced to a comparable form (quotes dropped). */
export function ruleKey(r: Rule): string {
  return `${r.table} ${r.chain} ${r.spec.replaceAll('"', "")}`;
}

export interface SavedTable {
  chains: Set<string>;
  rules: (Rule & { comment: string | undefined })[];
}

/** Parses `iptables-save -t table` output. */
export function parseSave(table: Table, text: string): SavedTable {
  const chains = new Set<string>();
  const rules: SavedTable["rules"] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith(":")) chains.add(line.slice(1).split(" ")[0] ?? "");
    const m = /^-A (\S+) (.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined) {
      const c = /--comment (?:"((?:[^"\\]|\\.)*)"|(\S+))/.exec(m[2]);
      rules.push({ table, chain: m[1], spec: m[2], comment: c ? (c[1] ?? c[2]) : undefined });
    }
  }
  return { chains, rules };
}
