/** Network endpoints: list, inspect, create, remove, connect, disconnect, prune. */
import type {
  EndpointSettingsWire,
  NetworkCreateBody,
  NetworkCreateResponse,
  NetworkPruneResponse,
  NetworkWire,
} from "../api/types/networks.js";
import type { Transport } from "./transport.js";

function filtersJson(filters: Record<string, string[]> | undefined): string | undefined {
  return filters && Object.keys(filters).length > 0 ? JSON.stringify(filters) : undefined;
}

export class NetworksClient {
  constructor(private readonly t: Transport) {}

  list(filters?: Record<string, string[]>): Promise<NetworkWire[]> {
    return this.t.json("GET", "/networks", { query: { filters: filtersJson(filters) } });
  }

  inspect(ref: string, opts: { verbose?: boolean; scope?: string } = {}): Promise<NetworkWire> {
    return this.t.json("GET", `/networks/${encodeURIComponent(ref)}`, {
      query: { verbose: opts.verbose ? "true" : undefined, scope: opts.scope },
    });
  }

  create(body: NetworkCreateBody & { Name: string }): Promise<NetworkCreateResponse> {
    return this.t.json("POST", "/networks/create", { body });
  }

  async remove(ref: string): Promise<void> {
    const res = await this.t.request("DELETE", `/networks/${encodeURIComponent(ref)}`);
    res.body.resume();
  }

  async connect(network: string, container: string, endpoint: EndpointSettingsWire = {}): Promise<void> {
    const res = await this.t.request("POST", `/networks/${encodeURIComponent(network)}/connect`, {
      body: { Container: container, EndpointConfig: endpoint },
    });
    res.body.resume();
  }

  async disconnect(network: string, container: string, force = false): Promise<void> {
    const res = await this.t.request("POST", `/networks/${encodeURIComponent(network)}/disconnect`, {
      body: { Container: container, Force: force },
    });
    res.body.resume();
  }

  prune(filters?: Record<string, string[]>): Promise<NetworkPruneResponse> {
    return this.t.json("POST", "/networks/prune", { query: { filters: filtersJson(filters) } });
  }
}
