/**
 * The images module's tables. The config bytes live in the content store
 * (their digest is the image ID); these rows say which configs are images
 * and which names point at them.
 */
import type { ModuleSchema } from "../store/index.js";

export const imagesSchema: ModuleSchema = {
  module: "images",
  migrations: [
    `CREATE TABLE images (
       id TEXT PRIMARY KEY,
       chain_id TEXT,
       parent TEXT NOT NULL DEFAULT '',
       added_nano TEXT NOT NULL,
       last_tag_nano TEXT
     );
     CREATE TABLE image_refs (
       name TEXT PRIMARY KEY,
       image_id TEXT NOT NULL REFERENCES images(id),
       kind TEXT NOT NULL CHECK (kind IN ('tag', 'digest')),
       added_nano TEXT NOT NULL
     );
     CREATE INDEX image_refs_by_image ON image_refs(image_id);`,
  ],
};
