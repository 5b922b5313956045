/**
 * The tarball of `docker import URL`. This engine only reaches loopback
 * addresses (its machines have no other network it may use), so any other
 * host is refused with a clear error instead of being contacted.
 */
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { isIP } from "node:net";
import { invalid } from "../errors.js";

export interface UrlSource {
  stream: IncomingMessage;
  /** Content-Length when the server sent one. */
  size: number | undefined;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "");
  if (h === "localhost") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  return h === "::1";
}

export async function openUrlSource(url: string, maxRedirects = 5): Promise<UrlSource> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalid(`invalid URL: ${url}`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw invalid(`unsupported URL scheme ${u.protocol} in ${url}: only http and https can be imported`);
  }
  if (!isLoopback(u.hostname)) {
    throw invalid(
      `importing from ${u.host} is not allowed: this engine only fetches from loopback addresses`,
    );
  }
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = (u.protocol === "https:" ? httpsGet : httpGet)(u, resolve);
    req.on("error", (err) => reject(invalid(`Get "${url}": ${err.message}`, err)));
  });
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400 && res.headers.location !== undefined) {
    res.resume();
    if (maxRedirects === 0) throw invalid(`Get "${url}": stopped after too many redirects`);
    return openUrlSource(new URL(res.headers.location, u).toString(), maxRedirects - 1);
  }
  if (status >= 400) {
    res.resume();
    throw invalid(`failed to GET ${url} with status ${status} ${res.statusMessage ?? ""}`.trimEnd());
  }
  const len = Number(res.headers["content-length"]);
  return { stream: res, size: Number.isFinite(len) ? len : undefined };
}
