/**
 * Which stages a build builds (docker CLI, DOCKER_BUILDKIT=0): with --target only what it
 * needs; without, the final stage, what it needs and every unnamed stage; unused named stages
 * are skipped. Independent stages run at the same time, their output one stage at a time.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { busyboxTar, startDaemon, stopClean, type RunResult, type TestDaemon } from "./harness/daemon.js";

let d: TestDaemon;
const scratch = mkdtempSync(join(tmpdir(), "berth-build-stages-"));
const env = { DOCKER_BUILDKIT: "0" };

function ctx(name: string, dockerfile: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "Dockerfile"), dockerfile);
  return dir;
}

async function build(args: string[]): Promise<RunResult> {
  const r = await d.docker(["build", "--network", "none", ...args], { env, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  return r;
}

/** The `Step n/total : text` lines of a build. */
const stepLines = (r: RunResult) => r.stdout.split("\n").filter((l) => l.startsWith("Step "));

async function runOut(args: string[]): Promise<string> {
  const r = await d.docker(["run", "--rm", "--network", "none", ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

before(async () => {
  d = await startDaemon();
  for (const args of [
    ["import", "-", "busybox:latest"],
    ["tag", "busybox", "centos:7"],
  ]) {
    const r = await d.docker(args, args[0] === "import" ? { input: busyboxTar() } : {});
    assert.equal(r.code, 0, r.stderr);
  }
});
after(async () => {
  await stopClean(d);
  rmSync(scratch, { recursive: true, force: true });
});

test("an unused named stage is not built, even when it would fail; steps count the built stages", async () => {
  const dir = ctx(
    "unused",
    "FROM busybox AS broken\nRUN echo broken-ran; exit 3\nFROM busybox\nRUN echo final > /f\nCMD cat /f\n",
  );
  const r = await build(["-t", "unused:1", dir]);
  assert.deepEqual(stepLines(r), [
    "Step 1/3 : FROM busybox",
    "Step 2/3 : RUN echo final > /f",
    "Step 3/3 : CMD cat /f",
  ]);
  assert.doesNotMatch(r.stdout, /broken-ran/);
  assert.equal(await runOut(["unused:1"]), "final\n");
});

test("--target builds the target and what it needs, nothing after it or beside it", async () => {
  const dockerfile = [
    "FROM busybox AS one",
    "RUN echo one > /one",
    "FROM busybox AS two",
    "RUN exit 3",
    "FROM busybox", // unnamed: built without --target only
    "RUN exit 4",
    "FROM one AS three",
    "RUN cat /one > /three",
    "",
  ].join("\n");
  const dir = ctx("target", dockerfile);
  const r1 = await build(["--target", "one", "-t", "t:one", dir]);
  assert.deepEqual(stepLines(r1), ["Step 1/2 : FROM busybox AS one", "Step 2/2 : RUN echo one > /one"]);
  assert.equal(await runOut(["t:one", "cat", "/one"]), "one\n");
  const r3 = await build(["--target", "three", "-t", "t:three", dir]);
  assert.deepEqual(stepLines(r3), [
    "Step 1/4 : FROM busybox AS one",
    "Step 2/4 : RUN echo one > /one",
    "Step 3/4 : FROM one AS three",
    "Step 4/4 : RUN cat /one > /three",
  ]);
  assert.equal(await runOut(["t:three", "cat", "/three"]), "one\n");
  // Without --target the unnamed stage is built, and fails the build as the classic builder does.
  const bad = await d.docker(["build", "--network", "none", dir], { env, timeoutMs: 120_000 });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stdout + bad.stderr, /RUN exit 4/);
  assert.doesNotMatch(bad.stdout, /RUN exit 3/);
});

test("E06: two unnamed stages are both built, each ID printed and runnable", async () => {
  const dir = ctx("e06", 'FROM centos:7\nCMD echo "Hello world"\nFROM centos:7\nCMD echo "Bonjour à tous"\n');
  const r = await build([dir]);
  assert.deepEqual(stepLines(r), [
    "Step 1/4 : FROM centos:7",
    'Step 2/4 : CMD echo "Hello world"',
    "Step 3/4 : FROM centos:7",
    'Step 4/4 : CMD echo "Bonjour à tous"',
  ]);
  const ids = [...r.stdout.matchAll(/\n ---> ([0-9a-f]{12})\n(?:Step|Successfully)/g)].map((m) => m[1] ?? "");
  assert.equal(ids.length, 4, r.stdout);
  assert.equal(await runOut([ids[1] as string]), "Hello world\n");
  assert.equal(await runOut([ids[3] as string]), "Bonjour à tous\n");
});

test("COPY --from a named stage pulls that stage in; other named stages stay out", async () => {
  const dir = ctx(
    "copyfrom",
    [
      "FROM busybox AS lib",
      "RUN echo lib > /lib.txt",
      "FROM busybox AS unused",
      "RUN exit 3",
      "FROM busybox",
      "COPY --from=lib /lib.txt /",
      "",
    ].join("\n"),
  );
  const r = await build(["-t", "copyfrom:1", dir]);
  assert.deepEqual(stepLines(r), [
    "Step 1/4 : FROM busybox AS lib",
    "Step 2/4 : RUN echo lib > /lib.txt",
    "Step 3/4 : FROM busybox",
    "Step 4/4 : COPY --from=lib /lib.txt /",
  ]);
  assert.equal(await runOut(["copyfrom:1", "cat", "/lib.txt"]), "lib\n");
});

test("independent stages build at the same time; their output is shown one stage at a time", async () => {
  // Each RUN notes when it started (/proc/uptime is the host's), prints half a line, sleeps, ends it.
  const stage = (name: string) => [
    `FROM busybox AS ${name}`,
    `RUN cut -d' ' -f1 /proc/uptime > /t; printf '${name}-start '; sleep 1.5; echo ${name}-end; sleep 1.5`,
  ];
  const dir = ctx(
    "parallel",
    [...stage("a"), ...stage("b"), "FROM busybox", "COPY --from=a /t /ta", "COPY --from=b /t /tb", ""].join(
      "\n",
    ),
  );
  const started = Date.now();
  const r = await build(["--no-cache", "-t", "parallel:1", dir]);
  const took = (Date.now() - started) / 1000;
  const [ta, tb] = (await runOut(["parallel:1", "cat", "/ta", "/tb"])).trim().split("\n").map(Number);
  assert.ok(ta !== undefined && tb !== undefined && !Number.isNaN(ta) && !Number.isNaN(tb));
  // Sequential RUNs would start at least 3 s apart (each sleeps 3 s in all).
  assert.ok(Math.abs(ta - tb) < 2, `the two RUNs started ${Math.abs(ta - tb)} s apart`);
  assert.ok(took < 2 * 3, `the build took ${took} s`);
  assert.match(r.stdout, /\na-start a-end\n/);
  assert.match(r.stdout, /\nb-start b-end\n/);
  const out = r.stdout;
  assert.ok(out.indexOf("Step 2/7") < out.indexOf("a-end") && out.indexOf("a-end") < out.indexOf("Step 3/7"));
  assert.ok(
    out.indexOf("Step 4/7") < out.indexOf("b-start") && out.indexOf("b-end") < out.indexOf("Step 5/7"),
  );
});
