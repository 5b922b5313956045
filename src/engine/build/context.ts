/**
 * The build context: the client's tar (plain or gzip) unpacked into a private directory with
 * the layer store's confinement rules (no entry escapes it), then the `.dockerignore` rules
 * applied again on the daemon's side, and the Dockerfile read out of it.
 */
import { lstat, mkdir, readdir, readFile, rm, rmdir, writeFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { errnoCode, invalid } from "../errors.js";
import { applyLayerTar } from "../layers/apply.js";
import { decompress, sniffCompression } from "../layers/decompress.js";
import { isIgnored, parseDockerignore, type IgnorePattern } from "./dockerignore.js";
import { cleanSource, type KnownTree } from "./sources.js";

export interface BuildContext {
  /** The unpacked context directory. */
  dir: string;
  /** What the context mirror's index knows of the directory (COPY hashes from it). */
  known?: KnownTree;
  dockerfileText: string;
  dockerfileName: string;
}

/** Unpacks a context tar into `dir` (created, must not exist). */
export async function unpackContext(tar: Readable | AsyncIterable<Uint8Array>, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await applyLayerTar(terminated(tar), dir);
}

/**
 * The docker CLI sends `-f` files outside the context appended to a tar it never closes: the
 * last member is unpadded and the end-of-archive blocks are missing (Go's tar reader accepts
 * that). Decompress, then pad to a block and add the two zero blocks; a proper tar just gets
 * a longer trailer.
 */
export async function* terminated(input: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const { compression, stream } = await sniffCompression(input);
  let size = 0;
  let any = false;
  for await (const b of decompress(compression, stream)) {
    any = true;
    size += b.length;
    yield b;
  }
  if (any) yield Buffer.alloc(((512 - (size % 512)) % 512) + 1024);
}

/** Writes a lone Dockerfile (remote= URL that is not an archive) as a context. */
export async function dockerfileOnlyContext(text: Buffer, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(`${dir}/Dockerfile`, text);
}

/** What a context mirror knows of the directory: no need to walk the disk. */
export interface ContextListing {
  /** Every path with its type (the mirror's index). */
  entries(): Iterable<[string, "file" | "dir" | "symlink"]>;
  /** Called before each removal: what the mirror has on disk is about to change. */
  changing(): void;
  /** Called for each path removed (the mirror forgets it). */
  forget(rel: string): void;
}

/**
 * Reads the Dockerfile and .dockerignore, then removes what .dockerignore excludes (from the
 * listing when there is one, else by walking the directory).
 */
export async function prepareContext(
  dir: string,
  dockerfile: string,
  listing?: ContextListing,
): Promise<BuildContext> {
  const name = dockerfile === "" ? "Dockerfile" : dockerfile;
  let rel: string;
  try {
    rel = cleanSource(name);
  } catch {
    throw invalid(`Cannot locate specified Dockerfile: ${name}`);
  }
  let text: string;
  try {
    text = await readFile(`${dir}/${rel}`, "utf8");
  } catch (err) {
    // Docker's fallback: "Dockerfile" missing, "dockerfile" present.
    if (name === "Dockerfile" && errnoCode(err) === "ENOENT") {
      text = await readFile(`${dir}/dockerfile`, "utf8").catch(() => {
        throw invalid(`Cannot locate specified Dockerfile: ${name}`);
      });
    } else throw invalid(`Cannot locate specified Dockerfile: ${name}`);
  }
  const ignoreText = await readFile(`${dir}/.dockerignore`, "utf8").catch(() => undefined);
  if (ignoreText !== undefined) {
    const patterns = parseDockerignore(ignoreText);
    if (patterns.length > 0) {
      if (listing !== undefined) await removeListed(dir, listing, patterns);
      else await removeIgnored(dir, "", patterns, () => undefined);
    }
  }
  return { dir, dockerfileText: text, dockerfileName: name };
}

/** removeIgnored's rules on a listing: deepest first, so a directory is seen after its children. */
async function removeListed(root: string, listing: ContextListing, patterns: readonly IgnorePattern[]) {
  const all = [...listing.entries()].sort((a, b) => b[0].length - a[0].length);
  for (const [rel, type] of all) {
    if (!isIgnored(rel, patterns)) continue;
    listing.changing();
    if (type === "dir") {
      const gone = await rmdir(`${root}/${rel}`).then(
        () => true,
        () => false, // something inside was re-included
      );
      if (gone) listing.forget(rel);
    } else {
      await rm(`${root}/${rel}`, { force: true });
      listing.forget(rel);
    }
  }
}

/** Removes ignored files; an ignored directory goes when nothing inside was re-included. */
async function removeIgnored(
  root: string,
  rel: string,
  patterns: readonly IgnorePattern[],
  onRemoved: (rel: string) => void,
): Promise<void> {
  const abs = rel === "" ? root : `${root}/${rel}`;
  for (const n of await readdir(abs)) {
    const childRel = rel === "" ? n : `${rel}/${n}`;
    const child = `${root}/${childRel}`;
    const st = await lstat(child);
    const ignored = isIgnored(childRel, patterns);
    if (st.isDirectory()) {
      await removeIgnored(root, childRel, patterns, onRemoved);
      if (ignored)
        await rmdir(child).then(
          () => onRemoved(childRel),
          () => undefined,
        );
    } else if (ignored) {
      await rm(child, { force: true });
      onRemoved(childRel);
    }
  }
}
