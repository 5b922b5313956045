import { test } from "node:test";
import assert from "node:assert/strict";
import type { Image, ImageSummary } from "../../engine/images/index.js";
import { fullConfig, toInspectWire, toSummaryWire } from "./translate.js";

const id = `sha256:${"a".repeat(64)}`;
const image = {
  id,
  config: {
    architecture: "amd64",
    os: "linux",
    created: "2024-01-01T00:00:00Z",
    config: { Cmd: ["/bin/sh"], Labels: { a: "b" }, ExposedPorts: { "80/tcp": {} } },
    rootfs: { type: "layers", diff_ids: [`sha256:${"b".repeat(64)}`] },
  },
  chainId: undefined,
  repoTags: [],
  repoDigests: [],
  parent: "",
  createdAtNano: 0n,
  size: 42,
} as unknown as Image;

test("summary: placeholders before 1.43, VirtualSize before 1.44", () => {
  const s: ImageSummary = { image, repoTags: [], repoDigests: [], sharedSize: -1, containers: -1 };
  const old = toSummaryWire(s, "1.41");
  assert.deepEqual(old.RepoTags, ["<none>:<none>"]);
  assert.deepEqual(old.RepoDigests, ["<none>@<none>"]);
  assert.equal(old.VirtualSize, 42);
  const now = toSummaryWire(s, "1.47");
  assert.deepEqual(now.RepoTags, []);
  assert.equal(now.VirtualSize, undefined);
  assert.equal(now.Created, 1704067200);
  assert.deepEqual(now.Labels, { a: "b" });
});

test("inspect: Container fields before 1.45, LastTagTime zero value, config shape", () => {
  const old = toInspectWire(image, { lastTagNano: undefined, graphDriverData: {} }, "1.43");
  assert.equal(old.Container, "");
  assert.ok(old.ContainerConfig);
  assert.equal(old.VirtualSize, 42);
  const now = toInspectWire(image, { lastTagNano: 1_700_000_000_123_000_000n, graphDriverData: {} }, "1.47");
  assert.equal("Container" in now, false);
  assert.equal(now.Metadata.LastTagTime, "2023-11-14T22:13:20.123Z");
  assert.deepEqual(now.GraphDriver, { Data: null, Name: "overlay2" });
  assert.deepEqual(Object.keys(fullConfig(image.config.config)).slice(0, 7), [
    "Hostname",
    "Domainname",
    "User",
    "AttachStdin",
    "AttachStdout",
    "AttachStderr",
    "ExposedPorts",
  ]);
  assert.equal(
    toInspectWire(image, { lastTagNano: undefined, graphDriverData: {} }, "1.47").Metadata.LastTagTime,
    "0001-01-01T00:00:00Z",
  );
});
