/**
 * The metadata database: one SQLite file in WAL mode. Every module owns its
 * tables and brings its own ordered migrations; the store applies each
 * module's pending ones in one transaction at open, so a crash mid-upgrade
 * leaves the previous schema intact.
 */
import Database from "better-sqlite3";

export type Db = Database.Database;

export interface ModuleSchema {
  /** Owner of the tables, e.g. "images". */
  module: string;
  /** Migration n (1-based) is the SQL at index n-1; never edit a landed one, append. */
  migrations: readonly string[];
}

export function openDatabase(path: string, schemas: readonly ModuleSchema[]): Db {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // NORMAL in WAL mode is crash-consistent (no torn transactions), and fast.
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db, schemas);
  return db;
}

export function migrate(db: Db, schemas: readonly ModuleSchema[]): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_versions (module TEXT PRIMARY KEY, version INTEGER NOT NULL)");
  const current = db.prepare<[string], { version: number }>(
    "SELECT version FROM schema_versions WHERE module = ?",
  );
  const record = db.prepare(
    "INSERT INTO schema_versions (module, version) VALUES (?, ?) ON CONFLICT(module) DO UPDATE SET version = excluded.version",
  );
  const apply = db.transaction((schema: ModuleSchema) => {
    const from = current.get(schema.module)?.version ?? 0;
    if (from > schema.migrations.length) {
      throw new Error(`database schema of ${schema.module} (v${from}) is newer than this berthd knows`);
    }
    for (let v = from; v < schema.migrations.length; v++) db.exec(schema.migrations[v] ?? "");
    if (from !== schema.migrations.length) record.run(schema.module, schema.migrations.length);
  });
  for (const schema of schemas) apply(schema);
}
