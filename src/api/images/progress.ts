/**
 * Docker's JSON message stream (jsonmessage): one object per line, a
 * progress bar string for old clients, and in-band errors once the stream
 * has started.
 */
import type { ServerResponse } from "node:http";
import type { JsonMessageWire } from "../types/images.js";

/** go-units' HumanSizeWithPrecision(size, 4), as dockerd renders progress numbers. */
export function humanSize4(size: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
  let i = 0;
  let v = size;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

/** The "[====>   ]  1.2MB/4.5MB" bar of a progress message. */
export function progressBar(current: number, total: number): string {
  if (total <= 0) return humanSize4(current).padStart(8);
  const width = 50;
  const filled = Math.min(width, Math.floor((width * current) / total));
  const bar = `[${"=".repeat(filled)}>${" ".repeat(width - filled)}] `;
  return `${bar}${humanSize4(current).padStart(8)}/${humanSize4(total)}`;
}

export class JsonMessages {
  private lastProgressAt = 0;

  constructor(private readonly out: ServerResponse) {}

  write(msg: JsonMessageWire): void {
    this.out.write(JSON.stringify(msg) + "\n");
  }

  /** Progress lines, at most every 100 ms except the last. */
  progress(id: string, status: string, current: number, total: number): void {
    const now = Date.now();
    if (current < total && now - this.lastProgressAt < 100) return;
    this.lastProgressAt = now;
    this.write({ status, progressDetail: { current, total }, progress: progressBar(current, total), id });
  }

  error(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.write({ errorDetail: { message }, error: message });
  }

  end(): void {
    this.out.end();
  }
}
