/**
 * Build contexts from git URLs: the docker CLI (which clones itself and sends a tar), `berth
 * build` and `POST /build?remote=` through dockerode (berthd clones). The repositories are
 * served read-only by a static file server on 127.0.0.1 (git's "dumb" HTTP protocol).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDaemon, stopClean, type RunResult, type TestDaemon } from "./harness/daemon.js";
import { writeTree } from "./harness/files.js";
import { gitIn, publishRepo, serveStatic, type StaticServer } from "./harness/gitRepo.js";

let d: TestDaemon;
let server: StaticServer;
let base = "";
const scratch = mkdtempSync(join(tmpdir(), "berth-build-git-"));
/** Where the docker CLI makes its clones (its TMPDIR), checked empty at the end. */
const cliTmp = join(scratch, "cli-tmp");
const served = join(scratch, "srv");
const sha: Record<string, string> = {};

const git = (cwd: string, ...args: string[]) => gitIn(scratch, cwd, ...args);
const publish = (src: string, name: string) => publishRepo(scratch, src, served, name);

before(async () => {
  mkdirSync(cliTmp);
  mkdirSync(served);
  server = await serveStatic(served, "/hang/");
  base = server.base;

  // A library repository, used as a submodule (by a URL relative to the main one).
  const lib = writeTree(join(scratch, "lib"), { "lib.txt": "library\n" });
  await git(lib, "init", "-q", "-b", "master");
  await git(lib, "add", "-A");
  await git(lib, "commit", "-qm", "lib");
  await publish(lib, "lib.git");

  const src = join(scratch, "src");
  const report = "RUN echo \"version=$(cat /ctx/version) files=$(ls -A /ctx | tr '\\n' ,)\"";
  writeTree(src, {
    Dockerfile: `FROM busybox\nCOPY . /ctx/\n${report}\n`,
    version: "v1\n",
    "sub/Dockerfile":
      "FROM busybox\nCOPY . /sub/\nRUN echo \"sub=$(cat /sub/file) files=$(ls -A /sub | tr '\\n' ,)\"\n",
    "sub/file": "s1\n",
  });
  await git(src, "init", "-q", "-b", "master");
  await git(src, "add", "-A");
  await git(src, "commit", "-qm", "one");
  await git(src, "tag", "v1");
  sha.one = await git(src, "rev-parse", "HEAD");
  writeTree(src, {
    version: "v2\n",
    "ignored.txt": "not in the context\n",
    ".dockerignore": "ignored.txt\n",
    "alt/Dockerfile.alt": 'FROM busybox\nCOPY version /alt-version\nRUN echo "alt=$(cat /alt-version)"\n',
  });
  await git(src, "add", "-A");
  await git(src, "commit", "-qm", "two");
  sha.two = await git(src, "rev-parse", "HEAD");
  await git(src, "checkout", "-qb", "feature");
  writeTree(src, { "sub/file": "feat\n" });
  await git(src, "commit", "-qam", "three");
  await git(src, "checkout", "-qb", "withsub", "master");
  await git(src, "submodule", "add", "-q", `${base}/lib.git`, "lib");
  await git(src, "config", "-f", ".gitmodules", "submodule.lib.url", "../lib.git");
  writeTree(src, { Dockerfile: 'FROM busybox\nCOPY . /ctx/\nRUN echo "lib=$(cat /ctx/lib/lib.txt)"\n' });
  await git(src, "add", "-A");
  await git(src, "commit", "-qm", "submodule");
  // A submodule elsewhere than loopback: refused before git contacts it (0.0.0.0 stays on this
  // machine even if it were contacted).
  await git(src, "checkout", "-qb", "badsub", "withsub");
  await git(src, "config", "-f", ".gitmodules", "submodule.lib.url", "http://0.0.0.0:1/lib.git");
  await git(src, "commit", "-qam", "bad submodule");
  await git(src, "checkout", "-q", "master");
  await publish(src, "repo.git");

  d = await startDaemon({ busybox: true });
});

