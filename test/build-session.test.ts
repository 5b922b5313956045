/**
 * `berth build` through a build session (POST /berth/build/session): only changed files are
 * sent, the cache follows content, `--secret` and `--ssh` reach RUN mounts and nothing of them
 * reaches the image; the full-tar path (BERTH_BUILD_SESSION=0, the docker CLI) still works.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDaemon, stopClean, type RunResult, type TestDaemon } from "./harness/daemon.js";
import { writeTree } from "./harness/files.js";

let d: TestDaemon;
const scratch = mkdtempSync(join(tmpdir(), "berth-bsession-"));

/** A context directory with these files (the Dockerfile among them). */
const ctx = (name: string, files: Record<string, string | Buffer>): string =>
  writeTree(join(scratch, name), files);

const berth = (args: string[], env: Record<string, string> = {}): Promise<RunResult> =>
  d.berth(["build", "--progress", "plain", "--network", "none", ...args], { env, timeoutMs: 120_000 });

/** What the daemon logged for the last synced session: files needed and bytes received. */
function lastSync(): { needed: number; received: number } {
  const lines = d
    .log()
    .split("\n")
    .filter((l) => l.includes("build session: context synced"));
  const last = lines[lines.length - 1] ?? "";
  const num = (k: string) => Number(new RegExp(`${k}="(\\d+)"`).exec(last)?.[1] ?? NaN);
  return { needed: num("needed"), received: num("receivedBytes") };
}

const syncCount = () => d.log().split("build session: context synced").length - 1;
const cached = (r: RunResult) => r.stdout.split(" ---> Using cache").length - 1;

before(async () => {
  d = await startDaemon({ extraArgs: ["--log-level", "debug"], busybox: true });
});
after(async () => {
  await stopClean(d);
  rmSync(scratch, { recursive: true, force: true });
});

test("a rebuild sends only changed files: touched hits the cache, a changed byte misses from its COPY on", async () => {
  const sent = {
    Dockerfile: "FROM busybox\nCOPY a.txt /a.txt\nCOPY d /d\nRUN cat /a.txt /d/x > /all && wc -c /d/big\n",
    ".dockerignore": "ignored.txt\n",
    "a.txt": "alpha\n",
    "d/x": "x1\n",
    "d/big": Buffer.alloc(100_000, 7),
  };
  const dir = ctx("incr", { ...sent, "ignored.txt": "never sent\n" });
  const first = await berth(["-t", "sess:1", dir]);
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.equal(syncCount(), 1);
  const bytes = Object.values(sent).reduce((n, v) => n + Buffer.byteLength(v), 0);
  assert.deepEqual(lastSync(), { needed: 5, received: bytes }, "everything but the ignored file");

  const second = await berth(["-t", "sess:1", dir]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /^Sending build context to Docker daemon {2}0B\n/);
  assert.equal(cached(second), 3, second.stdout);
  assert.deepEqual(lastSync(), { needed: 0, received: 0 }, "an unchanged context sends nothing");

  utimesSync(join(dir, "a.txt"), new Date(), new Date(Date.now() - 3600_000));
  const touched = await berth(["-t", "sess:1", dir]);
  assert.equal(touched.code, 0, touched.stderr);
  assert.deepEqual(lastSync(), { needed: 1, received: 6 }, "a touched file is sent again");
  assert.equal(cached(touched), 3, `same bytes hit the cache:\n${touched.stdout}`);

  writeFileSync(join(dir, "d/x"), "x2\n");
  const changed = await berth(["-t", "sess:1", dir]);
  assert.equal(changed.code, 0, changed.stderr);
  assert.deepEqual(lastSync(), { needed: 1, received: 3 });
  assert.equal(cached(changed), 1, `only COPY a.txt is cached:\n${changed.stdout}`);
  const all = await d.docker(["run", "--rm", "sess:1", "cat", "/all"]);
  assert.equal(all.stdout, "alpha\nx2\n");

  // Removed file and a file replaced by a directory: the mirror follows the manifest.
  rmSync(join(dir, "d/big"));
  rmSync(join(dir, "a.txt"));
  mkdirSync(join(dir, "a.txt"));
  writeFileSync(join(dir, "a.txt/inner"), "in\n");
  writeFileSync(join(dir, "Dockerfile"), "FROM busybox\nCOPY . /ctx\n");
  const reshaped = await berth(["-t", "sess:2", dir]);
  assert.equal(reshaped.code, 0, reshaped.stderr + reshaped.stdout);
  const ls = await d.docker(["run", "--rm", "sess:2", "find", "/ctx", "-type", "f"]);
  assert.deepEqual(ls.stdout.trim().split("\n").sort(), [
    "/ctx/.dockerignore",
    "/ctx/Dockerfile",
    "/ctx/a.txt/inner",
    "/ctx/d/x",
  ]);

  // The full-tar path (no session) builds the same image from the same context.
  const full = await berth(["-t", "sess:3", dir], { BERTH_BUILD_SESSION: "0" });
  assert.equal(full.code, 0, full.stderr);
  assert.equal(syncCount(), 5, "no session for the full tar");
  const ids = await d.docker(["image", "inspect", "-f", "{{.Id}}", "sess:2", "sess:3"]);
  const [id2, id3] = ids.stdout.trim().split("\n");
  assert.equal(id2, id3, "the same context gives the same image either way");
  const viaDocker = await d.docker(["build", "--network", "none", "-q", dir], {
    env: { DOCKER_BUILDKIT: "0" },
  });
  assert.equal(viaDocker.code, 0, viaDocker.stderr);
  assert.equal(viaDocker.stdout.trim(), id2, "the docker CLI's tar hits the same cache");
  await d.docker(["rmi", "sess:1", "sess:2", "sess:3"]);
});

