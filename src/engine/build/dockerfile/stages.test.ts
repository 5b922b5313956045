import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseDockerfile } from "./dockerfile.js";
import { findStage, globalArgValues, resolveTarget, stageDependencies } from "./stages.js";

const multi = parseDockerfile(
  [
    "ARG BASE=alpine",
    "ARG TAG",
    "FROM ${BASE}:${TAG:-3} AS Deps", // 0
    "RUN make deps",
    "FROM golang AS build", // 1
    "COPY --from=deps /deps /deps",
    "RUN --mount=type=cache,from=tools,target=/t make",
    "FROM alpine AS tools", // 2
    "FROM alpine AS unused", // 3
    "RUN true",
    "FROM build AS test", // 4
    "FROM scratch", // 5
    "COPY --from=build /bin/app /app",
    "COPY --from=nginx:latest /etc/nginx /etc/nginx",
    "COPY --from=2 /t /t",
  ].join("\n"),
);

describe("stages", () => {
  it("groups instructions, keeps global ARGs apart", () => {
    assert.deepEqual(
      multi.globalArgs.flatMap((a) => a.args.map((x) => x.name)),
      ["BASE", "TAG"],
    );
    assert.deepEqual(
      multi.stages.map((s) => [s.index, s.name, s.instructions.length]),
      [
        [0, "deps", 1],
        [1, "build", 2],
        [2, "tools", 0],
        [3, "unused", 1],
        [4, "test", 0],
        [5, undefined, 3],
      ],
    );
  });

  it("finds stages by name in any case or by index; validates --target", () => {
    assert.equal(findStage(multi, "BUILD")?.index, 1);
    assert.equal(findStage(multi, "2")?.name, "tools");
    assert.equal(findStage(multi, "nope"), undefined);
    assert.equal(resolveTarget(multi).index, 5);
    assert.equal(resolveTarget(multi, "Test").index, 4);
    assert.throws(() => resolveTarget(multi, "prod"), { message: 'target stage "prod" could not be found' });
  });

  it("computes global ARG values: build args win, defaults expand", () => {
    assert.deepEqual([...globalArgValues(multi)], [["BASE", "alpine"]]);
    assert.deepEqual(
      [...globalArgValues(multi, { TAG: "3.19", BASE: "debian" })],
      [
        ["BASE", "debian"],
        ["TAG", "3.19"],
      ],
    );
  });

  it("computes what a target needs, skipping unused stages", () => {
    const g = stageDependencies(multi);
    assert.deepEqual(g.nodes[0]?.base, { image: "alpine:3" });
    assert.deepEqual(g.nodes[4]?.base, { stage: 1 });
    assert.deepEqual(g.nodes[1]?.needs, [0, 2]);
    assert.deepEqual(g.nodes[5]?.needs, [1, 2]);
    assert.deepEqual(g.nodes[5]?.images, ["nginx:latest"]);
    assert.deepEqual(g.needed, [0, 1, 2, 5]);
    assert.deepEqual(g.waves, [[0, 2], [1], [5]]);
    const t = stageDependencies(multi, { target: "deps", buildArgs: { BASE: "debian", TAG: "12" } });
    assert.deepEqual([t.needed, t.nodes[0]?.base], [[0], { image: "debian:12" }]);
    const classic = stageDependencies(multi, { everyStageUpToTarget: true });
    assert.deepEqual(classic.needed, [0, 1, 2, 3, 4, 5]);
    const upTo = stageDependencies(multi, { target: "deps", everyStageUpToTarget: true });
    assert.deepEqual(upTo.needed, [0]);
  });

  it("only an earlier stage can be a FROM base", () => {
    const df = parseDockerfile("FROM later AS first\nFROM alpine AS later");
    assert.deepEqual(stageDependencies(df, { target: "first" }).nodes[0]?.base, { image: "later" });
  });

  it("reports cycles, bad indexes, variables in --from, blank bases", () => {
    const err = (text: string) => () => stageDependencies(parseDockerfile(text));
    assert.throws(err("FROM busybox AS stage0\nCOPY --from=stage0 f1 /sub/"), {
      message: "circular dependency detected on stage: stage0",
    });
    assert.throws(
      err(
        "FROM busybox AS stage0\nCOPY --from=stage2 f1 /sub/\nFROM busybox AS stage1\nCOPY --from=stage0 f2 /sub/\nFROM busybox AS stage2\nCOPY --from=stage1 f2 /sub/",
      ),
      { message: "circular dependency detected on stage: stage0" },
    );
    assert.throws(err("FROM a\nCOPY --from=7 / /"), { message: "invalid stage index 7" });
    assert.throws(err("FROM a\nCOPY --from=$X / /"), /variable expansion is not supported for --from/);
    assert.throws(err("ARG X\nFROM $X"), { message: "base name ($X) should not be blank" });
  });
});
