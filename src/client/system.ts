/** System endpoints: ping, version, info, events. */
import type { EventMessage, InfoResponse, VersionResponse } from "../api/types/system.js";
import { jsonLines, type Transport } from "./transport.js";

/** An event as received, with timeNano exact: nanoseconds since 1970 do not fit a double. */
export interface EventRecord extends Omit<EventMessage, "timeNano"> {
  timeNano: bigint;
}

/**
 * One event line parsed with its timeNano kept exact. The key is quoted
 * before JSON.parse sees it; `"timeNano":` cannot occur inside a JSON string
 * (a quote there is always escaped), so only the real field matches.
 */
export function parseEventLine(line: string): EventRecord {
  const quoted = line.replace(/"timeNano":\s*(-?\d+)/, '"timeNano":"$1"');
  const raw = JSON.parse(quoted) as Omit<EventMessage, "timeNano"> & { timeNano?: string | number };
  const nano = raw.timeNano;
  return { ...raw, timeNano: nano === undefined ? 0n : BigInt(nano) };
}

export class SystemClient {
  constructor(private readonly t: Transport) {}

  version(): Promise<VersionResponse> {
    return this.t.json("GET", "/version");
  }

  info(): Promise<InfoResponse> {
    return this.t.json("GET", "/info");
  }

  async *events(opts: {
    since?: string;
    until?: string;
    filters?: Record<string, string[]>;
  }): AsyncGenerator<EventRecord> {
    const res = await this.t.request("GET", "/events", {
      query: {
        since: opts.since,
        until: opts.until,
        filters:
          opts.filters && Object.keys(opts.filters).length > 0 ? JSON.stringify(opts.filters) : undefined,
      },
    });
    yield* jsonLines(res.body, parseEventLine);
  }
}
