import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readFileInRoot, resolveInRoot } from "./rootfsFiles.js";

test("symlinks resolve inside the root, never outside", async () => {
  const root = mkdtempSync(join(tmpdir(), "h5-rootfs-"));
  try {
    mkdirSync(join(root, "etc"));
    writeFileSync(join(root, "etc/real"), "inside\n");
    symlinkSync("/etc/real", join(root, "etc/abs"));
    symlinkSync("../../../../etc/real", join(root, "etc/rel"));
    symlinkSync("/etc/hostname", join(root, "etc/escape"));
    assert.equal(await readFileInRoot(root, "/etc/abs"), "inside\n");
    assert.equal(await readFileInRoot(root, "etc/rel"), "inside\n");
    assert.equal(await resolveInRoot(root, "/etc/escape"), join(root, "etc/hostname"));
    assert.equal(await readFileInRoot(root, "/etc/escape"), undefined);
    assert.equal(await resolveInRoot(root, "/../../x"), join(root, "x"));
    symlinkSync("loop", join(root, "loop"));
    await assert.rejects(resolveInRoot(root, "/loop"));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
