/**
 * IPv4 addresses and subnets as numbers: parsing, printing, containment and
 * overlap, which IPAM and the firewall plans need.
 */
import { invalid } from "../errors.js";

/** An IPv4 subnet: `base` has no host bits set. */
export interface Subnet {
  readonly base: number;
  readonly prefix: number;
}

export function parseIp(s: string): number {
  const parts = s.split(".");
  if (parts.length !== 4) throw invalid(`invalid IPv4 address: ${s}`);
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw invalid(`invalid IPv4 address: ${s}`);
    n = n * 256 + Number(p);
  }
  return n;
}

export function isIpv4(s: string): boolean {
  try {
    parseIp(s);
    return true;
  } catch {
    return false;
  }
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** "10.1.0.0/16" -> subnet; host bits are refused like Docker refuses them. */
export function parseSubnet(s: string): Subnet {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(s);
  if (!m?.[1] || !m[2] || Number(m[2]) > 32) throw invalid(`invalid CIDR address: ${s}`);
  const prefix = Number(m[2]);
  const ip = parseIp(m[1]);
  const base = (ip & maskOf(prefix)) >>> 0;
  if (base !== ip) throw invalid(`invalid subnet ${s}: it should be ${formatSubnet({ base, prefix })}`);
  return { base, prefix };
}

export function formatSubnet(s: Subnet): string {
  return `${formatIp(s.base)}/${s.prefix}`;
}

export function size(s: Subnet): number {
  return 2 ** (32 - s.prefix);
}

export function broadcast(s: Subnet): number {
  return s.base + size(s) - 1;
}

export function contains(s: Subnet, ip: number): boolean {
  return (ip & maskOf(s.prefix)) >>> 0 === s.base;
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  return a.base <= broadcast(b) && b.base <= broadcast(a);
}

/** Whether `inner` lies entirely inside `outer`. */
export function within(inner: Subnet, outer: Subnet): boolean {
  return inner.prefix >= outer.prefix && contains(outer, inner.base);
}

/** The four bytes of an address, for MAC addresses and PTR names. */
export function ipBytes(n: number): [number, number, number, number] {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}
