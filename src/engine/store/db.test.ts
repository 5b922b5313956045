import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "./db.js";

test("migrations apply once per module and resume where they stopped", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-db-"));
  try {
    const path = join(dir, "t.db");
    const v1 = { module: "things", migrations: ["CREATE TABLE things (id TEXT PRIMARY KEY)"] };
    openDatabase(path, [v1]).close();
    const v2 = {
      module: "things",
      migrations: [...v1.migrations, "ALTER TABLE things ADD COLUMN name TEXT"],
    };
    const db = openDatabase(path, [v2]);
    db.prepare("INSERT INTO things (id, name) VALUES ('a', 'b')").run();
    assert.equal(db.prepare("SELECT version FROM schema_versions WHERE module='things'").pluck().get(), 2);
    assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
    db.close();
    assert.throws(() => openDatabase(path, [v1]), /newer than this berthd knows/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
