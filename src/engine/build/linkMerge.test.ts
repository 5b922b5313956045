import { test } from "node:test";
import assert from "node:assert/strict";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mergeStaged } from "./linkMerge.js";

test("a staged --link copy lays over the root like a layer: symlinks replaced, directories take its metadata", async () => {
  const base = mkdtempSync(join(tmpdir(), "berth-link-"));
  const root = join(base, "root");
  const staged = join(base, "staged");
  try {
    // The old filesystem: /app a symlink to /opt/app, /tmp 1777, /data/f a directory, /keep.
    mkdirSync(join(root, "opt", "app"), { recursive: true });
    writeFileSync(join(root, "opt", "app", "old"), "old");
    symlinkSync("/opt/app", join(root, "app"));
    mkdirSync(join(root, "tmp"));
    chmodSync(join(root, "tmp"), 0o1777);
    writeFileSync(join(root, "tmp", "other"), "o");
    mkdirSync(join(root, "data", "f"), { recursive: true });
    writeFileSync(join(root, "keep"), "k");
    // What the copy made in its empty directory.
    mkdirSync(join(staged, "app"), { recursive: true });
    writeFileSync(join(staged, "app", "new"), "new");
    mkdirSync(join(staged, "tmp"));
    chmodSync(join(staged, "tmp"), 0o755);
    writeFileSync(join(staged, "tmp", "x"), "x");
    chmodSync(join(staged, "tmp", "x"), 0o640);
    mkdirSync(join(staged, "data"));
    writeFileSync(join(staged, "data", "f"), "file");
    await mergeStaged(staged, root);

    assert.ok(lstatSync(join(root, "app")).isDirectory(), "the symlink is replaced, not followed");
    assert.equal(readFileSync(join(root, "app", "new"), "utf8"), "new");
    assert.deepEqual(
      [
        lstatSync(join(root, "opt", "app", "old")).isFile(),
        lstatSync(join(root, "opt", "app", "new"), { throwIfNoEntry: false }),
      ],
      [true, undefined],
    );
    // Directories merge, and take the staged directory's mode (BuildKit's documented --link effect).
    assert.equal(lstatSync(join(root, "tmp")).mode & 0o7777, 0o755);
    assert.equal(readFileSync(join(root, "tmp", "other"), "utf8"), "o");
    assert.equal(lstatSync(join(root, "tmp", "x")).mode & 0o7777, 0o640);
    // A file replaces a directory at its path; the rest stays.
    assert.equal(readFileSync(join(root, "data", "f"), "utf8"), "file");
    assert.equal(readFileSync(join(root, "keep"), "utf8"), "k");
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