test("--secret: readable in RUN as a file or an env variable, absent from the image, its history and cache key", async () => {
  const value = "s3cr3t-value-1234";
  // The Dockerfile (and so the history) holds the value's hash, never the value.
  const sha = createHash("sha256").update(value).digest("hex");
  const dir = ctx("secret", {
    Dockerfile: [
      "FROM busybox",
      `RUN --mount=type=secret,id=tok test "$(sha256sum < /run/secrets/tok | cut -c1-64)" = ${sha} && stat -c "%a %u" /run/secrets/tok && echo ok-file`,
      'RUN --mount=type=secret,id=tok,env=TOKEN,target=/tmp/t test "$TOKEN" = "$(cat /tmp/t)" && echo ok-env',
      "RUN --mount=type=secret,id=absent echo optional-skipped",
      "",
    ].join("\n"),
  });
  const secretFile = join(scratch, "tok.txt");
  writeFileSync(secretFile, value);
  const r = await berth(["-t", "sec:1", "--secret", `id=tok,src=${secretFile}`, dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^400 0\nok-file$/m);
  assert.match(r.stdout, /^ok-env$/m);
  assert.match(r.stdout, /^optional-skipped$/m);
  assert.ok(!r.stdout.includes(value));
  const history = await d.docker(["history", "--no-trunc", "sec:1"]);
  assert.equal(history.code, 0);
  assert.ok(!history.stdout.includes(value), history.stdout);
  const inspect = await d.docker(["image", "inspect", "sec:1"]);
  assert.ok(!inspect.stdout.includes(value));
  const files = await d.docker([
    "run",
    "--rm",
    "sec:1",
    "sh",
    "-c",
    "test ! -e /run/secrets && test ! -e /tmp/t && echo clean",
  ]);
  assert.equal(files.stdout, "clean\n", files.stderr);
  const saved = execFileSync("docker", ["save", "sec:1"], {
    env: { ...process.env, DOCKER_HOST: d.host },
    maxBuffer: 256 << 20,
  });
  assert.equal(saved.includes(Buffer.from(value)), false, "no layer holds the secret");

  // From the environment (buildx's env= and the id-as-variable default): same cache.
  const again = await berth(["-t", "sec:1", "--secret", "id=tok,env=MY_TOKEN", dir], { MY_TOKEN: value });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(cached(again), 3, again.stdout);
  const byId = await berth(["-t", "sec:1", "--secret", "id=tok", dir], { tok: value });
  assert.equal(byId.code, 0, byId.stderr);

  const required = ctx("secret-req", {
    Dockerfile: "FROM busybox\nRUN --mount=type=secret,id=nope,required echo never\n",
  });
  const missing = await berth([required]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /secret nope: not found/);

  // The docker CLI cannot send secrets: a clear 501.
  const viaDocker = await d.docker(["build", "--network", "none", dir], { env: { DOCKER_BUILDKIT: "0" } });
  assert.notEqual(viaDocker.code, 0);
  assert.match(
    viaDocker.stderr,
    /RUN --mount=type=secret is not supported yet by the classic builder of berth without a build session: use berth build --secret/,
  );
  await d.docker(["rmi", "sec:1"]);
});

test("--ssh: the agent socket is reachable in RUN through SSH_AUTH_SOCK and leaves nothing in the image", async () => {
  const sockDir = mkdtempSync(join(tmpdir(), "berth-agent-"));
  const sock = join(sockDir, "agent.sock");
  const seen: string[] = [];
  const agent: Server = createServer((c) =>
    c.on("data", (b) => {
      seen.push(b.toString());
      c.end(`agent says hi to ${b.toString().trim()}\n`);
    }),
  );
  await new Promise<void>((r) => agent.listen(sock, r));
  try {
    // A static unix-socket client (busybox has none), bound into the step, not copied.
    const files: Record<string, string | Buffer> = {
      Dockerfile: [
        "FROM busybox",
        'RUN --mount=type=ssh test -S "$SSH_AUTH_SOCK" && echo "sock=$SSH_AUTH_SOCK mode=$(stat -c %a $SSH_AUTH_SOCK)"',
        "",
      ].join("\n"),
    };
    const client = join(scratch, "uclient");
    let haveClient = false;
    try {
      writeFileSync(`${client}.c`, UCLIENT_C);
      execFileSync("gcc", ["-static", "-O1", "-o", client, `${client}.c`], { stdio: "ignore" });
      haveClient = true;
    } catch {
      haveClient = false; // no compiler here: the socket is still checked
    }
    const dir = ctx("ssh", files);
    if (haveClient) {
      execFileSync("cp", [client, join(dir, "uclient")]);
      writeFileSync(
        join(dir, "Dockerfile"),
        `${files.Dockerfile as string}RUN --mount=type=bind,source=uclient,target=/uclient --mount=type=ssh,id=default /uclient\n`,
      );
    }
    const r = await berth(["-t", "ssh:1", "--ssh", "default", dir], { SSH_AUTH_SOCK: sock });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^sock=\/run\/buildkit\/ssh_agent\.0 mode=600$/m);
    if (haveClient) {
      assert.match(r.stdout, /^agent says hi to from-build$/m);
      assert.deepEqual(seen, ["from-build\n"]);
    }
    const clean = await d.docker([
      "run",
      "--rm",
      "ssh:1",
      "sh",
      "-c",
      "test ! -e /run/buildkit && echo clean",
    ]);
    assert.equal(clean.stdout, "clean\n", clean.stderr);

    const keyFile = join(scratch, "id_ed25519");
    writeFileSync(keyFile, "not a socket");
    const key = await berth(["--ssh", `default=${keyFile}`, dir]);
    assert.notEqual(key.code, 0);
    assert.match(key.stderr, /only an ssh agent socket is supported/);

    const req = ctx("ssh-req", { Dockerfile: "FROM busybox\nRUN --mount=type=ssh,id=gh,required true\n" });
    const missing = await berth(["--ssh", `default=${sock}`, req]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /no SSH key "gh" forwarded/);
    await d.docker(["rmi", "ssh:1"]);
  } finally {
    agent.close();
    rmSync(sockDir, { recursive: true, force: true });
  }
});

const UCLIENT_C = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
int main(void) {
  const char *p = getenv("SSH_AUTH_SOCK");
  if (!p) return 2;
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  strncpy(a.sun_path, p, sizeof a.sun_path - 1);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 1; }
  if (write(fd, "from-build\\n", 11) != 11) return 1;
  char buf[256];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)n, stdout);
  return 0;
}
`;
