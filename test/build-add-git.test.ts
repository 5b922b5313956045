/**
 * `ADD <git URL> <dest>` (BuildKit's git sources) in berth's classic builder, through the real
 * docker CLI (DOCKER_BUILDKIT=0: the daemon does the ADD) and `berth build`: a tag, the default
 * branch, a branch with a subdirectory, `--keep-git-dir`, `--checksum`, --chown/--chmod/
 * --exclude/--link on a checkout, the error texts, and a cache keyed on the resolved commit.
 * The repository is served by a static file server on 127.0.0.1 (git's "dumb" HTTP protocol).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunResult, type TestDaemon, startDaemon, stopClean } from "./harness/daemon.js";
import { writeTree } from "./harness/files.js";
import { gitIn, publishRepo, serveStatic, type StaticServer } from "./harness/gitRepo.js";

let d: TestDaemon;
let srv: StaticServer;
const scratch = mkdtempSync(join(tmpdir(), "berth-add-git-"));
const served = join(scratch, "srv");
const src = join(scratch, "src");
const sha = { one: "", tag: "", two: "", feature: "" };
const git = (cwd: string, ...args: string[]) => gitIn(scratch, cwd, ...args);

before(async () => {
  mkdirSync(served);
  srv = await serveStatic(served);
  writeTree(src, { version: "v1\n", "sub/file": "s1\n", "sub/deep/x": "x\n", "run.sh": "#!/bin/sh\n" });
  await git(src, "init", "-q", "-b", "main");
  await git(src, "add", "-A");
  await git(src, "update-index", "--chmod=+x", "run.sh");
  await git(src, "commit", "-qm", "one");
  await git(src, "tag", "-a", "v1.0", "-m", "release");
  sha.one = await git(src, "rev-parse", "HEAD");
  sha.tag = await git(src, "rev-parse", "v1.0");
  writeTree(src, { version: "v2\n" });
  await git(src, "commit", "-qam", "two");
  sha.two = await git(src, "rev-parse", "HEAD");
  await git(src, "checkout", "-qb", "feature");
  writeTree(src, { "sub/file": "feat\n" });
  await git(src, "commit", "-qam", "three");
  sha.feature = await git(src, "rev-parse", "HEAD");
  await git(src, "checkout", "-q", "main");
  await publishRepo(scratch, src, served, "repo.git");
  d = await startDaemon({ busybox: true });
});

after(async () => {
  await stopClean(d);
  await srv.close();
  rmSync(scratch, { recursive: true, force: true });
});

const repo = (fragment = "") => `${srv.base}/repo.git${fragment}`;
const ctx = (name: string, dockerfile: string): string =>
  writeTree(join(scratch, "ctx", name), { Dockerfile: dockerfile });
const docker = (args: string[]): Promise<RunResult> =>
  d.docker(["build", "--network", "none", ...args], { env: { DOCKER_BUILDKIT: "0" }, timeoutMs: 120_000 });
const berth = (args: string[]): Promise<RunResult> =>
  d.berth(["build", "--progress", "plain", "--network", "none", ...args], { timeoutMs: 120_000 });
const cached = (r: RunResult) => r.stdout.split(" ---> Using cache").length - 1;

/** The lines of `cmd`'s output in a container of `image`, sorted. */
async function inImage(image: string, cmd: string): Promise<string[]> {
  const r = await d.docker(["run", "--rm", "--network", "none", image, "sh", "-c", cmd]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .split("\n")
    .filter((l) => l !== "")
    .sort();
}

/** The berthd scratch directories of builds: none may be left (the checkouts are inside them). */
function buildScratch(): string[] {
  return readdirSync(join(d.dataRoot, "tmp", "build")).filter((n) => /^[0-9a-f]{64}$/.test(n));
}

test("ADD of a tag, the default branch and a branch's subdirectory; .git left out", async () => {
  const dir = ctx(
    "refs",
    `FROM busybox\nADD ${repo("#v1.0")} /tag\nADD ${repo()} /def/\nADD ${repo("#feature:sub")} feat\n`,
  );
  const r = await docker(["-t", "addgit:refs", dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.deepEqual(
    await inImage(
      "addgit:refs",
      "find /tag /def /feat | sort; cat /tag/version /def/version /feat/file; stat -c '%a %U %n' /tag/run.sh /tag/version",
    ),
    [
      "/tag",
      "/tag/run.sh",
      "/tag/sub",
      "/tag/sub/deep",
      "/tag/sub/deep/x",
      "/tag/sub/file",
      "/tag/version",
      "/def",
      "/def/run.sh",
      "/def/sub",
      "/def/sub/deep",
      "/def/sub/deep/x",
      "/def/sub/file",
      "/def/version",
      "/feat",
      "/feat/deep",
      "/feat/deep/x",
      "/feat/file",
      "v1",
      "v2",
      "feat",
      "755 root /tag/run.sh",
      "644 root /tag/version",
    ].sort(),
  );
  // The label is the commit (an annotated tag's commit), with the subdirectory when one is copied.
  const hist = await d.docker(["history", "--no-trunc", "--format", "{{.CreatedBy}}", "addgit:refs"]);
  assert.match(hist.stdout, new RegExp(`#\\(nop\\) ADD git:${sha.one} in /tag `));
  assert.match(hist.stdout, new RegExp(`#\\(nop\\) ADD git:${sha.two} in /def/ `));
  assert.match(hist.stdout, new RegExp(`#\\(nop\\) ADD git:${sha.feature}:sub in feat `));
});

test("--keep-git-dir=true keeps a valid .git; with --chown, --chmod, --exclude and --link", async () => {
  const dir = ctx(
    "keep",
    `FROM busybox\nADD --keep-git-dir=true ${repo("#main")} /src\n` +
      `ADD --keep-git-dir=false --link --chown=1000:1000 --chmod=750 --exclude=sub/deep ${repo()} /own\n`,
  );
  const r = await berth(["-t", "addgit:keep", dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.deepEqual(await inImage("addgit:keep", "cat /src/.git/HEAD; ls -A /src; ls -A /own /own/sub"), [
    ".git",
    "/own/sub:",
    "/own:",
    "file",
    "ref: refs/heads/main",
    "run.sh",
    "run.sh",
    "sub",
    "sub",
    "version",
    "version",
  ]);
  assert.deepEqual(await inImage("addgit:keep", "stat -c '%a %u:%g %n' /own /own/version /own/sub"), [
    "750 1000:1000 /own",
    "750 1000:1000 /own/sub",
    "750 1000:1000 /own/version",
  ]);
  // The kept .git is a repository at the commit: the host's git reads it from `docker cp`.
  const out = join(scratch, "cp");
  const c = await d.docker(["create", "addgit:keep", "sh"]);
  assert.equal(c.code, 0, c.stderr);
  const id = c.stdout.trim();
  const cp = await d.docker(["cp", `${id}:/src`, out]);
  assert.equal(cp.code, 0, cp.stderr);
  await d.docker(["rm", id]);
  await git(out, "config", "--global", "--add", "safe.directory", "*");
  assert.equal(await git(out, "rev-parse", "HEAD"), sha.two);
  assert.equal(await git(out, "status", "--porcelain"), "");
  assert.equal(await git(out, "remote", "get-url", "origin"), repo());
  // --keep-git-dir is part of the key: the same source without it is another step. (dockerd
  // writes --chown and --chmod with no space between them.)
  const hist = await d.docker(["history", "--no-trunc", "--format", "{{.CreatedBy}}", "addgit:keep"]);
  assert.match(hist.stdout, new RegExp(`#\\(nop\\) ADD git:${sha.two}\\.git in /src `));
  assert.match(
    hist.stdout,
    new RegExp(
      `#\\(nop\\) ADD --chown=1000:1000--chmod=750 --link --exclude=sub/deep git:${sha.two} in /own `,
    ),
  );
});

test("--checksum: the commit (or a prefix) passes, another fails with BuildKit's text", async () => {
  const ok = ctx(
    "sum-ok",
    `FROM busybox\nADD --checksum=${sha.two} ${repo("#main")} /a\nADD --checksum=${sha.one.slice(0, 10)} ${repo("#v1.0")} /b\n`,
  );
  let r = await docker([ok]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const failures: [string, RegExp][] = [
    [
      `ADD --checksum=${sha.one} ${repo("#main")} /a`,
      new RegExp(`expected checksum to match ${sha.one}, got ${sha.two}\\n`),
    ],
    [
      `ADD --checksum=0000 ${repo("#v1.0")} /a`,
      new RegExp(`expected checksum to match 0000, got ${sha.tag} or ${sha.one}\\n`),
    ],
    [
      `ADD --checksum=sha256:abc ${repo()} /a`,
      /invalid checksum sha256:abc for Git URL, expected hex commit hash\n/,
    ],
    [
      `ADD --checksum=${sha.one} ${repo()} ${repo()} /a/`,
      /checksum can't be specified for multiple sources\n/,
    ],
    [`ADD ${repo("#nope")} /a`, /repository does not contain ref nope, output: ""\n/],
    [`ADD ${repo("#main:nosuch")} /a`, /stat \S+\/docker-build-git\w+\/nosuch: no such file or directory\n/],
    [`COPY ${repo()} /a`, /source can't be a git ref for COPY\n/],
    [
      "ADD git@0.0.0.0:r.git /a",
      /cloning from 0\.0\.0\.0 is not allowed: this engine only fetches from loopback addresses\n/,
    ],
  ];
  for (const [line, want] of failures) {
    r = await docker([ctx("sum-bad", `FROM busybox\n${line}\n`)]);
    assert.equal(r.code, 1, line + r.stdout);
    assert.match(r.stderr, want, line);
  }
  assert.deepEqual(buildScratch(), [], "no checkout left behind");
});

test("the cache follows the commit: the same ref hits, a new commit on the branch misses", async () => {
  const dir = ctx("cache", `FROM busybox\nADD ${repo("#main")} /src\nRUN cat /src/version\n`);
  let r = await docker(["-t", "addgit:c1", dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  r = await berth(["-t", "addgit:c2", dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /Using cache/);
  let before = srv.requests.length;
  r = await docker(["-t", "addgit:c2", dir]);
  assert.equal(cached(r), 2, r.stdout);
  // A hit asks the server which commit the ref names (ls-remote) and fetches nothing.
  const asked = srv.requests.slice(before);
  assert.ok(asked.includes("GET /repo.git/info/refs"), asked.join());
  assert.ok(!asked.some((p) => p.includes("/objects/")), asked.join());
  before = srv.requests.length;
  writeFileSync(join(src, "version"), "v3\n");
  await git(src, "commit", "-qam", "four");
  await publishRepo(scratch, src, served, "repo.git");
  r = await docker(["-t", "addgit:c3", dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(cached(r), 0, r.stdout);
  assert.match(r.stdout, /\nv3\n/);
  assert.ok(
    srv.requests.slice(before).some((p) => p.includes("/objects/")),
    "a miss clones",
  );
  assert.deepEqual(await inImage("addgit:c3", "cat /src/version"), ["v3"]);
});
