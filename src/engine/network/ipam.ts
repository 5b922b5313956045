/**
 * IP address management, like libnetwork's default IPAM: each network gets one
 * IPv4 pool (Docker's default pools, skipping subnets routed on the host or held
 * by other networks, or the user's --subnet), the gateway takes the first host
 * address, and containers get addresses serially (next after the last handed
 * out, wrapping), so a just-freed address is not reused at once. State lives
 * in SQLite; an in-memory copy answers reads.
 */
import type { Db, ModuleSchema } from "../store/index.js";
import { forbidden, invalid, unavailable, notFound } from "../errors.js";
import {
  broadcast,
  contains,
  formatIp,
  formatSubnet,
  ipBytes,
  overlaps,
  parseIp,
  parseSubnet,
  within,
  type Subnet,
} from "./ipv4.js";
import { netMessages } from "./messages.js";

export const ipamSchema: ModuleSchema = {
  module: "ipam",
  migrations: [
    `CREATE TABLE ipam_pools (
       network_id TEXT PRIMARY KEY, subnet TEXT NOT NULL, gateway TEXT NOT NULL,
       ip_range TEXT, user_subnet INTEGER NOT NULL, last_ip TEXT);
     CREATE TABLE ipam_addresses (
       network_id TEXT NOT NULL REFERENCES ipam_pools(network_id) ON DELETE CASCADE,
       ip TEXT NOT NULL, owner TEXT NOT NULL, PRIMARY KEY (network_id, ip));`,
  ],
};

export interface PoolRequest {
  subnet?: string;
  gateway?: string;
  ipRange?: string;
}

export interface Pool {
  subnet: Subnet;
  gateway: number;
  /** Where dynamic addresses come from (the subnet when no --ip-range). */
  range: Subnet;
  /** The user chose the subnet (static --ip is allowed only then, as in Docker). */
  userSubnet: boolean;
}

/** One `--default-address-pool base=…,size=…`: `base` cut into subnets of prefix `size`. */
export interface AddressPool {
  base: string;
  size: number;
}

/**
 * The default address pools: the daemon's `default-address-pool` list when
 * given, else Docker's 172.17-31.0.0/16, then 192.168.0.0/16 cut in /20s.
 */
export function* defaultPools(custom?: readonly AddressPool[]): Generator<Subnet> {
  if (custom && custom.length > 0) {
    for (const p of custom) {
      const base = parseSubnet(p.base);
      if (!Number.isInteger(p.size) || p.size < base.prefix || p.size > 30)
        throw invalid(`invalid default address pool ${p.base} with size ${p.size}`);
      const step = 2 ** (32 - p.size);
      for (let n = 0; n < 2 ** (p.size - base.prefix); n++)
        yield { base: base.base + n * step, prefix: p.size };
    }
    return;
  }
  for (let b = 17; b <= 31; b++) yield { base: parseIp(`172.${b}.0.0`), prefix: 16 };
  for (let c = 0; c < 256; c += 16) yield { base: parseIp(`192.168.${c}.0`), prefix: 20 };
}

/** The first default pool that overlaps none of the taken subnets. */
export function chooseSubnet(taken: readonly Subnet[], custom?: readonly AddressPool[]): Subnet | undefined {
  for (const candidate of defaultPools(custom)) {
    if (!taken.some((t) => overlaps(t, candidate))) return candidate;
  }
  return undefined;
}

/** Subnets routed on the host from /proc/net/route text (default routes left out). */
export function parseProcRoutes(text: string): Subnet[] {
  const out: Subnet[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    const [dest, mask] = [f[1], f[7]];
    if (!dest || !mask || !/^[0-9A-Fa-f]{8}$/.test(dest) || !/^[0-9A-Fa-f]{8}$/.test(mask)) continue;
    const m = hostOrder(mask);
    if (m === 0) continue;
    const prefix = 32 - Math.log2(2 ** 32 - m);
    if (!Number.isInteger(prefix)) continue;
    out.push({ base: (hostOrder(dest) & m) >>> 0, prefix });
  }
  return out;
}

/** /proc/net/route prints addresses as little-endian hex words. */
function hostOrder(hex: string): number {
  const n = parseInt(hex, 16);
  return (((n & 255) << 24) | (((n >>> 8) & 255) << 16) | (((n >>> 16) & 255) << 8) | (n >>> 24)) >>> 0;
}

/** Docker's MAC for an address: 02:42 followed by the four address bytes. */
export function macForIp(ip: number): string {
  return ["02", "42", ...ipBytes(ip).map((b) => b.toString(16).padStart(2, "0"))].join(":");
}

interface PoolState extends Pool {
  last: number | undefined;
  allocated: Map<number, string>;
}

export class Ipam {
  private readonly pools = new Map<string, PoolState>();

  constructor(
    private readonly db: Db,
    /** Subnets routed on the host right now (e.g. parsed /proc/net/route). */
    private readonly hostRoutes: () => Subnet[],
    /** The daemon's default-address-pool; Docker's pools when empty. */
    private readonly addressPools: readonly AddressPool[] = [],
  ) {
    for (const row of db
      .prepare<
        [],
        {
          network_id: string;
          subnet: string;
          gateway: string;
          ip_range: string | null;
          user_subnet: number;
          last_ip: string | null;
        }
      >("SELECT * FROM ipam_pools")
      .all()) {
      const subnet = parseSubnet(row.subnet);
      this.pools.set(row.network_id, {
        subnet,
        gateway: parseIp(row.gateway),
        range: row.ip_range ? parseSubnet(row.ip_range) : subnet,
        userSubnet: row.user_subnet === 1,
        last: row.last_ip ? parseIp(row.last_ip) : undefined,
        allocated: new Map(),
      });
    }
    for (const row of db
      .prepare<[], { network_id: string; ip: string; owner: string }>("SELECT * FROM ipam_addresses")
      .all()) {
      this.pools.get(row.network_id)?.allocated.set(parseIp(row.ip), row.owner);
    }
  }

