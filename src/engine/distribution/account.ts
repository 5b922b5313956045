/**
 * Talking to a registry without moving images: login (dockerd's loginV2:
 * the credentials must open `/v2/`), and search (the registry's v1 search
 * API, which distribution-style registries usually do not offer).
 */
import { invalid, unauthorized } from "../errors.js";
import { distributionMessages } from "./messages.js";
import { dockerHubDomain, endpointsFor, type RegistryConfig } from "./endpoints.js";
import { readBody, send } from "./http.js";
import { RegistryError, httpStatusText } from "./registryError.js";
import { RegistrySession } from "./session.js";
import type { AuthConfig } from "./types.js";

/** "https://index.docker.io/v1/", "http://localhost:5000", "localhost:5000" → the registry domain. */
export function registryDomain(serverAddress: string | undefined): string {
  let s = (serverAddress ?? "").trim();
  if (s === "") return dockerHubDomain;
  if (s.includes("://")) {
    try {
      s = new URL(s).host;
    } catch {
      throw invalid(`unable to parse server address: ${serverAddress}`);
    }
  } else s = s.split("/")[0]!;
  if (s === "index.docker.io" || s === "registry-1.docker.io" || s === "docker.io") return dockerHubDomain;
  return s;
}

export async function login(
  auth: AuthConfig,
  cfg: RegistryConfig,
): Promise<{ status: string; identityToken: string }> {
  const domain = registryDomain(auth.serverAddress);
  const session = new RegistrySession(await endpointsFor(domain, cfg, "login"), auth, [], true);
  await session.ping();
  if (!session.challenged) return { status: distributionMessages.loginSucceeded(), identityToken: "" };
  const url = `${session.endpoint.base}/v2/`;
  try {
    await session.authorize();
    const res = await session.request("GET", url);
    res.body.resume();
  } catch (err) {
    if (err instanceof RegistryError && err.status === 401 && session.hasBasicChallenge) {
      throw unauthorized(distributionMessages.loginFailed(url, `401 ${httpStatusText(401)}`));
    }
    if (err instanceof RegistryError && (err.status === 401 || err.status === 403)) {
      throw unauthorized(`Get "${url}": ${err.message}`);
    }
    if (err instanceof Error && "kind" in err && err.kind === "unauthorized" && session.hasBasicChallenge) {
      throw unauthorized(distributionMessages.loginFailed(url, `401 ${httpStatusText(401)}`));
    }
    throw err;
  }
  return { status: distributionMessages.loginSucceeded(), identityToken: session.refreshToken ?? "" };
}

export interface SearchResult {
  name: string;
  description: string;
  starCount: number;
  isOfficial: boolean;
  isAutomated: boolean;
}

/** GET /v1/search on the registry named by the term ("localhost:5000/busybox"). */
export async function search(
  term: string,
  limit: number,
  auth: AuthConfig | undefined,
  cfg: RegistryConfig,
): Promise<SearchResult[]> {
  if (limit < 1 || limit > 100) throw invalid(distributionMessages.searchLimit(limit));
  const slash = term.indexOf("/");
  const first = slash < 0 ? "" : term.slice(0, slash);
  const hasDomain = first.includes(".") || first.includes(":") || first === "localhost";
  const domain = hasDomain ? registryDomain(first) : dockerHubDomain;
  const query = hasDomain ? term.slice(slash + 1) : term;
  const endpoints = await endpointsFor(domain, cfg, "login");
  let lastErr: unknown;
  for (const ep of endpoints) {
    const url = `${ep.base}/v1/search?q=${encodeURIComponent(query)}&n=${limit}`;
    const headers: Record<string, string> = {};
    if (auth?.username) {
      headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ""}`).toString("base64")}`;
    }
    let res;
    try {
      res = await send(url, { method: "GET", headers, skipVerify: ep.skipVerify });
    } catch (err) {
      lastErr = err;
      continue;
    }
    if (res.status !== 200) {
      res.body.resume();
      throw invalid(
        distributionMessages.searchUnsupported(domain, `${res.status} ${httpStatusText(res.status)}`),
      );
    }
    const body = JSON.parse((await readBody(res)).toString("utf8")) as { results?: unknown };
    if (!Array.isArray(body.results))
      throw invalid(distributionMessages.searchUnsupported(domain, "no results in the answer"));
    return body.results.slice(0, limit).map((r: Record<string, unknown>) => ({
      name: typeof r.name === "string" ? r.name : "",
      description: typeof r.description === "string" ? r.description : "",
      starCount: typeof r.star_count === "number" ? r.star_count : 0,
      isOfficial: r.is_official === true,
      isAutomated: r.is_automated === true,
    }));
  }
  const why = lastErr instanceof Error ? lastErr.message : String(lastErr);
  throw invalid(distributionMessages.searchUnsupported(domain, why));
}
