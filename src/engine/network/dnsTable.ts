/**
 * The names one network's DNS server answers: each endpoint registers its
 * container name, short ID and aliases for its address. Lookups ignore case
 * and a trailing dot. Reverse lookups give `<name>.<network>`, as Docker's
 * embedded DNS does.
 */
export interface DnsEntry {
  /** Who registered it (the container ID), to remove it again. */
  owner: string;
  ipv4: string;
  /** Container name first, then short ID and aliases. */
  names: readonly string[];
}

function norm(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

export class DnsTable {
  private readonly entries = new Map<string, DnsEntry>();

  constructor(readonly networkName: string) {}

  set(entry: DnsEntry): void {
    this.entries.set(entry.owner, entry);
  }

  remove(owner: string): void {
    this.entries.delete(owner);
  }

  /** Addresses for a name; undefined when no endpoint has that name. */
  lookup(name: string): string[] | undefined {
    const n = norm(name);
    const ips = [...this.entries.values()]
      .filter((e) => e.names.some((x) => norm(x) === n))
      .map((e) => e.ipv4);
    return ips.length > 0 ? ips : undefined;
  }

  /** PTR names for an address, e.g. "web.mynet". */
  reverse(ip: string): string[] {
    return [...this.entries.values()]
      .filter((e) => e.ipv4 === ip && e.names.length > 0)
      .map((e) => `${e.names[0]}.${this.networkName}`);
  }
}

/** "2.0.17.172.in-addr.arpa" -> "172.17.0.2"; undefined for anything else. */
export function ptrToIp(name: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa\.?$/i.exec(name);
  if (!m) return undefined;
  const bytes = [m[4], m[3], m[2], m[1]].map(Number);
  return bytes.every((b) => b <= 255) ? bytes.join(".") : undefined;
}
