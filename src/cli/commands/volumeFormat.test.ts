import { test } from "node:test";
import assert from "node:assert/strict";
import type { VolumeWire } from "../../api/types/volumes.js";
import { naturalCompare, renderVolumes } from "./volumeFormat.js";

test("natural order like fvbommel/sortorder", () => {
  const sorted = ["vol10", "vol2", "vol1", "a01", "a1", "b", "1x", "a", "A", "vol02"].sort(naturalCompare);
  assert.deepEqual(sorted, ["1x", "A", "a", "a1", "a01", "b", "vol1", "vol2", "vol02", "vol10"]);
  assert.equal(naturalCompare("x", "x"), 0);
});

const v = (name: string, extra: Partial<VolumeWire> = {}): VolumeWire => ({
  CreatedAt: "2024-01-01T00:00:00Z",
  Driver: "local",
  Labels: null,
  Mountpoint: `/v/${name}/_data`,
  Name: name,
  Options: null,
  Scope: "local",
  ...extra,
});

test("table, quiet, templates and usage data", () => {
  const vols = [
    v("b10"),
    v("b9", { Labels: { z: "1", a: "2" }, UsageData: { Size: 1_500_000, RefCount: 2 } }),
  ];
  assert.equal(renderVolumes(vols, {}), "DRIVER    VOLUME NAME\nlocal     b9\nlocal     b10\n");
  assert.equal(renderVolumes(vols, { quiet: true }), "b9\nb10\n");
  assert.equal(
    renderVolumes(vols, { format: '{{.Name}} {{.Labels}} {{.Label "z"}} {{.Links}} {{.Size}}' }),
    "b9 a=2,z=1 1 2 1.5MB\nb10   N/A N/A\n",
  );
  assert.equal(
    renderVolumes(vols, { format: "table {{.Name}}\t{{.Mountpoint}}" }),
    "VOLUME NAME   MOUNTPOINT\nb9            /v/b9/_data\nb10           /v/b10/_data\n",
  );
});
