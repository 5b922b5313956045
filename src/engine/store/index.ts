/**
 * store: the SQLite metadata database.
 * Glossary: a *module schema* is one module's ordered list of migrations; the
 * database records, per module, how many have been applied.
 */
export { openDatabase, migrate, type Db, type ModuleSchema } from "./db.js";
