/**
 * The tarball of `docker import URL`. This engine only reaches loopback
 * addresses (its machines have no other network it may use), so any other
 * host is refused with a clear error instead of being contacted.
 */
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { invalid } from "../errors.js";
import { isLoopbackHost } from "../loopback.js";

export interface UrlSource {
  stream: IncomingMessage;
  /** Content-Length when the server sent one. */
  size: number | undefined;
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
  if (!isLoopbackHost(u.hostname)) {
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
