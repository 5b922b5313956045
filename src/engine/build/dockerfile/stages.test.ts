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
    assert.throws(() => resolveTarget(multi, "prod"), {
      message: "failed to reach build target prod in Dockerfile",
    });
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
  });

  it("builds unnamed stages without --target, only what the target needs with it", () => {
    const df = parseDockerfile(
      [
        "FROM busybox AS tools", // 0: needed by the unnamed stage 1 only
        "FROM busybox", // 1: unnamed, unused
        "COPY --from=tools / /",
        "FROM busybox AS broken", // 2: named, unused
        "RUN exit 3",
        "FROM busybox AS lib", // 3: needed by the final stage
        "FROM busybox", // 4: unnamed, unused
        "FROM busybox AS base2", // 5: base of the unnamed stage 6
        "FROM base2", // 6: unnamed
        "FROM busybox", // 7: the final stage
        "COPY --from=lib / /",
      ].join("\n"),
    );
    const all = stageDependencies(df);
    assert.equal(all.target.index, 7);
    assert.deepEqual(all.needed, [0, 1, 3, 4, 5, 6, 7]);
    assert.deepEqual(all.waves, [
      [0, 3, 4, 5],
      [1, 6, 7],
    ]);
    assert.deepEqual(stageDependencies(df, { target: "" }).needed, all.needed);
    assert.deepEqual(stageDependencies(df, { target: "lib" }).needed, [3]);
    assert.deepEqual(stageDependencies(df, { target: "broken" }).needed, [2]);
    // A target that is the last stage but named: still only what it needs.
    const named = parseDockerfile("FROM busybox\nFROM busybox AS unused\nFROM busybox AS final");
    assert.deepEqual(stageDependencies(named).needed, [0, 2]);
    assert.deepEqual(stageDependencies(named, { target: "final" }).needed, [2]);
    // The book's E06: two unnamed stages, both built.
    const e06 = parseDockerfile('FROM centos:7\nCMD echo "Hello world"\nFROM centos:7\nCMD echo "Bonjour"');
    assert.deepEqual(stageDependencies(e06).needed, [0, 1]);
    assert.deepEqual(stageDependencies(e06).waves, [[0, 1]]);
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