  pool(networkId: string): Pool | undefined {
    return this.pools.get(networkId);
  }

  /** Creates the pool of a network; the gateway is reserved in it. */
  requestPool(networkId: string, req: PoolRequest): Pool {
    if (this.pools.has(networkId)) throw invalid(`network ${networkId} already has an address pool`);
    const others = [...this.pools.values()].map((p) => p.subnet);
    let subnet: Subnet;
    if (req.subnet !== undefined) {
      subnet = parseSubnet(req.subnet);
      if (others.some((o) => overlaps(o, subnet))) throw forbidden(netMessages.poolOverlaps());
    } else {
      const found = chooseSubnet([...others, ...this.hostRoutes()], this.addressPools);
      if (!found) throw notFound(netMessages.noDefaultPool());
      subnet = found;
    }
    if (subnet.prefix > 30)
      throw invalid(`invalid subnet ${formatSubnet(subnet)}: too small for a bridge network`);
    let range = subnet;
    if (req.ipRange !== undefined) {
      range = parseSubnet(req.ipRange);
      if (!within(range, subnet)) throw invalid(netMessages.rangeOutsideSubnet(req.ipRange));
    }
    let gateway = subnet.base + 1;
    if (req.gateway !== undefined) {
      gateway = parseIp(req.gateway);
      if (!contains(subnet, gateway) || gateway === subnet.base || gateway === broadcast(subnet)) {
        throw invalid(netMessages.gatewayOutsideSubnet(req.gateway));
      }
    }
    const state: PoolState = {
      subnet,
      gateway,
      range,
      userSubnet: req.subnet !== undefined,
      last: undefined,
      allocated: new Map([[gateway, "gateway"]]),
    };
    this.db.transaction(() => {
      this.db
        .prepare("INSERT INTO ipam_pools VALUES (?, ?, ?, ?, ?, NULL)")
        .run(
          networkId,
          formatSubnet(subnet),
          formatIp(gateway),
          req.ipRange ? formatSubnet(range) : null,
          state.userSubnet ? 1 : 0,
        );
      this.insertAddress(networkId, gateway, "gateway");
    })();
    this.pools.set(networkId, state);
    return state;
  }

  releasePool(networkId: string): void {
    this.db.prepare("DELETE FROM ipam_pools WHERE network_id = ?").run(networkId);
    this.pools.delete(networkId);
  }

  /**
   * Hands out an address to owner: the requested one (static --ip) or the next
   * free one of the range. `networkName` only words the exhaustion error.
   */
  allocate(networkId: string, owner: string, opts: { ip?: string; networkName?: string } = {}): number {
    const pool = this.pools.get(networkId);
    if (!pool) throw notFound(`network ${networkId} has no address pool`);
    let ip: number;
    if (opts.ip !== undefined) {
      if (!pool.userSubnet) throw invalid(netMessages.staticIpNeedsUserSubnet());
      ip = parseIp(opts.ip);
      if (!contains(pool.subnet, ip) || ip === pool.subnet.base || ip === broadcast(pool.subnet)) {
        throw invalid(netMessages.addressOutOfRange());
      }
      if (pool.allocated.has(ip)) throw forbidden(netMessages.addressInUse());
    } else {
      const found = this.nextFree(pool);
      if (found === undefined) {
        throw unavailable(netMessages.poolExhausted(opts.networkName ?? networkId, networkId));
      }
      ip = found;
      pool.last = ip;
      this.db.prepare("UPDATE ipam_pools SET last_ip = ? WHERE network_id = ?").run(formatIp(ip), networkId);
    }
    this.insertAddress(networkId, ip, owner);
    pool.allocated.set(ip, owner);
    return ip;
  }

  release(networkId: string, ip: number): void {
    const pool = this.pools.get(networkId);
    if (!pool || ip === pool.gateway) return;
    pool.allocated.delete(ip);
    this.db
      .prepare("DELETE FROM ipam_addresses WHERE network_id = ? AND ip = ?")
      .run(networkId, formatIp(ip));
  }

  /** Addresses in use (gateway included) and their owners. */
  allocated(networkId: string): ReadonlyMap<number, string> {
    return this.pools.get(networkId)?.allocated ?? new Map();
  }

  private insertAddress(networkId: string, ip: number, owner: string): void {
    this.db.prepare("INSERT INTO ipam_addresses VALUES (?, ?, ?)").run(networkId, formatIp(ip), owner);
  }

  private nextFree(pool: PoolState): number | undefined {
    const first = Math.max(pool.range.base, pool.subnet.base + 1);
    const last = Math.min(broadcast(pool.range), broadcast(pool.subnet) - 1);
    const count = last - first + 1;
    if (count <= 0) return undefined;
    const start = pool.last !== undefined && pool.last >= first && pool.last < last ? pool.last + 1 : first;
    for (let i = 0; i < count; i++) {
      const ip = first + ((start - first + i) % count);
      if (!pool.allocated.has(ip)) return ip;
    }
    return undefined;
  }
}
