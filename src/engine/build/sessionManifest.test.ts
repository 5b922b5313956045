import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkManifestPath, neededFiles, parseManifest } from "./sessionManifest.js";
import type { MirrorIndex } from "./contextMirror.js";

const entry = (over: Record<string, unknown>) => ({
  path: "a",
  type: "file",
  mode: 0o644,
  uid: 0,
  gid: 0,
  mtime: 1_700_000_000,
  size: 3,
  sig: "1:2:3:4:5",
  ...over,
});

describe("build session manifest", () => {
  it("rejects hostile paths with a clear error", () => {
    for (const p of ["../x", "a/../../b", "/etc/passwd", "a/./b", "a//b", "a/", ".", "..", "", "a\0b"])
      assert.throws(() => parseManifest([entry({ path: p })]), /invalid build context manifest/, p);
    assert.throws(() => checkManifestPath("../x"), /unsafe path "..\/x"/);
    assert.throws(() => checkManifestPath("/x"), /absolute path "\/x"/);
    assert.equal(checkManifestPath("a/.b/..c/d.."), "a/.b/..c/d..");
  });

  it("rejects duplicates, bad fields and entries under a non-directory", () => {
    assert.throws(() => parseManifest([entry({}), entry({})]), /a is listed twice/);
    assert.throws(() => parseManifest([entry({ type: "fifo" })]), /invalid type/);
    assert.throws(() => parseManifest([entry({ mode: 0o10000 })]), /invalid mode/);
    assert.throws(() => parseManifest([entry({ uid: -1 })]), /invalid uid/);
    assert.throws(() => parseManifest([entry({ mtime: "x" })]), /invalid mtime/);
    assert.throws(() => parseManifest([entry({ type: "symlink" })]), /a symlink needs a target/);
    assert.throws(() => parseManifest({}), /manifest must be an array/);
    assert.throws(
      () =>
        parseManifest([entry({ path: "l", type: "symlink", linkname: "/etc" }), entry({ path: "l/passwd" })]),
      /l\/passwd is under l, which is not a directory/,
    );
    assert.throws(() => parseManifest([entry({}), entry({ path: "a/b" })]), /a\/b is under a/);
    const ok = parseManifest([entry({ path: "d", type: "dir" }), entry({ path: "d/f" })]);
    assert.deepEqual([...ok.keys()], ["d", "d/f"]);
  });

  it("needs files that are new, changed or unsigned", () => {
    const m = parseManifest([
      entry({ path: "same", sig: "s" }),
      entry({ path: "changed", sig: "c2" }),
      entry({ path: "new", sig: "n" }),
      entry({ path: "nosig", sig: undefined }),
      entry({ path: "d", type: "dir" }),
      entry({ path: "wasdir", sig: "w" }),
    ]);
    const index: MirrorIndex = new Map([
      ["same", { type: "file", mode: 0o644, uid: 0, gid: 0, mtime: 0, sha256: "x", sig: "s" }],
      ["changed", { type: "file", mode: 0o644, uid: 0, gid: 0, mtime: 0, sha256: "x", sig: "c1" }],
      ["nosig", { type: "file", mode: 0o644, uid: 0, gid: 0, mtime: 0, sha256: "x" }],
      ["wasdir", { type: "dir", mode: 0o755, uid: 0, gid: 0, mtime: 0, sig: "w" }],
    ]);
    assert.deepEqual(neededFiles(m, index), ["changed", "new", "nosig", "wasdir"]);
  });
});
