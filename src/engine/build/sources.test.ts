import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, utimesSync, writeFileSync, mkdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  cleanSource,
  expandSources,
  matchWildcard,
  sourcesLabel,
  treeDigest,
  type KnownEntry,
  type KnownTree,
} from "./sources.js";

test("source paths stay inside the context", async () => {
  assert.equal(cleanSource("./a/../b"), "b");
  assert.throws(() => cleanSource("../x"), /forbidden path outside the build context: \.\.\/x/);
  const dir = mkdtempSync(join(tmpdir(), "berth-src-"));
  try {
    mkdirSync(join(dir, "d"));
    writeFileSync(join(dir, "d", "a.txt"), "a");
    writeFileSync(join(dir, "b.txt"), "b");
    symlinkSync("/etc/passwd", join(dir, "escape"));
    const s = await expandSources(dir, ["*.txt", "d"], "COPY");
    assert.deepEqual(
      s.map((x) => [x.name, x.isDir]),
      [
        ["b.txt", false],
        ["d", true],
      ],
    );
    // An absolute symlink resolves inside the context root, never on the host.
    await assert.rejects(expandSources(dir, ["escape"], "COPY"), /file not found in build context/);
    await assert.rejects(expandSources(dir, ["nope*"], "COPY"), /no source files were specified/);
    await assert.rejects(
      expandSources(dir, ["../b.txt"], "COPY"),
      /^EngineError: COPY failed: forbidden path outside the build context: \.\.\/b\.txt \(\)$/,
    );
    // The hash follows content, not mtimes.
    const h1 = await treeDigest(join(dir, "d"));
    utimesSync(join(dir, "d", "a.txt"), new Date(0), new Date(0));
    assert.equal(await treeDigest(join(dir, "d")), h1);
    writeFileSync(join(dir, "d", "a.txt"), "A");
    assert.notEqual(await treeDigest(join(dir, "d")), h1);
    assert.match(await sourcesLabel(s.slice(0, 1)), /^file:[0-9a-f]{64}$/);
    assert.match(await sourcesLabel(s), /^multi:[0-9a-f]{64}$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("treeDigest: an index gives the digest the disk gives, and is read instead of the disk", async () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-src-"));
  try {
    mkdirSync(join(dir, "d", "sub"), { recursive: true });
    writeFileSync(join(dir, "d", "a"), "a");
    writeFileSync(join(dir, "d", "sub", "b"), "bb");
    symlinkSync("a", join(dir, "d", "link"));
    chmodSync(join(dir, "d", "a"), 0o640);
    const sha = (s: string) => createHash("sha256").update(s).digest("hex");
    const entries = new Map<string, KnownEntry>([
      ["d", { type: "dir", mode: 0o755 & ~process.umask(), uid: 0, gid: 0 }],
      ["d/a", { type: "file", mode: 0o640, uid: 0, gid: 0, sha256: sha("a") }],
      ["d/sub", { type: "dir", mode: 0o755 & ~process.umask(), uid: 0, gid: 0 }],
      ["d/sub/b", { type: "file", mode: 0o644 & ~process.umask(), uid: 0, gid: 0, sha256: sha("bb") }],
      ["d/link", { type: "symlink", mode: 0o777, uid: 0, gid: 0, linkname: "a" }],
    ]);
    const listing: Record<string, string[]> = { d: ["sub", "link", "a"], "d/sub": ["b"] };
    const tree = (e: Map<string, KnownEntry>): KnownTree => ({
      root: dir,
      entry: (rel) => e.get(rel),
      children: (rel) => listing[rel],
    });
    const fromDisk = await treeDigest(join(dir, "d"));
    assert.equal(await treeDigest(join(dir, "d"), tree(entries)), fromDisk);
    // An index that covers only part of the tree: the rest comes from the disk, same digest.
    const partial = new Map(entries);
    partial.delete("d/sub");
    assert.equal(await treeDigest(join(dir, "d"), tree(partial)), fromDisk);
    // The index is what is read: a different recorded content changes the digest.
    const other = new Map(entries).set("d/a", {
      type: "file",
      mode: 0o640,
      uid: 0,
      gid: 0,
      sha256: sha("x"),
    });
    assert.notEqual(await treeDigest(join(dir, "d"), tree(other)), fromDisk);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("matchWildcard: paths matching a wildcard path, symlinks not followed", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-src-"));
  for (const f of ["test/a/b/c/f", "test/a/b2/c/g", "test/a/x/c/h", "other/f"]) {
    mkdirSync(join(dir, f, ".."), { recursive: true });
    writeFileSync(join(dir, f), f);
  }
  try {
    symlinkSync("/etc", join(dir, "test", "a", "bl"));
    assert.deepEqual(matchWildcard(dir, "test/a/b*"), ["test/a/b", "test/a/b2", "test/a/bl"]);
    assert.deepEqual(matchWildcard(dir, "test/a/*/c"), ["test/a/b/c", "test/a/b2/c", "test/a/x/c"]);
    assert.deepEqual(matchWildcard(dir, "nope*"), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
