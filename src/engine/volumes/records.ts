/** Volume rows in SQLite; the database is the durable truth, read on demand. */
import type { Db } from "../store/index.js";

export interface VolumeRecord {
  name: string;
  driver: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  createdNano: bigint;
  anonymous: boolean;
}

interface Row {
  name: string;
  driver: string;
  labels: string;
  options: string;
  created_nano: string;
  anonymous: number;
}

function fromRow(r: Row): VolumeRecord {
  return {
    name: r.name,
    driver: r.driver,
    labels: JSON.parse(r.labels) as Record<string, string>,
    options: JSON.parse(r.options) as Record<string, string>,
    createdNano: BigInt(r.created_nano),
    anonymous: r.anonymous !== 0,
  };
}

export class VolumeRecords {
  constructor(private readonly db: Db) {}

  insert(v: VolumeRecord): void {
    this.db
      .prepare(
        "INSERT INTO volumes (name, driver, labels, options, created_nano, anonymous) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(
        v.name,
        v.driver,
        JSON.stringify(v.labels),
        JSON.stringify(v.options),
        v.createdNano.toString(),
        v.anonymous ? 1 : 0,
      );
  }

  get(name: string): VolumeRecord | undefined {
    const r = this.db.prepare<[string], Row>("SELECT * FROM volumes WHERE name = ?").get(name);
    return r === undefined ? undefined : fromRow(r);
  }

  all(): VolumeRecord[] {
    return this.db.prepare<[], Row>("SELECT * FROM volumes ORDER BY name").all().map(fromRow);
  }

  count(): number {
    return this.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM volumes").get()?.n ?? 0;
  }

  /** Deletes the row and its holders in one transaction. */
  delete(name: string): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM volume_holders WHERE volume = ?").run(name);
      this.db.prepare("DELETE FROM volumes WHERE name = ?").run(name);
    })();
  }

  holders(name: string): string[] {
    return this.db
      .prepare<[string], { holder: string }>(
        "SELECT holder FROM volume_holders WHERE volume = ? ORDER BY holder",
      )
      .all(name)
      .map((r) => r.holder);
  }

  addHolder(name: string, holder: string): void {
    this.db.prepare("INSERT OR IGNORE INTO volume_holders (volume, holder) VALUES (?, ?)").run(name, holder);
  }

  removeHolder(name: string, holder: string): void {
    this.db.prepare("DELETE FROM volume_holders WHERE volume = ? AND holder = ?").run(name, holder);
  }

  /** Every (volume, holder) pair. */
  allHolders(): { volume: string; holder: string }[] {
    return this.db
      .prepare<[], { volume: string; holder: string }>("SELECT volume, holder FROM volume_holders")
      .all();
  }
}
