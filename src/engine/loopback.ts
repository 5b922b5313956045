/**
 * Whether a host names this machine's loopback: `localhost`, 127.0.0.0/8 or ::1 (brackets
 * allowed). The engine fetches only from such hosts, and plain TCP is served only on them.
 */
import { isIP } from "node:net";

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "");
  if (h === "localhost") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  return h === "::1";
}
