/**
 * Container records in SQLite, with an in-memory copy for reads. The unique
 * index on `name` decides races between two creates (or renames) of one
 * name: one insert wins, the other gets Docker's 409 text.
 */
import { conflict, invalid, notFound } from "../errors.js";
import type { ContainerId } from "../ids.js";
import { messages } from "../messages.js";
import type { Db, ModuleSchema } from "../store/index.js";
import type { Container } from "./model.js";

export const containersSchema: ModuleSchema = {
  module: "containers",
  migrations: [
    `CREATE TABLE containers (
       id TEXT PRIMARY KEY,
       name TEXT NOT NULL UNIQUE,
       record TEXT NOT NULL,
       create_body BLOB
     )`,
  ],
};

interface Row {
  id: string;
  name: string;
  record: string;
  create_body: Buffer | null;
}

type Stored = Omit<Container, "createBody">;

export class ContainerStore {
  private readonly byId = new Map<ContainerId, Container>();
  // Prepared once: every state change of every container writes through them.
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly deleteStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare<[string, string, string, Buffer | null]>(
      "INSERT INTO containers (id, name, record, create_body) VALUES (?, ?, ?, ?)",
    );
    this.updateStmt = db.prepare<[string, string, string]>(
      "UPDATE containers SET name = ?, record = ? WHERE id = ?",
    );
    this.deleteStmt = db.prepare<[string]>("DELETE FROM containers WHERE id = ?");
    for (const row of db.prepare<[], Row>("SELECT id, name, record, create_body FROM containers").all()) {
      const rec = JSON.parse(row.record) as Stored;
      this.byId.set(rec.id, { ...rec, createBody: row.create_body ?? undefined });
    }
  }

  /** Inserts a new record; a taken name is a conflict with Docker's text. */
  insert(c: Container): void {
    try {
      this.insertStmt.run(c.id, c.name, serialize(c), c.createBody ?? null);
    } catch (err) {
      throw this.nameConflict(err, c.name);
    }
    this.byId.set(c.id, c);
  }

  /** Writes the record's new version (state changes, restart count…). */
  update(c: Container): void {
    if (!this.byId.has(c.id)) throw notFound(messages.noSuchContainer(c.id));
    try {
      this.updateStmt.run(c.name, serialize(c), c.id);
    } catch (err) {
      throw this.nameConflict(err, c.name);
    }
    this.byId.set(c.id, c);
  }

  delete(id: ContainerId): void {
    this.deleteStmt.run(id);
    this.byId.delete(id);
  }

  get(id: ContainerId): Container | undefined {
    return this.byId.get(id);
  }

  all(): Container[] {
    return [...this.byId.values()];
  }

  /**
   * What a user typed (full ID, name with or without "/", or unique ID
   * prefix) to the container, in Docker's order of precedence.
   */
  resolve(ref: string): Container {
    const found = resolveRef(this.byId.values(), ref);
    if (found === undefined) throw notFound(messages.noSuchContainer(ref));
    return found;
  }

  private nameConflict(err: unknown, name: string): unknown {
    if (err instanceof Error && /UNIQUE constraint failed: containers\.name/.test(err.message)) {
      const row = this.db
        .prepare<[string], { id: string }>("SELECT id FROM containers WHERE name = ?")
        .get(name);
      return conflict(messages.containerNameInUse(name, row?.id ?? ""));
    }
    return err;
  }
}

function serialize(c: Container): string {
  const { createBody: _omit, ...rest } = c;
  void _omit;
  return JSON.stringify(rest);
}

/** Pure resolution over a set of records; ambiguity is `invalid`, as Docker answers. */
export function resolveRef(all: Iterable<Container>, ref: string): Container | undefined {
  if (ref === "") return undefined;
  const list = [...all];
  const exact = list.find((c) => c.id === ref);
  if (exact) return exact;
  const name = ref.startsWith("/") ? ref.slice(1) : ref;
  const named = list.find((c) => c.name === name);
  if (named) return named;
  if (!/^[a-f0-9]+$/.test(ref)) return undefined;
  const matches = list.filter((c) => c.id.startsWith(ref));
  if (matches.length > 1) throw invalid(messages.ambiguousContainer(ref));
  return matches[0];
}
