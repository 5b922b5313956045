/** System endpoints: ping, version, info, events. */
import type { EventMessage, InfoResponse, VersionResponse } from "../api/types/system.js";
import { jsonLines, type Transport } from "./transport.js";

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
  }): AsyncGenerator<EventMessage> {
    const res = await this.t.request("GET", "/events", {
      query: {
        since: opts.since,
        until: opts.until,
        filters:
          opts.filters && Object.keys(opts.filters).length > 0 ? JSON.stringify(opts.filters) : undefined,
      },
    });
    yield* jsonLines<EventMessage>(res.body);
  }
}
