/**
 * Credentials for pulling base images: the docker CLI sends every login it has in
 * `X-Registry-Config`, keyed by registry as written at login ("localhost:5000",
 * "https://localhost:5000", "https://index.docker.io/v1/"); the pull takes the one whose host
 * is the image's registry (dockerd's ResolveAuthConfig).
 */
import type { AuthConfig } from "../distribution/index.js";

/** The host a key names: scheme and path dropped; Docker Hub's index names docker.io. */
export function registryHost(key: string): string {
  const host = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/.*$/, "");
  return host === "index.docker.io" || host === "registry-1.docker.io" ? "docker.io" : host;
}

export function authFor(
  configs: Readonly<Record<string, AuthConfig>>,
  domain: string,
): { auth?: AuthConfig } {
  for (const [key, auth] of Object.entries(configs)) if (registryHost(key) === domain) return { auth };
  return {};
}
