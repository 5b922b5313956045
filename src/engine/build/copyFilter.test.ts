import { test } from "node:test";
import assert from "node:assert/strict";
import { compilePattern } from "./dockerignore.js";
import {
  decide,
  excludePatterns,
  goClean,
  hasWildcards,
  mayHoldMatches,
  splitParents,
} from "./copyFilter.js";

test("--parents: the /./ pivot splits the copy root from the kept path", () => {
  assert.deepEqual(splitParents("./x/./y/z"), { base: "x", pattern: "y/z" });
  assert.deepEqual(splitParents("x/a.txt"), { base: "", pattern: "x/a.txt" });
  assert.deepEqual(splitParents("./test/a/b/c/d"), { base: "", pattern: "test/a/b/c/d" });
  // Only the first pivot counts; the rest of the path is cleaned.
  assert.deepEqual(splitParents("/test/a/./b/./c"), { base: "test/a", pattern: "b/c" });
  // A trailing /. is no pivot.
  assert.deepEqual(splitParents("/test/a/b/c/d/."), { base: "", pattern: "test/a/b/c/d" });
  assert.deepEqual(splitParents("/test/a/b*/./c/**/e"), { base: "test/a/b*", pattern: "c/**/e" });
  // .. stops at the root, as BuildKit's NormalizePath does.
  assert.deepEqual(splitParents("../../x/./y"), { base: "x", pattern: "y" });
  assert.deepEqual(splitParents("x/./"), { base: "x", pattern: "" });
});

test("--exclude values are read like patternmatcher.New", () => {
  const p = excludePatterns([" *.md ", "", "!keep.md", "a/b/../c/", "/abs"]);
  assert.deepEqual(
    p.map((x) => [x.text, x.exclusion]),
    [
      ["*.md", false],
      ["keep.md", true],
      ["a/c", false],
      ["/abs", false],
    ],
  );
  assert.throws(() => excludePatterns(["!"]), /illegal exclusion pattern: "!"/);
  assert.throws(() => excludePatterns(["a[b"]), /syntax error in pattern/);
  assert.equal(goClean("a//b/"), "a/b");
  assert.equal(goClean(""), ".");
});

test("wildcards: * ? [ count, a backslash escapes", () => {
  assert.equal(hasWildcards("a/b*"), true);
  assert.equal(hasWildcards("a?"), true);
  assert.equal(hasWildcards("arr[[]0]"), true);
  assert.equal(hasWildcards("a\\*b"), false);
  assert.equal(hasWildcards("plain/path"), false);
});

test("exclude: matched relative to the source, a directory match covers its content", () => {
  const f = { exclude: excludePatterns(["*.txt", "build"]) };
  assert.equal(decide("a.txt", false, f), "skip");
  // Like .dockerignore: *.txt is one level only.
  assert.equal(decide("sub/a.txt", false, f), "copy");
  assert.equal(decide("build", true, f), "skip");
  assert.equal(decide("build/x", false, f), "skip");
  assert.equal(decide("src", true, f), "copy");
  const deep = { exclude: excludePatterns(["**/*.txt"]) };
  assert.equal(decide("sub/deeper/a.txt", false, deep), "skip");
});

test("exclude exceptions: an excluded directory is entered to find what comes back", () => {
  const f = { exclude: excludePatterns(["docs", "!docs/keep.md"]) };
  assert.equal(decide("docs", true, f), "descend");
  assert.equal(decide("docs/other.md", false, f), "skip");
  assert.equal(decide("docs/keep.md", false, f), "copy");
});

test("include (--parents): matches and what lies below them; directories on the way are entered", () => {
  const f = { include: compilePattern("src/**/*.txt"), exclude: [] };
  assert.equal(decide("src", true, f), "descend");
  assert.equal(decide("src/a.txt", false, f), "copy");
  assert.equal(decide("src/x/y/c.txt", false, f), "copy");
  assert.equal(decide("src/a.go", false, f), "skip");
  assert.equal(decide("other", true, f), "skip");
  const dir = { include: compilePattern("x/y"), exclude: excludePatterns(["x/y/*.log"]) };
  assert.equal(decide("x", true, dir), "descend");
  assert.equal(decide("x/y", true, dir), "copy");
  assert.equal(decide("x/y/z/f", false, dir), "copy");
  assert.equal(decide("x/y/a.log", false, dir), "skip");
  assert.equal(decide("x/other", true, dir), "skip");
});

test("mayHoldMatches prunes directories no match can lie under", () => {
  const p = compilePattern("a/b*/c");
  assert.equal(mayHoldMatches("a", p), true);
  assert.equal(mayHoldMatches("a/bx", p), true);
  assert.equal(mayHoldMatches("a/x", p), false);
  assert.equal(mayHoldMatches("z", p), false);
  assert.equal(mayHoldMatches("a/b/c", p), false);
  assert.equal(mayHoldMatches("a/b/q/r", compilePattern("a/**/f")), true);
});
