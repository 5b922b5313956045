/**
 * Which URLs serve a registry domain, as dockerd's registry service decides:
 * docker.io goes to the configured mirrors; a registry is "insecure" (HTTPS
 * without verification, then plain HTTP) when listed in insecure-registries
 * or when its address is in an insecure CIDR, 127.0.0.0/8 by default.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { invalid, unavailable } from "../errors.js";
import { distributionMessages } from "./messages.js";

export interface RegistryConfig {
  /** daemon.json `insecure-registries`: "host:port", "host" or CIDRs. */
  insecureRegistries: readonly string[];
  /** daemon.json `registry-mirrors`: URLs of docker.io pull-through mirrors. */
  mirrors: readonly string[];
}

export interface Endpoint {
  /** "https://127.0.0.1:5000", no trailing slash. */
  base: string;
  /** HTTPS without certificate verification (insecure registries). */
  skipVerify: boolean;
  mirror: boolean;
}

export const dockerHubDomain = "docker.io";
const defaultInsecureCidrs = ["127.0.0.0/8"];

/** Checks daemon.json's lists once, at start-up. */
export function validateRegistryConfig(cfg: RegistryConfig): void {
  for (const m of cfg.mirrors) {
    let u: URL;
    try {
      u = new URL(m);
    } catch {
      throw invalid(`invalid mirror: "${m}" is not a valid URI`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw invalid(`invalid mirror: unsupported scheme "${u.protocol.slice(0, -1)}" in "${m}"`);
    }
    if (u.pathname !== "/" && u.pathname !== "")
      throw invalid(`invalid mirror: path must be empty in "${m}"`);
  }
  for (const r of cfg.insecureRegistries) {
    if (r.includes("://")) throw invalid(`insecure registry ${r} should not contain '://'`);
  }
}

/** The endpoints to try, in order, for a pull (mirrors allowed) or a push. */
export async function endpointsFor(
  domain: string,
  cfg: RegistryConfig,
  purpose: "pull" | "push" | "login",
): Promise<Endpoint[]> {
  if (domain === dockerHubDomain) {
    // This engine never reaches Docker Hub itself: only a configured mirror serves docker.io names.
    if (purpose !== "pull" || cfg.mirrors.length === 0) {
      throw unavailable(distributionMessages.dockerHubUnreachable(purpose));
    }
    const out: Endpoint[] = [];
    for (const m of cfg.mirrors) {
      const u = new URL(m);
      const insecure = await isInsecure(u.host, cfg);
      out.push({ base: `${u.protocol}//${u.host}`, skipVerify: insecure, mirror: true });
      if (u.protocol === "https:" && insecure)
        out.push({ base: `http://${u.host}`, skipVerify: false, mirror: true });
    }
    return out;
  }
  const insecure = await isInsecure(domain, cfg);
  const out: Endpoint[] = [{ base: `https://${domain}`, skipVerify: insecure, mirror: false }];
  if (insecure) out.push({ base: `http://${domain}`, skipVerify: false, mirror: false });
  return out;
}

/** dockerd's isSecureIndex, inverted: listed by name, or an address in an insecure CIDR. */
export async function isInsecure(host: string, cfg: RegistryConfig): Promise<boolean> {
  if (cfg.insecureRegistries.includes(host)) return true;
  const hostname = hostnameOf(host);
  if (cfg.insecureRegistries.includes(hostname)) return true;
  const cidrs = [...defaultInsecureCidrs, ...cfg.insecureRegistries.filter((r) => r.includes("/"))];
  let addrs: string[];
  if (isIP(hostname) !== 0) addrs = [hostname];
  else if (hostname === "localhost") addrs = ["127.0.0.1"];
  else {
    try {
      addrs = (await lookup(hostname, { all: true })).map((a) => a.address);
    } catch {
      return false;
    }
  }
  return addrs.some((a) => cidrs.some((c) => inCidr(a, c)));
}

/** "127.0.0.1:5000" → "127.0.0.1"; "[::1]:5000" → "::1". */
export function hostnameOf(host: string): string {
  if (host.startsWith("[")) return host.slice(1, host.indexOf("]"));
  const colon = host.lastIndexOf(":");
  return colon >= 0 && host.indexOf(":") === colon ? host.slice(0, colon) : host;
}

export function inCidr(addr: string, cidr: string): boolean {
  const slash = cidr.indexOf("/");
  if (slash < 0) return false;
  const net = cidr.slice(0, slash);
  const bits = Number(cidr.slice(slash + 1));
  if (isIP(addr) !== 4 || isIP(net) !== 4 || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const toInt = (s: string) => s.split(".").reduce((n, p) => ((n << 8) | Number(p)) >>> 0, 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (toInt(addr) & mask) >>> 0 === (toInt(net) & mask) >>> 0;
}
