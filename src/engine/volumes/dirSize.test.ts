import { test } from "node:test";
import assert from "node:assert/strict";
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dirSize } from "./dirSize.js";

test("counts file bytes, symlinks by their length, hard links once", async () => {
  const root = await mkdtemp(join(tmpdir(), "berth-dirsize-"));
  try {
    assert.equal(await dirSize(root), 0);
    await writeFile(join(root, "a"), Buffer.alloc(1000));
    await mkdir(join(root, "d", "e"), { recursive: true });
    await writeFile(join(root, "d", "e", "b"), "12345");
    await link(join(root, "a"), join(root, "d", "hard"));
    await symlink("target", join(root, "d", "sym"));
    assert.equal(await dirSize(root), 1000 + 5 + "target".length);
    await assert.rejects(dirSize(join(root, "missing")), { code: "ENOENT" });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
