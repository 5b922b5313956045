/**
 * bzip2, xz and zstd archives end to end with the docker CLI: ADD extracts them (and copies
 * a compressed file that is not a tar as it is, as moby's IsArchivePath decides), `docker
 * import` and `docker load` take them. Uses the host's bzip2, xz and zstd.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { busyboxTar, startDaemon, stopClean, type TestDaemon } from "./harness/daemon.js";

let d: TestDaemon;
const scratch = mkdtempSync(join(tmpdir(), "berth-compressed-"));
const env = { DOCKER_BUILDKIT: "0" };

const compressors = {
  bzip2: (b: Buffer) => execFileSync("bzip2", ["-c"], { input: b, maxBuffer: 1 << 28 }),
  xz: (b: Buffer) => execFileSync("xz", ["-c", "-T1"], { input: b, maxBuffer: 1 << 28 }),
  zstd: (b: Buffer) => execFileSync("zstd", ["-c", "-q"], { input: b, maxBuffer: 1 << 28 }),
};

/** A tar of `dir/` holding `hello.txt`, made by GNU tar. */
function helloTar(): Buffer {
  const src = join(scratch, "src");
  mkdirSync(join(src, "dir"), { recursive: true });
  writeFileSync(join(src, "dir/hello.txt"), "hello from the archive\n");
  return execFileSync("tar", ["-C", src, "-cf", "-", "dir"]);
}

async function docker(args: string[], input?: Buffer): Promise<string> {
  const r = await d.docker(args, { env, timeoutMs: 120_000, ...(input !== undefined ? { input } : {}) });
  assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

before(async () => {
  d = await startDaemon();
  await docker(["import", "-", "busybox:latest"], busyboxTar());
});
after(async () => {
  await stopClean(d);
  rmSync(scratch, { recursive: true, force: true });
});

test("ADD extracts .tar.bz2, .tar.xz and .tar.zst; a gzipped text file is copied as it is", async () => {
  const tar = helloTar();
  const dir = join(scratch, "ctx");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "a.tar.bz2"), compressors.bzip2(tar));
  writeFileSync(join(dir, "a.tar.xz"), compressors.xz(tar));
  writeFileSync(join(dir, "a.tar.zst"), compressors.zstd(tar));
  const note = gzipSync(Buffer.from("just a note\n"));
  writeFileSync(join(dir, "note.txt.gz"), note);
  writeFileSync(
    join(dir, "Dockerfile"),
    [
      "FROM busybox",
      "ADD a.tar.bz2 /bz/",
      "ADD a.tar.xz /xz/",
      "ADD a.tar.zst /zst/",
      "ADD note.txt.gz /notes/",
      "",
    ].join("\n"),
  );
  await docker(["build", "--network", "none", "-t", "added:1", dir]);
  const out = await docker([
    "run",
    "--rm",
    "--network",
    "none",
    "added:1",
    "cat",
    "/bz/dir/hello.txt",
    "/xz/dir/hello.txt",
    "/zst/dir/hello.txt",
  ]);
  assert.equal(out, "hello from the archive\n".repeat(3));
  const copied = await docker([
    "run",
    "--rm",
    "--network",
    "none",
    "added:1",
    "base64",
    "/notes/note.txt.gz",
  ]);
  assert.deepEqual(Buffer.from(copied.replace(/\s/g, ""), "base64"), note);
});

test("ADD of a corrupt .tar.xz fails the build with a clear error", async () => {
  const dir = join(scratch, "corrupt");
  mkdirSync(dir, { recursive: true });
  const xz = compressors.xz(helloTar());
  writeFileSync(join(dir, "bad.tar.xz"), xz.subarray(0, xz.length - 30));
  writeFileSync(join(dir, "Dockerfile"), "FROM busybox\nADD bad.tar.xz /x/\n");
  const r = await d.docker(["build", "--network", "none", dir], { env, timeoutMs: 120_000 });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /invalid xz stream/);
});

test("docker import and docker load take xz, bzip2 and zstd tars", async () => {
  await docker(["import", "-", "imp:xz"], compressors.xz(busyboxTar()));
  assert.equal(await docker(["run", "--rm", "--network", "none", "imp:xz", "echo", "ok"]), "ok\n");
  const saved = join(scratch, "saved.tar");
  await docker(["save", "-o", saved, "imp:xz"]);
  for (const [name, compress] of Object.entries(compressors)) {
    await docker(["rmi", "imp:xz"]);
    const file = join(scratch, `saved.tar.${name}`);
    writeFileSync(file, compress(readFileSync(saved)));
    assert.match(await docker(["load", "-i", file]), /Loaded image: imp:xz/);
    assert.equal(await docker(["run", "--rm", "--network", "none", "imp:xz", "echo", name]), `${name}\n`);
  }
});

test("docker cp - and build - take compressed tars: gzip, bzip2, xz, zstd", async () => {
  const tar = helloTar();
  const id = (await docker(["create", "--name", "cp-target", "busybox", "true"])).trim();
  for (const [name, pack] of Object.entries({ gzip: gzipSync, ...compressors })) {
    await docker(["cp", "-", `cp-target:/tmp`], pack(tar));
    const out = await docker(["cp", "cp-target:/tmp/dir/hello.txt", "-"]);
    assert.match(out, /hello from the archive/, `${name} tar copied in`);
    await docker(["run", "--rm", "--volumes-from", id, "busybox", "true"]); // the container is intact
  }
  await docker(["rm", "cp-target"]);
  // A build context on stdin, xz-compressed.
  const ctx = join(scratch, "stdin-ctx");
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, "Dockerfile"), "FROM busybox\nCOPY dir/hello.txt /\nRUN cat /hello.txt\n");
  writeFileSync(join(ctx, "hello.txt"), "");
  mkdirSync(join(ctx, "dir"), { recursive: true });
  writeFileSync(join(ctx, "dir/hello.txt"), "hello from stdin\n");
  const ctxTar = execFileSync("tar", ["-C", ctx, "-cf", "-", "."]);
  const built = await docker(["build", "--network", "none", "-"], compressors.xz(ctxTar));
  assert.match(built, /hello from stdin/);
});
