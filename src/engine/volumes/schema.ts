/**
 * The volumes module's tables: one row per volume, and the holders (container
 * IDs) of volumes whose device is mounted, so a restarted berthd knows which
 * mounts are still wanted.
 */
import type { ModuleSchema } from "../store/index.js";

export const volumesSchema: ModuleSchema = {
  module: "volumes",
  migrations: [
    `CREATE TABLE volumes (
       name TEXT PRIMARY KEY,
       driver TEXT NOT NULL,
       labels TEXT NOT NULL,
       options TEXT NOT NULL,
       created_nano TEXT NOT NULL,
       anonymous INTEGER NOT NULL
     );
     CREATE TABLE volume_holders (
       volume TEXT NOT NULL REFERENCES volumes(name) ON DELETE CASCADE,
       holder TEXT NOT NULL,
       PRIMARY KEY (volume, holder)
     );`,
  ],
};