after(async () => {
  await stopClean(d);
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

const repo = (fragment = "") => `${base}/repo.git${fragment}`;
const env = { DOCKER_BUILDKIT: "0", TMPDIR: cliTmp };
const docker = (args: string[]): Promise<RunResult> =>
  d.docker(["build", "--network", "none", "--no-cache", ...args], { env, timeoutMs: 120_000 });
const berth = (args: string[]): Promise<RunResult> =>
  d.berth(["build", "--progress", "plain", "--network", "none", "--no-cache", ...args], {
    timeoutMs: 120_000,
  });

/** The berthd scratch directories of builds: none may be left (the clones are inside them). */
function buildScratch(): string[] {
  return readdirSync(join(d.dataRoot, "tmp", "build")).filter((n) => /^[0-9a-f]{64}$/.test(n));
}

const master = /version=v2 files=\.dockerignore,\.git,Dockerfile,alt,sub,version,\n/;

test("docker build <git URL>: the docker CLI clones, berthd builds its tar", async () => {
  let r = await docker(["-t", "git-docker:master", repo()]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, master, "master, .dockerignore applied, .git kept as Docker does");
  r = await docker(["-t", "git-docker:v1", repo("#v1")]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /version=v1 files=\.git,Dockerfile,sub,version,\n/);
  r = await docker([repo("#feature:sub")]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /sub=feat files=Dockerfile,file,\n/);
  r = await docker(["-f", "alt/Dockerfile.alt", repo()]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /alt=v2\n/);
  const run = await d.docker(["run", "--rm", "--network", "none", "git-docker:v1", "cat", "/ctx/version"]);
  assert.equal(run.stdout, "v1\n", run.stderr);
});

test("docker build <git URL>: the CLI's own errors for a missing ref or subdirectory", async () => {
  let r = await docker([repo("#nope")]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /unable to prepare context: unable to 'git clone' to temporary context directory: error fetching: fatal: couldn't find remote ref nope\n: exit status 128\n/,
  );
  r = await docker([repo("#master:nosuch")]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /unable to prepare context: unable to 'git clone' to temporary context directory: stat \S+\/docker-build-git\d+\/nosuch: no such file or directory\n/,
  );
  // docker 28 removes only the context directory it used: with `#ref:subdir` the rest of its
  // clone stays in TMPDIR (a docker CLI bug, the same against dockerd). The other clones went.
  const left = readdirSync(cliTmp);
  assert.equal(left.length, 1, left.join());
  assert.deepEqual(readdirSync(join(cliTmp, left[0] as string)).sort(), [
    ".dockerignore",
    ".git",
    "Dockerfile",
    "alt",
    "ignored.txt",
    "version",
  ]);
});

test("berth build <git URL>: berthd clones the default branch, a tag, a commit, a branch's subdirectory", async () => {
  let r = await berth(["-t", "git-berth:master", repo()]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.doesNotMatch(r.stdout, /Sending build context/, "nothing is sent: the daemon fetches");
  assert.match(r.stdout, master);
  r = await berth(["-t", "git-berth:v1", repo("#v1")]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /version=v1 files=\.git,Dockerfile,sub,version,\n/);
  r = await berth([repo(`#${sha.one}`)]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /version=v1 /);
  r = await berth([repo("#feature:sub")]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /sub=feat files=Dockerfile,file,\n/);
  r = await berth([repo("#:sub")]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /sub=s1 /);
  r = await berth(["-f", "alt/Dockerfile.alt", repo()]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /alt=v2\n/);
  const run = await d.docker(["run", "--rm", "--network", "none", "git-berth:master", "cat", "/ctx/version"]);
  assert.equal(run.stdout, "v2\n", run.stderr);
  assert.deepEqual(buildScratch(), []);
});

test("berth build <git URL>: submodules are fetched, one refused when not on loopback", async () => {
  let r = await berth([repo("#withsub")]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /lib=library\n/);
  r = await berth([repo("#badsub")]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    "Error response from daemon: cloning from 0.0.0.0 is not allowed: this engine only fetches from loopback addresses\n",
  );
  assert.deepEqual(buildScratch(), []);
});

test("berth build <git URL>: a missing ref or subdirectory fails with dockerd's text", async () => {
  let r = await berth([repo("#nope")]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    "Error response from daemon: error fetching: fatal: couldn't find remote ref nope\n: exit status 128\n",
  );
  r = await berth([repo("#master:nosuch")]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^Error response from daemon: stat \S+\/tmp\/build\/[0-9a-f]{64}\/docker-build-git\w+\/nosuch: no such file or directory\n$/,
  );
  r = await berth([repo("#master:../../x")]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /error setting git context, "\.\.\/\.\.\/x" not within git root: evalSymlinksInScope: /,
  );
  assert.deepEqual(buildScratch(), []);
});

/** POST /build?remote=… through dockerode: the stream's lines, or the HTTP error. */
async function apiBuild(
  remote: string,
  t?: string,
): Promise<{ lines: string; error?: string; status?: number }> {
  const opts = { remote, nocache: true, networkmode: "none", ...(t ? { t } : {}) };
  try {
    // No body: dockerode sends none when given no context.
    const stream = await d.dockerode.buildImage(undefined as unknown as string, opts);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    const lines = Buffer.concat(chunks)
      .toString("utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { stream?: string; error?: string });
    const error = lines.find((l) => l.error !== undefined)?.error;
    return { lines: lines.map((l) => l.stream ?? "").join(""), ...(error ? { error } : {}) };
  } catch (err) {
    // docker-modem puts the body of a failed stream request in its message: "(HTTP code 500)
    // server error - <message> ".
    const e = err as Error & { statusCode?: number };
    const message = /^\(HTTP code \d+\) [^-]*- ([\s\S]*) $/.exec(e.message)?.[1] ?? e.message;
    return { lines: "", status: e.statusCode ?? 0, error: message };
  }
}

test("POST /build?remote=<git URL> (dockerode): builds and errors as dockerd does", async () => {
  let r = await apiBuild(repo("#feature:sub"), "git-api:feature");
  assert.equal(r.error, undefined);
  assert.match(r.lines, /sub=feat /);
  assert.match(r.lines, /Successfully tagged git-api:feature\n/);
  r = await apiBuild(repo("#v1"));
  assert.match(r.lines, /version=v1 /);
  r = await apiBuild(repo(`#${sha.two}:sub`));
  assert.match(r.lines, /sub=s1 /);
  r = await apiBuild(repo("#nope"));
  assert.equal(r.status, 500);
  assert.equal(r.error, "error fetching: fatal: couldn't find remote ref nope\n: exit status 128");
  r = await apiBuild(repo("#master:version"));
  assert.equal(r.status, 500);
  assert.match(
    r.error ?? "",
    /^error setting git context, not a directory: \S+\/docker-build-git\w+\/version$/,
  );
  r = await apiBuild(repo("#-x"));
  assert.equal(r.status, 500);
  assert.equal(r.error, "invalid refspec: -x");
  r = await apiBuild(`${base}/absent.git`);
  assert.equal(r.status, 500);
  assert.match(
    r.error ?? "",
    /^error fetching: fatal: repository '.*\/absent\.git\/' not found\n: exit status 128$/,
  );
  assert.deepEqual(buildScratch(), []);
});

test("POST /build?remote=<git URL>: a client that goes away kills the clone", async () => {
  const ac = new AbortController();
  const stream = d.dockerode.buildImage(undefined as unknown as string, {
    remote: `${base}/hang/repo.git`,
    abortSignal: ac.signal,
  });
  const t0 = Date.now();
  while (!server.requests.some((p) => p.startsWith("GET /hang/"))) {
    assert.ok(Date.now() - t0 < 20_000, "git never asked the server");
    await new Promise((ok) => setTimeout(ok, 50));
  }
  ac.abort();
  await stream.then(
    () => undefined,
    () => undefined,
  );
  // No process of this daemon's builds runs in its data root, and the scratch goes.
  const inDataRoot = () =>
    readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readlinkSync(`/proc/${p}/cwd`).startsWith(d.dataRoot);
        } catch {
          return false;
        }
      });
  for (let i = 0; (inDataRoot().length > 0 || buildScratch().length > 0) && i < 100; i++)
    await new Promise((ok) => setTimeout(ok, 100));
  assert.deepEqual(inDataRoot(), []);
  assert.deepEqual(buildScratch(), []);
});
