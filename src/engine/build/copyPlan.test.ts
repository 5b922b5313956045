import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compilePattern } from "./dockerignore.js";
import { excludePatterns } from "./copyFilter.js";
import { planDigest, planEntries } from "./copyPlan.js";

function tree(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "berth-plan-"));
  for (const f of files) {
    mkdirSync(join(dir, f, ".."), { recursive: true });
    if (f.endsWith("/")) mkdirSync(join(dir, f), { recursive: true });
    else writeFileSync(join(dir, f), f);
  }
  return dir;
}

test("a plan keeps what the filter keeps, parents first, and the directories on the way", async () => {
  const dir = tree(["a.txt", "b.md", "docs/keep.md", "docs/x.md", "src/x/y/c.txt", "src/z.go", "empty/"]);
  try {
    const rels = (p: ReturnType<typeof planEntries>) => p.map((e) => e.rel);
    assert.deepEqual(rels(planEntries(dir, { exclude: excludePatterns(["*.md", "src"]) })), [
      "a.txt",
      "docs",
      "docs/keep.md",
      "docs/x.md",
      "empty",
    ]);
    // An exception brings one file back: its excluded parent comes with it.
    assert.deepEqual(rels(planEntries(dir, { exclude: excludePatterns(["docs", "src", "!docs/keep.md"]) })), [
      "a.txt",
      "b.md",
      "docs",
      "docs/keep.md",
      "empty",
    ]);
    // --parents' include: only the matches and their parent directories; empty directories go.
    assert.deepEqual(rels(planEntries(dir, { include: compilePattern("src/**/*.txt"), exclude: [] })), [
      "src",
      "src/x",
      "src/x/y",
      "src/x/y/c.txt",
    ]);
    assert.deepEqual(rels(planEntries(dir, { include: compilePattern("nothing*"), exclude: [] })), []);
    // The digest follows the paths kept: the same files under another layout hash differently.
    const a = await planDigest(planEntries(dir, { include: compilePattern("src/x"), exclude: [] }));
    const b = await planDigest(planEntries(join(dir, "src"), { include: compilePattern("x"), exclude: [] }));
    assert.notEqual(a, b);
    assert.equal(a, await planDigest(planEntries(dir, { include: compilePattern("src/x"), exclude: [] })));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
