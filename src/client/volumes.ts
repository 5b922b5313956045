/** Volume endpoints: create, list, inspect, remove, prune. */
import type { VolumeCreateWire, VolumeListWire, VolumePruneWire, VolumeWire } from "../api/types/volumes.js";
import type { Transport } from "./transport.js";

function filtersJson(filters: Record<string, string[]> | undefined): string | undefined {
  return filters && Object.keys(filters).length > 0 ? JSON.stringify(filters) : undefined;
}

export class VolumesClient {
  constructor(private readonly t: Transport) {}

  create(body: VolumeCreateWire): Promise<VolumeWire> {
    return this.t.json("POST", "/volumes/create", { body });
  }

  list(filters?: Record<string, string[]>): Promise<VolumeListWire> {
    return this.t.json("GET", "/volumes", { query: { filters: filtersJson(filters) } });
  }

  inspect(name: string): Promise<VolumeWire> {
    return this.t.json("GET", `/volumes/${encodeURIComponent(name)}`);
  }

  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    const res = await this.t.request("DELETE", `/volumes/${encodeURIComponent(name)}`, {
      query: { force: opts.force ? "1" : undefined },
    });
    res.body.resume();
  }

  prune(filters?: Record<string, string[]>): Promise<VolumePruneWire> {
    return this.t.json("POST", "/volumes/prune", { query: { filters: filtersJson(filters) } });
  }
}
