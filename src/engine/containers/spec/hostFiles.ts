/**
 * The three files Docker generates for each container and bind-mounts:
 * /etc/hosts, /etc/resolv.conf and /etc/hostname.
 */

const localhostEntries = [
  "127.0.0.1\tlocalhost",
  "::1\tlocalhost ip6-localhost ip6-loopback",
  "fe00::0\tip6-localnet",
  "ff00::0\tip6-mcastprefix",
  "ff02::1\tip6-allnodes",
  "ff02::2\tip6-allrouters",
];

export interface HostsInput {
  /** The container's own addresses (none without a network). */
  addresses: string[];
  hostname: string;
  domainname: string;
  /** --add-host entries, "name:ip". */
  extraHosts: string[];
}

export function hostsFile(h: HostsInput): string {
  const lines = [...localhostEntries];
  for (const e of h.extraHosts) {
    const at = e.indexOf(":");
    if (at > 0) lines.push(`${e.slice(at + 1)}\t${e.slice(0, at)}`);
  }
  const names = h.domainname ? `${h.hostname}.${h.domainname} ${h.hostname}` : h.hostname;
  for (const a of h.addresses) lines.push(`${a}\t${names}`);
  return lines.join("\n") + "\n";
}

const googleDns = ["nameserver 8.8.8.8", "nameserver 8.8.4.4"];

/**
 * resolv.conf from the host's, as Docker makes it for a container with its
 * own network namespace: loopback nameservers cannot work there, so they
 * are dropped (and Google's public servers used when none remain); --dns,
 * --dns-search and --dns-option replace the host's lines.
 */
export function resolvConf(
  host: string,
  opts: { dns: string[]; dnsSearch: string[]; dnsOptions: string[]; hostNetwork: boolean },
): string {
  const lines = host.split("\n");
  const keep = (kind: string) => lines.filter((l) => l.trim().split(/\s+/)[0] === kind).map((l) => l.trim());
  let servers = opts.dns.length > 0 ? opts.dns.map((s) => `nameserver ${s}`) : keep("nameserver");
  if (!opts.hostNetwork) {
    servers = servers.filter((l) => {
      const addr = l.split(/\s+/)[1] ?? "";
      return !addr.startsWith("127.") && addr !== "::1";
    });
    if (servers.length === 0) servers = googleDns;
  }
  const search =
    opts.dnsSearch.length > 0
      ? [`search ${opts.dnsSearch.join(" ")}`]
      : keep("search").concat(keep("domain"));
  const options = opts.dnsOptions.length > 0 ? [`options ${opts.dnsOptions.join(" ")}`] : keep("options");
  return [...search, ...servers, ...options].join("\n") + "\n";
}

export function hostnameFile(hostname: string): string {
  return `${hostname}\n`;
}
