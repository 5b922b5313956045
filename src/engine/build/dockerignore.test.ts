import { test } from "node:test";
import assert from "node:assert/strict";
import { isIgnored, parseDockerignore } from "./dockerignore.js";

const ig = (text: string, path: string) => isIgnored(path, parseDockerignore(text));

test("patterns match like moby's patternmatcher", () => {
  assert.equal(ig("*.log", "a.log"), true);
  assert.equal(ig("*.log", "d/a.log"), false, "* does not cross /");
  assert.equal(ig("**/*.log", "d/e/a.log"), true);
  assert.equal(ig("**/*.log", "a.log"), true, "**/ matches no directory too");
  assert.equal(ig("d/**", "d/e/f"), true);
  assert.equal(ig("/secret", "secret/x"), true, "leading / dropped, parent match covers children");
  assert.equal(ig("./a/../b", "b"), true, "patterns are cleaned");
  assert.equal(ig("a?c", "abc"), true);
  assert.equal(ig("[a-c]x", "bx"), true);
  assert.equal(ig("[!a-c]x", "dx"), true);
  assert.equal(ig("# comment\n\n  x  ", "x"), true);
});

test("exceptions: the last match wins", () => {
  const text = "*.md\n!README.md\n";
  assert.equal(ig(text, "a.md"), true);
  assert.equal(ig(text, "README.md"), false);
  assert.equal(ig("secret\n!secret/keep\n", "secret/keep"), false);
  assert.equal(ig("secret\n!secret/keep\n", "secret/other"), true);
  assert.equal(ig("!a\na", "a"), true);
});
