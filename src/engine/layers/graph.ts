/**
 * The layer graph in SQLite: one row per read-only layer (keyed by chainID,
 * pointing at its parent) and one per container read-write layer. All
 * methods are synchronous (better-sqlite3), so a check-then-write pair in one
 * method cannot interleave with another request.
 */
import { notFound } from "../errors.js";
import type { ChainId, DiffId } from "../ids.js";
import type { Statement } from "better-sqlite3";
import type { Db, ModuleSchema } from "../store/index.js";
import type { Layer } from "./types.js";

export const layersSchema: ModuleSchema = {
  module: "layers",
  migrations: [
    `CREATE TABLE layers (
       chain_id TEXT PRIMARY KEY,
       diff_id TEXT NOT NULL,
       parent TEXT,
       cache_id TEXT NOT NULL UNIQUE,
       size INTEGER NOT NULL,
       tar_size INTEGER NOT NULL,
       refcount INTEGER NOT NULL DEFAULT 0,
       created TEXT NOT NULL
     );
     CREATE INDEX layers_parent ON layers(parent);
     CREATE TABLE rw_layers (
       id TEXT PRIMARY KEY,
       parent TEXT,
       created TEXT NOT NULL
     );`,
  ],
};

export interface LayerRow {
  chain_id: string;
  diff_id: string;
  parent: string | null;
  cache_id: string;
  size: number;
  tar_size: number;
  refcount: number;
  created: string;
}

export interface RwRow {
  id: string;
  parent: string | null;
  created: string;
}

export function toLayer(r: LayerRow): Layer {
  return {
    chainId: r.chain_id as ChainId,
    diffId: r.diff_id as DiffId,
    parent: (r.parent ?? undefined) as ChainId | undefined,
    size: r.size,
    tarSize: r.tar_size,
  };
}

export function noSuchLayer(chainId: string): Error {
  return notFound(`layer does not exist: ${chainId}`);
}

export class LayerGraph {
  /** Prepared statements by their SQL: containers' create, mount and remove run these every time. */
  private readonly stmts = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  private q<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> {
    let st = this.stmts.get(sql);
    if (st === undefined) {
      st = this.db.prepare(sql);
      this.stmts.set(sql, st);
    }
    return st as unknown as Statement<P, R>;
  }

  row(chainId: string): LayerRow | undefined {
    return this.q<[string], LayerRow>("SELECT * FROM layers WHERE chain_id = ?").get(chainId);
  }

  rows(): LayerRow[] {
    return this.q<[], LayerRow>("SELECT * FROM layers").all();
  }

  /** Inserts unless the chainID exists; returns the row that is now there and whether it is ours. */
  insert(r: Omit<LayerRow, "refcount" | "created">): { row: LayerRow; inserted: boolean } {
    return this.db.transaction(() => {
      const existing = this.row(r.chain_id);
      if (existing) return { row: existing, inserted: false };
      this.q(
        "INSERT INTO layers (chain_id, diff_id, parent, cache_id, size, tar_size, refcount, created) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
      ).run(r.chain_id, r.diff_id, r.parent, r.cache_id, r.size, r.tar_size, new Date().toISOString());
      return { row: this.row(r.chain_id) as LayerRow, inserted: true };
    })();
  }

  retain(chainId: string): void {
    const res = this.q("UPDATE layers SET refcount = refcount + 1 WHERE chain_id = ?").run(chainId);
    if (res.changes === 0) throw noSuchLayer(chainId);
  }

  /** Drops one reference; throws not-found if the layer is unknown. Returns the new count. */
  unref(chainId: string): number {
    const row = this.row(chainId);
    if (!row) throw noSuchLayer(chainId);
    if (row.refcount <= 0) return 0;
    this.q("UPDATE layers SET refcount = refcount - 1 WHERE chain_id = ?").run(chainId);
    return row.refcount - 1;
  }

  hasChildren(chainId: string): boolean {
    return this.q("SELECT 1 FROM layers WHERE parent = ? LIMIT 1").get(chainId) !== undefined;
  }

  /**
   * Deletes the rows of `chainId` and then its ancestors while each has no
   * reference, no child and is not `pinned`. Returns the cache dirs to remove.
   */
  collect(chainId: string, pinned: (c: string) => boolean): string[] {
    return this.db.transaction(() => {
      const dirs: string[] = [];
      let cur: string | null = chainId;
      while (cur !== null) {
        const row = this.row(cur);
        if (!row || row.refcount > 0 || pinned(cur) || this.hasChildren(cur)) break;
        this.q("DELETE FROM layers WHERE chain_id = ?").run(cur);
        dirs.push(row.cache_id);
        cur = row.parent;
      }
      return dirs;
    })();
  }

  /** Deletes a row and all its descendants (their files are gone); returns their cache dirs. */
  dropTree(chainId: string): string[] {
    return this.db.transaction(() => {
      const dirs: string[] = [];
      const todo = [chainId];
      while (todo.length > 0) {
        const c = todo.pop() as string;
        const row = this.row(c);
        if (!row) continue;
        for (const k of this.q<[string], { chain_id: string }>(
          "SELECT chain_id FROM layers WHERE parent = ?",
        ).all(c)) {
          todo.push(k.chain_id);
        }
        this.q("DELETE FROM layers WHERE chain_id = ?").run(c);
        dirs.push(row.cache_id);
      }
      return dirs;
    })();
  }

  rw(id: string): RwRow | undefined {
    return this.q<[string], RwRow>("SELECT * FROM rw_layers WHERE id = ?").get(id);
  }

  rwRows(): RwRow[] {
    return this.q<[], RwRow>("SELECT * FROM rw_layers").all();
  }

  /** Records a read-write layer and retains its parent, atomically. */
  insertRw(id: string, parent: string | undefined): void {
    this.db.transaction(() => {
      if (parent !== undefined) this.retain(parent);
      this.q("INSERT INTO rw_layers (id, parent, created) VALUES (?, ?, ?)").run(
        id,
        parent ?? null,
        new Date().toISOString(),
      );
    })();
  }

  /** Forgets a read-write layer and drops its reference on the parent, atomically. */
  deleteRw(id: string): RwRow | undefined {
    return this.db.transaction(() => {
      const row = this.rw(id);
      if (!row) return undefined;
      this.q("DELETE FROM rw_layers WHERE id = ?").run(id);
      if (row.parent !== null && this.row(row.parent)) this.unref(row.parent);
      return row;
    })();
  }
}
