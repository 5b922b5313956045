import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { excludePatterns } from "./copyFilter.js";
import { copyUnits, unitsLabel } from "./copyUnits.js";
import { sourcesLabel } from "./sources.js";

function tree(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "berth-units-"));
  for (const f of files) {
    mkdirSync(join(dir, f, ".."), { recursive: true });
    writeFileSync(join(dir, f), f);
  }
  return dir;
}

const none = { parents: false, exclude: [] };

test("--parents units: the root or the pivot, with the rest of the path kept below it", async () => {
  const dir = tree(["x/y/a.txt", "x/y/b.txt", "x/z/c.txt", "test/a/b/c/d/foo", "test/a/b2/c/d/bar"]);
  try {
    const p = { parents: true, exclude: [] };
    const [whole] = await copyUnits(dir, ["./x/y/a.txt"], "COPY", p);
    assert.deepEqual(
      whole?.plan?.map((e) => e.rel),
      ["x", "x/y", "x/y/a.txt"],
    );
    assert.equal(whole?.abs, dir);
    const [pivot] = await copyUnits(dir, ["./x/./y/*.txt"], "COPY", p);
    assert.equal(pivot?.abs, join(dir, "x"));
    assert.deepEqual(
      pivot?.plan?.map((e) => e.rel),
      ["y", "y/a.txt", "y/b.txt"],
    );
    // Wildcards before the pivot: one unit per match.
    const wild = await copyUnits(dir, ["/test/a/b*/./c/**/foo"], "COPY", p);
    assert.deepEqual(
      wild.map((u) => [u.abs, u.plan?.map((e) => e.rel)]),
      [
        [join(dir, "test/a/b"), ["c", "c/d", "c/d/foo"]],
        [join(dir, "test/a/b2"), []],
      ],
    );
    // Exclusions are relative to the copy root.
    const [ex] = await copyUnits(dir, ["x"], "COPY", { parents: true, exclude: excludePatterns(["x/z"]) });
    assert.deepEqual(
      ex?.plan?.map((e) => e.rel),
      ["x", "x/y", "x/y/a.txt", "x/y/b.txt"],
    );
    // A path without wildcards must exist; wildcards may match nothing.
    await assert.rejects(
      copyUnits(dir, ["x/nope"], "COPY", p),
      /COPY failed: file not found in build context or excluded by \.dockerignore: stat x\/nope: file does not exist/,
    );
    assert.deepEqual(
      (await copyUnits(dir, ["x/nope*"], "COPY", p)).map((u) => u.plan),
      [[]],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--exclude plans directory sources only; labels change with what is kept, plain ones stay", async () => {
  const dir = tree(["d/a.txt", "d/b.md", "f.md"]);
  try {
    const plain = await copyUnits(dir, ["d", "f.md"], "COPY", none);
    assert.equal(await unitsLabel(plain, [], undefined), await sourcesLabel(plain, [], undefined));
    const ex = await copyUnits(dir, ["d", "f.md"], "COPY", {
      parents: false,
      exclude: excludePatterns(["*.md"]),
    });
    assert.deepEqual(
      ex[0]?.plan?.map((e) => e.rel),
      ["a.txt"],
    );
    assert.equal(ex[1]?.plan, undefined, "a file source is never excluded (fsutil matches below the source)");
    assert.notEqual(await unitsLabel(ex, [], undefined), await unitsLabel(plain, [], undefined));
    const one = await copyUnits(dir, ["d"], "COPY", { parents: false, exclude: excludePatterns(["*.md"]) });
    assert.match(await unitsLabel(one, [], undefined), /^dir:[0-9a-f]{64}$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
