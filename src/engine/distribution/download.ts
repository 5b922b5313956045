/**
 * One blob to a file: digest and size checked, a cut transfer resumed with
 * `Range: bytes=N-` (or restarted when the registry ignores it), failed
 * attempts retried up to Docker's five times with a growing pause.
 */
import { createHash, type Hash } from "node:crypto";
import { open } from "node:fs/promises";
import { invalid } from "../errors.js";
import { distributionMessages } from "./messages.js";
import { header } from "./http.js";
import { RegistryError } from "./registryError.js";
import type { RegistrySession } from "./session.js";
import type { Descriptor } from "./types.js";

export interface DownloadOptions {
  session: RegistrySession;
  repo: string;
  desc: Descriptor;
  file: string;
  onProgress?: (current: number, total: number) => void;
  /** Called before a retry with the seconds until it. */
  onRetry?: (seconds: number, err: unknown) => void;
  signal?: AbortSignal;
  maxAttempts?: number;
  /** Pause before retry n (1-based), in ms; Docker waits 5 s × n, shorter here by default. */
  retryDelayMs?: (attempt: number) => number;
}

export async function downloadBlob(opts: DownloadOptions): Promise<void> {
  const { desc } = opts;
  const maxAttempts = opts.maxAttempts ?? 5;
  const delay = opts.retryDelayMs ?? ((n: number) => 1000 * n);
  const fh = await open(opts.file, "w");
  let hash: Hash = createHash("sha256");
  let written = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const headers: Record<string, string> = {};
        if (written > 0) headers.Range = `bytes=${written}-`;
        const res = await opts.session.request("GET", `/v2/${opts.repo}/blobs/${desc.digest}`, {
          headers,
          signal: opts.signal,
        });
        if (
          written > 0 &&
          !(res.status === 206 && header(res, "Content-Range")?.startsWith(`bytes ${written}-`))
        ) {
          // The registry sent the whole blob again: start over.
          hash = createHash("sha256");
          written = 0;
          await fh.truncate(0);
        }
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          if (written + chunk.length > desc.size) {
            res.body.destroy();
            throw invalid(distributionMessages.verificationFailed(desc.digest));
          }
          await fh.write(chunk, 0, chunk.length, written);
          hash.update(chunk);
          written += chunk.length;
          opts.onProgress?.(written, desc.size);
        }
        if (written !== desc.size) throw new Error("unexpected EOF");
        break;
      } catch (err) {
        if (!retryable(err) || attempt >= maxAttempts || opts.signal?.aborted === true) throw err;
        const ms = delay(attempt);
        opts.onRetry?.(Math.ceil(ms / 1000), err);
        await new Promise((r) => setTimeout(r, ms));
      }
    }
    if (`sha256:${hash.digest("hex")}` !== desc.digest)
      throw invalid(distributionMessages.verificationFailed(desc.digest));
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Network trouble and server-side failures are retried; refusals and bad content are not. */
export function retryable(err: unknown): boolean {
  if (err instanceof RegistryError) return err.status === 408 || err.status === 429 || err.status >= 500;
  if (err instanceof Error && "kind" in err) return false;
  if (err instanceof Error && err.name === "AbortError") return false;
  return true;
}
