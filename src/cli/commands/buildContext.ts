/**
 * The context `berth build` sends: a directory packed as a tar with `.dockerignore` applied
 * (the Dockerfile and .dockerignore always go, as with the docker CLI), a Dockerfile from
 * outside the context or from stdin added under a random name the daemon ignores, or stdin.
 */
import { randomBytes } from "node:crypto";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { relative, resolve } from "node:path";
import tar, { type Header } from "tar-stream";

type HeaderArg = Partial<Header> & Pick<Header, "name">;
import {
  compilePattern,
  isIgnored,
  parseDockerignore,
  type IgnorePattern,
} from "../../engine/build/dockerignore.js";

async function collect(pack: tar.Pack): Promise<Buffer> {
  const chunks: Buffer[] = [];
  pack.on("data", (c: unknown) => void chunks.push(c as Buffer));
  await new Promise<void>((res, rej) => {
    pack.on("end", () => res());
    pack.on("error", rej);
  });
  return Buffer.concat(chunks);
}

function add(pack: tar.Pack, header: HeaderArg, body: Buffer = Buffer.alloc(0)): Promise<void> {
  return new Promise((res, rej) => pack.entry(header, body, (err) => (err ? rej(err) : res())));
}

export interface PackedContext {
  tar: Buffer;
  /** The `dockerfile` query value. */
  dockerfile: string | undefined;
}

/** Packs `dir`; `dockerfile` is the -f path (relative to the cwd), `dockerfileText` a -f - body. */
export async function packDirectory(
  dir: string,
  dockerfile?: string,
  dockerfileText?: string,
): Promise<PackedContext> {
  const root = resolve(dir);
  const st = await lstat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new Error(`unable to prepare context: path "${dir}" not found`);
  const ignoreText = await readFile(`${root}/.dockerignore`, "utf8").catch(() => "");
  const patterns: IgnorePattern[] = parseDockerignore(ignoreText);
  let dfRel: string | undefined;
  let outside: Buffer | undefined = dockerfileText !== undefined ? Buffer.from(dockerfileText) : undefined;
  if (dockerfile !== undefined && dockerfileText === undefined) {
    const abs = resolve(dockerfile);
    const rel = relative(root, abs);
    if (rel.startsWith("..") || rel === "") outside = await readFile(abs);
    else dfRel = rel;
  }
  patterns.push(compilePattern(dfRel ?? "Dockerfile", true), compilePattern(".dockerignore", true));
  const hasExceptions = patterns.some((p) => p.exclusion);
  const pack = tar.pack();
  const done = collect(pack);
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(rel === "" ? root : `${root}/${rel}`)).sort()) {
      const r = rel === "" ? name : `${rel}/${name}`;
      const s = await lstat(`${root}/${r}`);
      const ignored = isIgnored(r, patterns);
      if (ignored && !(s.isDirectory() && hasExceptions)) continue;
      const base = { name: r, mode: s.mode & 0o7777, mtime: s.mtime, uid: 0, gid: 0 };
      if (s.isDirectory()) {
        if (!ignored) await add(pack, { ...base, type: "directory" });
        await walk(r);
      } else if (s.isSymbolicLink())
        await add(pack, { ...base, type: "symlink", linkname: await readlink(`${root}/${r}`) });
      else if (s.isFile())
        await add(pack, { ...base, type: "file", size: s.size }, await readFile(`${root}/${r}`));
    }
  };
  let name = dfRel;
  try {
    await walk("");
    if (outside !== undefined) {
      name = `.dockerfile.${randomBytes(10).toString("hex")}`;
      const now = new Date();
      await add(pack, { name, mode: 0o600, mtime: now, uid: 0, gid: 0, type: "file" }, outside);
      await add(
        pack,
        { name: ".dockerignore", mode: 0o600, mtime: now, uid: 0, gid: 0, type: "file" },
        Buffer.from(`${ignoreText}\n.dockerignore\n${name}\n`),
      );
    }
  } finally {
    pack.finalize();
  }
  return { tar: await done, dockerfile: name };
}

/** A lone Dockerfile (stdin that is not an archive) as a context. */
export async function dockerfileContext(text: Buffer): Promise<Buffer> {
  const pack = tar.pack();
  const done = collect(pack);
  await add(pack, { name: "Dockerfile", mode: 0o600, mtime: new Date(), uid: 0, gid: 0, type: "file" }, text);
  pack.finalize();
  return done;
}

/** Whether bytes start a tar, gzip, bzip2 or xz archive. */
export function looksLikeArchive(b: Buffer): boolean {
  if (b.length >= 3 && b[0] === 0x1f && b[1] === 0x8b) return true;
  if (b.length >= 3 && b.subarray(0, 3).toString("latin1") === "BZh") return true;
  if (b.length >= 6 && b[0] === 0xfd && b.subarray(1, 5).toString("latin1") === "7zXZ") return true;
  return b.length >= 262 && b.subarray(257, 262).toString("latin1") === "ustar";
}
