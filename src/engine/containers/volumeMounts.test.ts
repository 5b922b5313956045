import assert from "node:assert/strict";
import { test } from "node:test";
import { openDatabase } from "../store/index.js";
import type { MountSpec } from "./model.js";
import { ContainerStore, containersSchema } from "./store.js";
import { containerRecord } from "./testdata.js";
import { parseVolumesFrom, planMounts, volumeNames } from "./volumeMounts.js";

const store = () => new ContainerStore(openDatabase(":memory:", [containersSchema]));
const vol = (name: string, target: string, anonymous = false): MountSpec => ({
  type: "volume",
  name,
  source: `/v/${name}/_data`,
  target,
  readOnly: false,
  anonymous,
  noCopy: false,
  mode: "z",
});

test("image VOLUMEs get anonymous volumes unless a -v or --mount takes the path", () => {
  const c = containerRecord("a1", "x");
  c.config.volumes = { "/data": {}, "/logs/": {} };
  const plan = planMounts([vol("mine", "/data")], c.config, [], store());
  assert.equal(plan.length, 2);
  assert.deepEqual(
    plan.map((m) => [m.target, m.type === "volume" ? m.name : "", m.type === "volume" && m.anonymous]),
    [
      ["/data", "mine", false],
      ["/logs", "", true],
    ],
  );
});

test("duplicate mount points are Docker's error", () => {
  const c = containerRecord("a2", "x");
  assert.throws(
    () => planMounts([vol("a", "/d"), vol("b", "/d/")], c.config, [], store()),
    /Duplicate mount point: \/d/,
  );
});

test("--volumes-from copies binds and volumes, never as this container's own, :ro forces read-only", () => {
  const s = store();
  const src = containerRecord("b1", "src");
  src.spec.host.mounts = [
    vol("anon1", "/a", true),
    { type: "bind", source: "/host", target: "/h", readOnly: false, propagation: "rprivate" },
    { type: "tmpfs", target: "/t", options: [] },
  ];
  s.insert(src);
  const c = containerRecord("b2", "x");
  const plan = planMounts([], c.config, ["src:ro"], s);
  assert.deepEqual(
    plan.map((m) => [m.type, m.target, m.type !== "tmpfs" && m.readOnly, m.type === "volume" && m.anonymous]),
    [
      ["volume", "/a", true, false],
      ["bind", "/h", true, false],
    ],
  );
  assert.deepEqual(volumeNames({ ...c, spec: { ...c.spec, host: { ...c.spec.host, mounts: plan } } }), [
    "anon1",
  ]);
  assert.throws(() => planMounts([], c.config, ["nope"], s), /No such container: nope/);
});

test("volumes-from modes", () => {
  assert.deepEqual(parseVolumesFrom("web"), { ref: "web", mode: "" });
  assert.deepEqual(parseVolumesFrom("web:rw"), { ref: "web", mode: "rw" });
  assert.throws(() => parseVolumesFrom("web:z"), /invalid mode: z/);
});
