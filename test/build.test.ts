/** `docker build` (classic builder, DOCKER_BUILDKIT=0) and `berth build` against a private berthd. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  importBusybox,
  leaks,
  startDaemon,
  stopClean,
  type RunResult,
  type TestDaemon,
} from "./harness/daemon.js";
import { writeTree } from "./harness/files.js";

let d: TestDaemon;
const scratch = mkdtempSync(join(tmpdir(), "berth-build-"));
const env = { DOCKER_BUILDKIT: "0" };

/** A context directory with these files (the Dockerfile among them). */
const ctx = (name: string, files: Record<string, string>): string => writeTree(join(scratch, name), files);

const build = (args: string[], input?: string | Buffer): Promise<RunResult> =>
  d.docker(["build", "--network", "none", ...args], {
    env,
    ...(input !== undefined ? { input } : {}),
    timeoutMs: 120_000,
  });

/** The build's stdout without the client's context-size line. */
const steps = (r: RunResult) => r.stdout.replace(/^Sending build context[^\n]*\n/, "");

before(async () => {
  d = await startDaemon({ busybox: true });
});
after(async () => {
  await stopClean(d);
  rmSync(scratch, { recursive: true, force: true });
});

test("every instruction: stream, config and history read like dockerd's classic builder", async () => {
  const dir = ctx("all", {
    "a.txt": "x\n",
    "d/f1": "1\n",
    "d/sub/f2": "2\n",
    Dockerfile: [
      "FROM busybox AS base",
      "MAINTAINER someone <a@b>",
      'SHELL ["/bin/sh", "-c"]',
      'ENV A=1 B="x y"',
      'LABEL a=b "c d"=e',
      "EXPOSE 80 90/udp",
      "VOLUME /data /v2",
      "WORKDIR app",
      "WORKDIR sub",
      "USER nobody",
      "USER root",
      "STOPSIGNAL SIGKILL",
      "HEALTHCHECK --interval=5s --retries=3 CMD echo ok",
      "ARG V=dflt",
      "RUN echo v=$V a=$A > /v.txt",
      "COPY --chown=nobody:nogroup --chmod=0600 a.txt d /dst/",
      "ADD a.txt d ./",
      "ENTRYPOINT echo ep",
      "CMD echo cmd",
      "",
    ].join("\n"),
  });
  const r = await build(["-t", "all:1", "--build-arg", "V=given", dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const out = steps(r);
  assert.match(
    out,
    /^Step 1\/19 : FROM busybox AS base\n ---> [0-9a-f]{12}\nStep 2\/19 : MAINTAINER someone <a@b>\n ---> Running in [0-9a-f]{12}\nRemoving intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\n/,
  );
  assert.match(
    out,
    /Step 15\/19 : RUN echo v=\$V a=\$A > \/v.txt\n ---> Running in ([0-9a-f]{12})\nRemoving intermediate container \1\n ---> [0-9a-f]{12}\n/,
  );
  assert.match(
    out,
    /Step 16\/19 : COPY --chown=nobody:nogroup --chmod=0600 a.txt d \/dst\/\n ---> [0-9a-f]{12}\n/,
  );
  assert.match(out, /Successfully built ([0-9a-f]{12})\nSuccessfully tagged all:1\n$/);
  const hist = await d.docker(["history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Size}}", "all:1"]);
  assert.equal(hist.code, 0, hist.stderr);
  const lines = hist.stdout.trimEnd().split("\n");
  assert.deepEqual(lines.slice(0, 3), [
    '/bin/sh -c #(nop)  CMD ["/bin/sh" "-c" "echo cmd"]|0B',
    '/bin/sh -c #(nop)  ENTRYPOINT ["/bin/sh" "-c" "echo ep"]|0B',
    lines[2],
  ]);
  assert.match(lines[2]!, /^\/bin\/sh -c #\(nop\) ADD multi:[0-9a-f]{64} in \.\/ \|6B$/);
  assert.match(
    lines[3]!,
    /^\/bin\/sh -c #\(nop\) COPY --chown=nobody:nogroup--chmod=0600 multi:[0-9a-f]{64} in \/dst\/ \|6B$/,
  );
  assert.match(lines[4]!, /^\|1 V=given \/bin\/sh -c echo v=\$V a=\$A > \/v.txt\|\d+B$/);
  assert.deepEqual(lines.slice(5, 18), [
    "/bin/sh -c #(nop)  ARG V=dflt|0B",
    `/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "echo ok"] "5s" "0s" "0s" '\\x03'}|0B`,
    "/bin/sh -c #(nop)  STOPSIGNAL SIGKILL|0B",
    "/bin/sh -c #(nop)  USER root|0B",
    "/bin/sh -c #(nop)  USER nobody|0B",
    "/bin/sh -c #(nop) WORKDIR /app/sub|0B",
    "/bin/sh -c #(nop) WORKDIR /app|0B",
    "/bin/sh -c #(nop)  VOLUME [/data /v2]|0B",
    "/bin/sh -c #(nop)  EXPOSE 80 90/udp|0B",
    "/bin/sh -c #(nop)  LABEL a=b c d=e|0B",
    "/bin/sh -c #(nop)  ENV A=1 B=x y|0B",
    "/bin/sh -c #(nop)  SHELL [/bin/sh -c]|0B",
    "/bin/sh -c #(nop)  MAINTAINER someone <a@b>|0B",
  ]);
  const insp = await d.docker(["image", "inspect", "all:1"]);
  const [img] = JSON.parse(insp.stdout) as { Config: Record<string, unknown>; Author: string }[];
  assert.ok(img);
  assert.equal(img.Author, "someone <a@b>");
  assert.deepEqual(img.Config.Entrypoint, ["/bin/sh", "-c", "echo ep"]);
  assert.deepEqual(img.Config.Cmd, ["/bin/sh", "-c", "echo cmd"]);
  assert.deepEqual(img.Config.ExposedPorts, { "80/tcp": {}, "90/udp": {} });
  assert.deepEqual(img.Config.Volumes, { "/data": {}, "/v2": {} });
  assert.equal(img.Config.WorkingDir, "/app/sub");
  assert.equal(img.Config.User, "root");
  assert.equal(img.Config.StopSignal, "SIGKILL");
  assert.deepEqual(img.Config.Labels, { a: "b", "c d": "e" });
  assert.deepEqual(img.Config.Healthcheck, { Test: ["CMD-SHELL", "echo ok"], Interval: 5e9, Retries: 3 });
  // dockerd adds the default PATH to a stage whose base (this bare import) has none.
  assert.deepEqual(img.Config.Env, [
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "A=1",
    "B=x y",
  ]);
  const ls = await d.docker([
    "run",
    "--rm",
    "--network",
    "none",
    "--entrypoint",
    "sh",
    "all:1",
    "-c",
    "cat /v.txt; ls -ln /dst /app/sub | sort",
  ]);
  assert.equal(ls.code, 0, ls.stderr);
  assert.match(ls.stdout, /^v=given a=1\n/);
  assert.match(ls.stdout, /-rw------- +1 65534 +65534 +2 .* a\.txt/);
  assert.match(ls.stdout, /-rw-r--r-- +1 0 +0 +2 .* f1/);
});

test("cache: a touch hits, one changed byte misses from that step on; --no-cache runs all", async () => {
  const dir = ctx("cache", {
    "f.txt": "one\n",
    Dockerfile: "FROM busybox\nRUN echo first\nCOPY f.txt /f.txt\nRUN cat /f.txt\nENV Z=1\n",
  });
  const r1 = await build(["-t", "cache:1", dir]);
  assert.equal(r1.code, 0, r1.stderr);
  assert.doesNotMatch(r1.stdout, /Using cache/);
  const future = new Date(Date.now() + 60_000);
  utimesSync(join(dir, "f.txt"), future, future);
  const r2 = await build(["-t", "cache:2", dir]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal((r2.stdout.match(/ ---> Using cache/g) ?? []).length, 4);
  assert.equal(
    r2.stdout.match(/Successfully built (\w+)/)?.[1],
    r1.stdout.match(/Successfully built (\w+)/)?.[1],
  );
  writeFileSync(join(dir, "f.txt"), "onE\n");
  const r3 = await build(["-t", "cache:3", dir]);
  assert.equal(r3.code, 0, r3.stderr);
  assert.match(steps(r3), /Step 2\/5 : RUN echo first\n ---> Using cache\n/);
  assert.match(steps(r3), /Step 3\/5 : COPY f.txt \/f.txt\n ---> [0-9a-f]{12}\n/);
  assert.match(steps(r3), /Step 4\/5 : RUN cat \/f.txt\n ---> Running in \w+\nonE\n/);
  assert.match(steps(r3), /Step 5\/5 : ENV Z=1\n ---> Running in/);
  const r4 = await build(["--no-cache", "-t", "cache:4", dir]);
  assert.equal(r4.code, 0, r4.stderr);
  assert.doesNotMatch(r4.stdout, /Using cache/);
  // A different build-arg value in scope is a different RUN.
  const argDir = ctx("cache-arg", { Dockerfile: "FROM busybox\nARG N=1\nRUN echo n=$N\n" });
  await build([argDir]);
  const a2 = await build(["--build-arg", "N=2", argDir]);
  assert.match(steps(a2), /Step 3\/3 : RUN echo n=\$N\n ---> Running in \w+\nn=2\n/);
});

test("a failing RUN stops the build with its exit code and Docker's message; nothing is tagged", async () => {
  const r = await build(["-t", "fail:1", "-"], "FROM busybox\nRUN echo before; exit 3\nRUN echo never\n");
  assert.equal(r.code, 3);
  assert.match(r.stdout, /Step 2\/3 : RUN echo before; exit 3\n ---> Running in \w{12}\nbefore\n$/);
  assert.match(r.stderr, /The command '\/bin\/sh -c echo before; exit 3' returned a non-zero code: 3/);
  const img = await d.docker(["image", "inspect", "fail:1"]);
  assert.notEqual(img.code, 0);
  const fr = await build(["--force-rm", "-"], "FROM busybox\nRUN exit 7\n");
  assert.equal(fr.code, 7);
  const ps = await d.docker(["ps", "-aq", "--filter", "status=exited"]);
  assert.equal(
    ps.stdout
      .trim()
      .split("\n")
      .filter((l) => l !== "").length,
    1,
    "only the non-force-rm container stays",
  );
  const parse = await build(["-"], "FROM busybox\nFORM x\n");
  assert.equal(parse.code, 1);
  assert.match(parse.stderr, /unknown instruction: FORM/);
});

test("multi-stage: --target builds only what it needs, COPY --from stage and image", async () => {
  const dir = ctx("multi", {
    Dockerfile: [
      "FROM busybox AS unused",
      "RUN echo UNUSED-STAGE-RAN",
      "FROM busybox AS a",
      "RUN echo a > /a.txt",
      "FROM busybox AS b",
      "RUN echo b > /b.txt",
      "FROM busybox AS final",
      "COPY --from=a /a.txt /",
      "COPY --from=1 /a.txt /a1.txt",
      "COPY --from=b /b.txt /",
      "COPY --from=busybox:latest /etc/passwd /p",
      'CMD ["cat", "/a.txt", "/b.txt"]',
      "FROM final AS after",
      "RUN echo after",
      "",
    ].join("\n"),
  });
  const r = await build(["--target", "final", "-t", "multi:1", dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  // With --target, only the stages it needs are built (BuildKit's rule, see stageDependencies).
  assert.doesNotMatch(r.stdout, /UNUSED-STAGE-RAN/);
  assert.doesNotMatch(r.stdout, /echo after/);
  assert.match(steps(r), /^Step 1\/10 : FROM busybox AS a\n/);
  assert.ok(r.stdout.indexOf("FROM busybox AS b") < r.stdout.indexOf("FROM busybox AS final"));
  const run = await d.docker(["run", "--rm", "--network", "none", "multi:1"]);
  assert.equal(run.stdout, "a\nb\n");
  const bad = await build(["--target", "nosuch", dir]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /failed to reach build target nosuch in Dockerfile/);
});

test("ONBUILD triggers run in the child build", async () => {
  const p = await build(["-t", "parent:1", "-"], "FROM busybox\nONBUILD RUN echo triggered > /t.txt\n");
  assert.equal(p.code, 0, p.stderr);
  const c = await build(["-t", "child:1", "-"], "FROM parent:1\nRUN cat /t.txt\n");
  assert.equal(c.code, 0, c.stderr);
  assert.match(
    steps(c),
    /^Step 1\/2 : FROM parent:1\n# Executing 1 build trigger\n ---> Running in \w{12}\nRemoving intermediate container \w{12}\n ---> \w{12}\nStep 2\/2 : RUN cat \/t.txt\n ---> Running in \w{12}\ntriggered\n/,
  );
  const onb = await d.docker(["inspect", "--format", "{{json .Config.OnBuild}}", "child:1"]);
  assert.equal(onb.stdout.trim(), "null");
});

test("context: .dockerignore, -f outside the context, build-arg warning, ADD archive and URL, -q", async () => {
  const dir = ctx("ignore", {
    ".dockerignore": "*.log\nsecret/\n!secret/keep.txt\n**/tmp\n",
    "a.log": "x",
    "keep.txt": "k",
    "secret/hidden": "h",
    "secret/keep.txt": "kept",
    "sub/tmp/x": "x",
    Dockerfile: "FROM busybox\nCOPY . /c/\nRUN cd /c && find . | sort\n",
  });
  const r = await build(["--build-arg", "UNUSED=1", dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /\n\.\n\.\/\.dockerignore\n\.\/Dockerfile\n\.\/keep\.txt\n\.\/secret\n\.\/secret\/keep\.txt\n\.\/sub\n/,
  );
  assert.match(r.stdout, /\[Warning\] One or more build-args \[UNUSED\] were not consumed\n/);
  const outside = join(scratch, "Dockerfile.outside");
  writeFileSync(outside, "FROM busybox\nRUN ls /\n");
  const f = await build(["-f", outside, dir]);
  assert.equal(f.code, 0, f.stderr);
  // ADD: local tar archives are unpacked; URLs (loopback) keep Last-Modified as mtime.
  const arch = ctx("add", { "in/x.txt": "inside\n" });
  execFileSync("tar", ["-czf", join(arch, "t.tar.gz"), "-C", join(arch, "in"), "."]);
  writeFileSync(join(arch, "Dockerfile"), "");
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { "Last-Modified": "Wed, 21 Oct 2015 07:28:00 GMT" });
    res.end("from-url\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  writeFileSync(
    join(arch, "Dockerfile"),
    `FROM busybox\nADD t.tar.gz /u/\nADD http://127.0.0.1:${port}/file.txt /dl/\nRUN cat /u/x.txt /dl/file.txt && stat -c '%a %Y' /dl/file.txt\n`,
  );
  const add = await build([arch]);
  server.close();
  assert.equal(add.code, 0, add.stderr + add.stdout);
  assert.match(add.stdout, /inside\nfrom-url\n600 1445412480\n/);
  const q = await build(["-q", "-"], "FROM busybox\nENV Q=1\n");
  assert.equal(q.code, 0, q.stderr);
  assert.match(q.stdout, /^sha256:[0-9a-f]{64}\n$/);
});

test("intermediate images are hidden, builder prune removes the dangling cache, berth build works", async () => {
  const r = await build(["-"], "FROM busybox\nENV P=1\nENV P=2\n");
  assert.equal(r.code, 0, r.stderr);
  const all = await d.docker(["images", "-a", "-q"]);
  const visible = await d.docker(["images", "-q"]);
  assert.ok(all.stdout.split("\n").length > visible.stdout.split("\n").length);
  const df = await d.docker(["system", "df"]);
  assert.match(df.stdout, /Build Cache +\d+/);
  const pr = await d.docker(["builder", "prune", "-f"]);
  assert.equal(pr.code, 0, pr.stderr);
  assert.match(pr.stdout, /Total reclaimed space/);
  const b = await d.berth(["build", "-t", "berthbuilt:1", "--network", "none", "-"], {
    input: "FROM busybox\nRUN echo via-berth\n",
  });
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /via-berth\n/);
  assert.match(b.stdout, /Successfully tagged berthbuilt:1\n/);
});

/** `docker build` of `dir` in the background, once its RUN has printed "started". */
async function buildUntilStarted(daemon: TestDaemon, dir: string): Promise<ChildProcess> {
  const child = spawn("docker", ["build", "--network", "none", dir], {
    env: { ...process.env, ...env, DOCKER_HOST: daemon.host },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.on("error", () => undefined);
  let out = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (b: Buffer) => {
      out += b.toString();
      if (out.includes("started")) resolve();
    });
    child.on("exit", () => reject(new Error(`the build ended early: ${out}`)));
  });
  return child;
}

test("a client that goes away cancels the build: the RUN container is killed and removed", async () => {
  const dir = ctx("cancelled", { Dockerfile: "FROM busybox\nRUN echo started; sleep 60\n" });
  const child = await buildUntilStarted(d, dir);
  const stepContainers = async () =>
    (await d.docker(["ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}"])).stdout
      .split("\n")
      .filter((l) => l.includes("sleep 60"));
  assert.equal((await stepContainers()).length, 1, "the step container runs");
  child.kill("SIGKILL");
  for (let i = 0; i < 100 && (await stepContainers()).length > 0; i++)
    await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(await stepContainers(), [], "the step container is gone");
  // The daemon is fine: the next build runs.
  assert.equal((await build([ctx("after-cancel", { Dockerfile: "FROM busybox\nRUN true\n" })])).code, 0);
});

test("a RUN whose executable does not exist fails the build with the runtime's error (the daemon lives on)", async () => {
  const r = await build([ctx("no-exec", { Dockerfile: 'FROM busybox\nRUN ["nonexistent-binary"]\n' })]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /exec: "nonexistent-binary": executable file not found in \$PATH/);
  assert.equal((await build([ctx("after-no-exec", { Dockerfile: "FROM busybox\nRUN true\n" })])).code, 0);
});

test("HEALTHCHECK over another prints dockerd's note; RUN as a user has its group as a supplementary one", async () => {
  const dir = ctx("notes", {
    Dockerfile: [
      "FROM busybox",
      "HEALTHCHECK CMD true",
      "HEALTHCHECK NONE",
      "HEALTHCHECK CMD false",
      "USER 1000:1000",
      "RUN id",
    ].join("\n"),
  });
  const r = await build([dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    steps(r),
    /Step 3\/6 : HEALTHCHECK NONE\nNote: overriding previous HEALTHCHECK: \[CMD-SHELL true\]\n/,
  );
  assert.doesNotMatch(
    steps(r),
    /Step 4\/6 : HEALTHCHECK CMD false\nNote/,
    "NONE is not a healthcheck to override",
  );
  assert.match(r.stdout, /^uid=1000 gid=1000 groups=1000$/m);
});

test("ARGs before FROM are steps, and empty continuation lines are warned about, as dockerd prints them", async () => {
  const dir = ctx("meta-args", {
    Dockerfile: "ARG TAG=latest\nFROM busybox:$TAG\nRUN echo one \\\n\n  two\n",
  });
  const r = await build([dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    steps(r),
    new RegExp(
      "^\\x1b\\[91m\\[WARNING\\]: Empty continuation line found in:\\n {4}RUN echo one {3}two\\n" +
        "\\[WARNING\\]: Empty continuation lines will become errors in a future release\\.\\n\\x1b\\[0m" +
        "Step 1/3 : ARG TAG=latest\\nStep 2/3 : FROM busybox:\\$TAG\\n ---> [0-9a-f]{12}\\nStep 3/3 : RUN echo one {3}two\\n",
    ),
  );
});

test("berthd stopping mid-build cancels the build and leaves no step container behind", async () => {
  const d2 = await startDaemon();
  try {
    await importBusybox(d2);
    const dir = ctx("stopped-daemon", { Dockerfile: "FROM busybox\nRUN echo started; sleep 60\n" });
    await buildUntilStarted(d2, dir);
  } finally {
    await d2.stop();
  }
  assert.deepEqual(leaks(d2), [], "no conmon, mount or runtime state left by the cancelled step");
});
