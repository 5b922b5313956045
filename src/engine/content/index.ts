/**
 * content: content-addressed blobs (image configs, manifests, layer tars).
 * Glossary: a *blob* is bytes named by their sha256 *digest*; an *ingest* is a
 * write in progress, invisible until verified and renamed into place.
 */
export {
  LocalContentStore,
  syncDir,
  type BlobInfo,
  type ContentIngester,
  type ContentProvider,
  type ContentStore,
} from "./store.js";
