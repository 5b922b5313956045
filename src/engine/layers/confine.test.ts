import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isEngineError } from "../errors.js";
import { cleanTarPath, RootResolver } from "./confine.js";

const isInvalid = (e: unknown) => isEngineError(e, "invalid");

test("cleanTarPath: relative, absolute, dot and dot-dot names", () => {
  assert.deepEqual(cleanTarPath("./etc/passwd"), ["etc", "passwd"]);
  assert.deepEqual(cleanTarPath("/etc/x"), ["etc", "x"]);
  assert.deepEqual(cleanTarPath("a//b/./c/"), ["a", "b", "c"]);
  assert.deepEqual(cleanTarPath("a/../b"), ["b"]);
  assert.deepEqual(cleanTarPath("/../../etc"), ["etc"]); // the root's parent is the root
  assert.deepEqual(cleanTarPath("./"), []);
  assert.throws(() => cleanTarPath("../escape"), isInvalid);
  assert.throws(() => cleanTarPath("a/../../escape"), isInvalid);
  assert.throws(() => cleanTarPath("a\0b"), isInvalid);
});

test("RootResolver follows symlinks as if the root were /", () => {
  const root = mkdtempSync(join(tmpdir(), "berth-confine-"));
  try {
    mkdirSync(join(root, "real"));
    symlinkSync("/real", join(root, "abs"));
    symlinkSync("../../../../real", join(root, "up"));
    symlinkSync("/etc", join(root, "etc-link"));
    symlinkSync("loop2", join(root, "loop1"));
    symlinkSync("loop1", join(root, "loop2"));
    writeFileSync(join(root, "file"), "");
    const r = new RootResolver(root);
    assert.deepEqual(r.dir(["abs"], false), { abs: join(root, "real"), rel: "real" });
    assert.deepEqual(r.dir(["up"], false), { abs: join(root, "real"), rel: "real" });
    // /etc inside the root does not exist: without create it is absent, with create it is made inside.
    assert.equal(r.dir(["etc-link"], false), undefined);
    assert.deepEqual(r.dir(["etc-link", "sub"], true), { abs: join(root, "etc", "sub"), rel: "etc/sub" });
    assert.ok(existsSync(join(root, "etc", "sub")));
    assert.throws(() => r.dir(["loop1"], false), isInvalid);
    assert.throws(() => r.dir(["file", "x"], true), isInvalid);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
