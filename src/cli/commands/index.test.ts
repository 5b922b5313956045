import assert from "node:assert/strict";
import { test } from "node:test";
import { commandModules, findCommand } from "./index.js";

test("each module's listed paths are exactly its commands' paths and aliases, none listed twice", async () => {
  const seen = new Set<string>();
  for (const m of commandModules) {
    const specs = await m.load();
    const actual = specs.flatMap((s) => [s.path, ...(s.aliases ?? [])].map((p) => p.join(" ")));
    assert.deepEqual([...m.paths].sort(), [...actual].sort());
    for (const p of m.paths) {
      assert.ok(!seen.has(p), `${p} is listed twice`);
      seen.add(p);
    }
  }
});

test("findCommand: the longest path wins, aliases find the canonical spec", async () => {
  assert.deepEqual((await findCommand(["image", "ls", "-a"]))?.spec.path, ["image", "ls"]);
  const images = await findCommand(["images"]);
  assert.deepEqual([images?.spec.path, images?.used], [["image", "ls"], 1]);
  assert.deepEqual((await findCommand(["container", "inspect", "x"]))?.spec.path, ["container", "inspect"]);
  assert.deepEqual((await findCommand(["inspect", "x"]))?.used, 1);
  assert.equal(await findCommand(["nosuch"]), undefined);
  assert.equal(await findCommand(["image"]), undefined);
});
