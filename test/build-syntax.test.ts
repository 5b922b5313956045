/**
 * BuildKit-era Dockerfile syntax the classic builder of berth accepts (heredocs, `#!` scripts,
 * RUN --mount, --chmod on directories, FROM scratch, COPY --link; build-copy-flags.test.ts has
 * the other COPY/ADD flags), through the real docker CLI with DOCKER_BUILDKIT=0.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDaemon, stopClean, type RunResult, type TestDaemon } from "./harness/daemon.js";
import { writeTree } from "./harness/files.js";

let d: TestDaemon;
const scratch = mkdtempSync(join(tmpdir(), "berth-build-syntax-"));
const env = { DOCKER_BUILDKIT: "0" };

/** A context directory with these files (the Dockerfile among them). */
const ctx = (name: string, files: Record<string, string>): string => writeTree(join(scratch, name), files);

const build = (args: string[]): Promise<RunResult> =>
  d.docker(["build", "--network", "none", ...args], { env, timeoutMs: 120_000 });

async function run(args: string[]): Promise<string> {
  const r = await d.docker(["run", "--rm", "--network", "none", ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

before(async () => {
  d = await startDaemon({ busybox: true });
});
after(async () => {
  await stopClean(d);
  rmSync(scratch, { recursive: true, force: true });
});

test("heredocs: COPY <<EOF writes a file (expanded unless quoted); a #! RUN heredoc runs by its interpreter", async () => {
  const dir = ctx("heredoc", {
    Dockerfile: [
      "FROM busybox",
      "ARG WHO=world",
      "COPY <<EOF /greeting",
      "hello $WHO",
      "EOF",
      "COPY --chmod=0755 <<'EOT' <<EOF2 /bin/",
      "#!/bin/sh",
      "echo raw $WHO",
      "EOT",
      "second",
      "EOF2",
      "RUN <<EOF",
      "#!/bin/awk -f",
      'BEGIN { print "awk ran", ARGV[0] > "/awk.txt" }',
      "EOF",
      "RUN <<EOF",
      "echo sh ran > /sh.txt",
      "EOF",
      "",
    ].join("\n"),
  });
  const r = await build(["-t", "heredoc:1", dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const out = await run([
    "heredoc:1",
    "sh",
    "-c",
    "cat /greeting /awk.txt /sh.txt /bin/EOF2; /bin/EOT; stat -c '%a %u' /greeting /bin/EOT; ls /dev/pipes 2>&1 | wc -l",
  ]);
  assert.equal(out, "hello world\nawk ran awk\nsh ran\nsecond\nraw\n644 0\n755 0\n1\n");
  // The script's text is in the cache key: another script body is another step.
  const again = await build(["-t", "heredoc:1", dir]);
  assert.equal((again.stdout.match(/Using cache/g) ?? []).length, 5);
  writeFileSync(join(dir, "Dockerfile"), "FROM busybox\nRUN <<EOF\n#!/bin/sh\necho other > /o\nEOF\n");
  const other = await build([dir]);
  assert.match(other.stdout, /Step 2\/2 : RUN <<EOF\n ---> Running in/);
  const h = await d.docker(["history", "--no-trunc", "--format", "{{.CreatedBy}}", "heredoc:1"]);
  assert.match(h.stdout, /^\|1 WHO=world \/bin\/sh -c #!\/bin\/awk -f$/m);
});

test("RUN --mount: cache persists between builds, bind reads the context (content in the cache key), tmpfs", async () => {
  const dir = ctx("mounts", {
    "data/in.txt": "v1\n",
    Dockerfile: [
      "FROM busybox",
      "RUN --mount=type=cache,target=/var/cache/app echo x >> /var/cache/app/log && wc -l < /var/cache/app/log > /count",
      "RUN --mount=type=bind,source=data,target=/src cat /src/in.txt > /copied",
      "RUN --mount=type=bind,source=data,target=/src,rw echo w > /src/new && ls /src > /listed",
      "RUN --mount=type=tmpfs,target=/scratchy echo t > /scratchy/f && grep -c tmpfs /proc/mounts > /tmpfs",
      "",
    ].join("\n"),
  });
  const r1 = await build(["-t", "mounts:1", dir]);
  assert.equal(r1.code, 0, r1.stderr + r1.stdout);
  assert.equal(await run(["mounts:1", "cat", "/count", "/copied", "/listed"]), "1\nv1\nin.txt\nnew\n");
  // Mount points are not left in the image; nothing written through a mount lands in a layer.
  assert.equal(
    await run(["mounts:1", "sh", "-c", "ls -d /var/cache/app /src /scratchy 2>&1 | wc -l; ls /var"]),
    "3\nwww\n",
  );
  const hist = await d.docker(["history", "--format", "{{.Size}}", "mounts:1"]);
  assert.match(hist.stdout, /^\dB\n11B\n3B\n2B\n/);
  // A changed bound file reruns its step (and the later ones); the cache mount kept its file.
  writeFileSync(join(dir, "data/in.txt"), "v2\n");
  const r2 = await build(["--no-cache", "-t", "mounts:2", dir]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(await run(["mounts:2", "cat", "/count", "/copied"]), "2\nv2\n");
  const r3 = await build(["-t", "mounts:3", dir]);
  assert.equal((r3.stdout.match(/Using cache/g) ?? []).length, 4);
  writeFileSync(join(dir, "data/in.txt"), "v3\n");
  const r4 = await build(["-t", "mounts:4", dir]);
  assert.match(r4.stdout, /Step 2\/5 : RUN --mount=type=cache[^\n]*\n ---> Using cache\n/);
  assert.match(
    r4.stdout,
    /Step 3\/5 : RUN --mount=type=bind,source=data,target=\/src cat[^\n]*\n ---> Running in/,
  );
  const secret = ctx("secret", { Dockerfile: "FROM busybox\nRUN --mount=type=secret,id=x true\n" });
  const s = await build([secret]);
  assert.notEqual(s.code, 0);
  assert.match(s.stderr, /RUN --mount=type=secret is not supported yet/);
  // builder prune also drops the cache mounts.
  const pr = await d.docker(["builder", "prune", "-f"]);
  assert.equal(pr.code, 0, pr.stderr);
  const r5 = await build(["--no-cache", "-t", "mounts:5", dir]);
  assert.equal(r5.code, 0, r5.stderr);
  assert.equal(await run(["mounts:5", "cat", "/count"]), "1\n");
});

test("--chmod: a copied directory and its content take the mode, new parents stay 0755", async () => {
  const dir = ctx("chmod", {
    "d/sub/f": "x\n",
    f: "y\n",
    Dockerfile: "FROM busybox\nCOPY --chmod=0750 d /d\nCOPY --chmod=0600 f /new/parent/f\n",
  });
  const r = await build(["-t", "chmod:1", dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const out = await run([
    "chmod:1",
    "stat",
    "-c",
    "%a %n",
    "/d",
    "/d/sub",
    "/d/sub/f",
    "/new",
    "/new/parent",
    "/new/parent/f",
  ]);
  assert.equal(out, "750 /d\n750 /d/sub\n750 /d/sub/f\n755 /new\n755 /new/parent\n600 /new/parent/f\n");
});

test("ADD --keep-git-dir on a local source builds (it only concerns git sources, as in BuildKit); COPY --link builds", async () => {
  const dir = ctx("flag-keep-git-dir", {
    Dockerfile: "FROM busybox\nRUN echo RAN\nADD --keep-git-dir=true Dockerfile /x\nRUN cat /x\n",
  });
  const r = await build([dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /\nADD --keep-git-dir=true Dockerfile \/x\n/);
  const link = ctx("flag-link", { Dockerfile: "FROM busybox\nCOPY --link Dockerfile /x\n" });
  const ok = await build([link]);
  assert.equal(ok.code, 0, ok.stderr + ok.stdout);
});

test("FROM scratch: COPY makes the first layer, metadata steps work, RUN is refused", async () => {
  const dir = ctx("scratch", {
    "hello.txt": "hi\n",
    Dockerfile: 'FROM scratch\nCOPY hello.txt /\nENV A=1\nCMD ["/x"]\n',
  });
  const r = await build(["-t", "fromscratch:1", dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(
    r.stdout,
    /Step 1\/4 : FROM scratch\n ---> \nStep 2\/4 : COPY hello.txt \/\n ---> [0-9a-f]{12}\n/,
  );
  const insp = await d.docker([
    "image",
    "inspect",
    "--format",
    "{{json .Config.Env}} {{len .RootFS.Layers}}",
    "fromscratch:1",
  ]);
  assert.equal(
    insp.stdout.trim(),
    '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","A=1"] 1',
  );
  const save = await d.docker([
    "history",
    "--no-trunc",
    "--format",
    "{{.CreatedBy}}|{{.Size}}",
    "fromscratch:1",
  ]);
  assert.match(save.stdout, /COPY file:[0-9a-f]{64} in \/ \|3B\n$/);
  const dir2 = ctx("scratch-run", { Dockerfile: "FROM scratch\nRUN true\n" });
  const r2 = await build([dir2]);
  assert.notEqual(r2.code, 0);
  assert.match(r2.stderr, /Please provide a source image with `from` prior to run/);
});
