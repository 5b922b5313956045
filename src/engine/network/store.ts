/** SQLite rows of networks, endpoints and published ports. */
import type { Db, ModuleSchema } from "../store/index.js";
import type { PortRule } from "./firewallPlan.js";
import type { Endpoint, Network, NetworkId, PortBinding } from "./types.js";

export const networkSchema: ModuleSchema = {
  module: "network",
  migrations: [
    `CREATE TABLE networks (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, record TEXT NOT NULL);
     CREATE TABLE endpoints (
       network_id TEXT NOT NULL REFERENCES networks(id), container_id TEXT NOT NULL,
       seq INTEGER NOT NULL, record TEXT NOT NULL, PRIMARY KEY (network_id, container_id));
     CREATE TABLE published_ports (container_id TEXT PRIMARY KEY, bindings TEXT NOT NULL, rules TEXT NOT NULL);`,
  ],
};

export interface PublishedRow {
  containerId: string;
  bindings: PortBinding[];
  rules: PortRule[];
}

export class NetworkStore {
  private seq = 0;

  constructor(private readonly db: Db) {
    const row = db.prepare<[], { m: number | null }>("SELECT MAX(seq) AS m FROM endpoints").get();
    this.seq = row?.m ?? 0;
  }

  networks(): Network[] {
    return this.db
      .prepare<[], { record: string }>("SELECT record FROM networks")
      .all()
      .map((r) => JSON.parse(r.record) as Network);
  }

  insertNetwork(n: Network): void {
    this.db.prepare("INSERT INTO networks VALUES (?, ?, ?)").run(n.id, n.name, JSON.stringify(n));
  }

  deleteNetwork(id: NetworkId): void {
    this.db.prepare("DELETE FROM networks WHERE id = ?").run(id);
  }

  /** All endpoints, in attach order. */
  endpoints(): Endpoint[] {
    return this.db
      .prepare<[], { record: string }>("SELECT record FROM endpoints ORDER BY seq")
      .all()
      .map((r) => JSON.parse(r.record) as Endpoint);
  }

  insertEndpoint(e: Endpoint): void {
    this.db
      .prepare("INSERT INTO endpoints VALUES (?, ?, ?, ?)")
      .run(e.networkId, e.containerId, ++this.seq, JSON.stringify(e));
  }

  deleteEndpoint(networkId: NetworkId, containerId: string): void {
    this.db
      .prepare("DELETE FROM endpoints WHERE network_id = ? AND container_id = ?")
      .run(networkId, containerId);
  }

  published(): PublishedRow[] {
    return this.db
      .prepare<[], { container_id: string; bindings: string; rules: string }>("SELECT * FROM published_ports")
      .all()
      .map((r) => ({
        containerId: r.container_id,
        bindings: JSON.parse(r.bindings) as PortBinding[],
        rules: JSON.parse(r.rules) as PortRule[],
      }));
  }

  insertPublished(p: PublishedRow): void {
    this.db
      .prepare("INSERT INTO published_ports VALUES (?, ?, ?)")
      .run(p.containerId, JSON.stringify(p.bindings), JSON.stringify(p.rules));
  }

  deletePublished(containerId: string): void {
    this.db.prepare("DELETE FROM published_ports WHERE container_id = ?").run(containerId);
  }
}
