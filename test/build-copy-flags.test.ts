/**
 * BuildKit's COPY/ADD flags in berth's classic builder, through the real docker CLI
 * (DOCKER_BUILDKIT=0) and `berth build`: --exclude, --parents (the /./ pivot, wildcards,
 * --from), --link (the destination's symlinks are not followed), ADD --unpack and --checksum
 * (a URL served from 127.0.0.1 by this test), the cache keys they make and their error texts.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDaemon, stopClean, type RunResult, type TestDaemon } from "./harness/daemon.js";
import { writeTree } from "./harness/files.js";

let d: TestDaemon;
const scratch = mkdtempSync(join(tmpdir(), "berth-copyflags-"));
const env = { DOCKER_BUILDKIT: "0" };

const ctx = (name: string, files: Record<string, string>): string => writeTree(join(scratch, name), files);

const build = (args: string[]): Promise<RunResult> =>
  d.docker(["build", "--network", "none", ...args], { env, timeoutMs: 120_000 });
const berthBuild = (args: string[]): Promise<RunResult> =>
  d.berth(["build", "--progress", "plain", "--network", "none", ...args], { timeoutMs: 120_000 });

/** The sorted output of `find` (or any listing command) in a container of `image`. */
async function inImage(image: string, cmd: string): Promise<string[]> {
  const r = await d.docker(["run", "--rm", "--network", "none", image, "sh", "-c", cmd]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .split("\n")
    .filter((l) => l !== "")
    .sort();
}

const cached = (r: RunResult) => r.stdout.split(" ---> Using cache").length - 1;

before(async () => {
  d = await startDaemon({ busybox: true });
});
after(async () => {
  await stopClean(d);
  rmSync(scratch, { recursive: true, force: true });
});

const excludeTree = {
  "d/keep.txt": "k\n",
  "d/top.md": "t\n",
  "d/sub/deep.md": "deep\n",
  "d/build/out.bin": "o\n",
  "d/docs/a.md": "a\n",
  "d/docs/keep.md": "kept\n",
  "f.md": "file source\n",
};
const excludeLine = "COPY --exclude=*.md --exclude=build --exclude=docs --exclude=!docs/keep.md d f.md /dst/";
const excludeWant = [
  "/dst",
  "/dst/docs",
  "/dst/docs/keep.md",
  "/dst/f.md",
  "/dst/keep.txt",
  "/dst/sub",
  "/dst/sub/deep.md",
];

test("--exclude: patterns relative to each source (a file source is kept), exceptions, cache keyed on them", async () => {
  const dir = ctx("exclude", { ...excludeTree, Dockerfile: `FROM busybox\n${excludeLine}\n` });
  const first = await build(["-t", "cf-exclude:1", dir]);
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.deepEqual(await inImage("cf-exclude:1", "find /dst"), excludeWant);
  const again = await build(["-t", "cf-exclude:1", dir]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(cached(again), 1, again.stdout);
  const hist = await d.docker(["history", "--no-trunc", "--format", "{{.CreatedBy}}", "cf-exclude:1"]);
  assert.match(
    hist.stdout,
    /#\(nop\) COPY --exclude=\*\.md --exclude=build --exclude=docs --exclude=!docs\/keep\.md multi:[0-9a-f]{64} in \/dst\/ /,
  );

  // One more exclusion: another key, and the file is gone.
  writeFileSync(
    join(dir, "Dockerfile"),
    `FROM busybox\n${excludeLine.replace("d f.md", "--exclude=**/*.md d f.md")}\n`,
  );
  const changed = await build(["-t", "cf-exclude:2", dir]);
  assert.equal(changed.code, 0, changed.stderr);
  assert.equal(cached(changed), 0, changed.stdout);
  assert.deepEqual(
    await inImage("cf-exclude:2", "find /dst"),
    excludeWant.filter((p) => !p.startsWith("/dst/docs") && p !== "/dst/sub/deep.md"),
  );

  // berth build (a session's context mirror) copies the same tree.
  writeFileSync(join(dir, "Dockerfile"), `FROM busybox\n${excludeLine}\n`);
  const b = await berthBuild(["-t", "cf-exclude:3", dir]);
  assert.equal(b.code, 0, b.stderr + b.stdout);
  assert.deepEqual(await inImage("cf-exclude:3", "find /dst"), excludeWant);
  assert.deepEqual(await inImage("cf-exclude:3", "cat /dst/docs/keep.md /dst/f.md"), ["file source", "kept"]);
});

test("--parents: parent directories kept, the /./ pivot, ** and wildcards, --from, a missing path", async () => {
  const files = {
    "x/y/a.txt": "a\n",
    "x/y/b.txt": "b\n",
    "x/z/c.txt": "c\n",
    "src/a.txt": "1\n",
    "src/x/b.txt": "2\n",
    "src/x/y/c.txt": "3\n",
    "src/x/d.go": "go\n",
    Dockerfile: [
      "FROM busybox AS base",
      "RUN mkdir -p /test/a/b/c/d/e /test/a/b2/c/d/e /test/a/x && touch /test/a/b/c/d/foo /test/a/b2/c/d/e/bar",
      "FROM busybox",
      "COPY --parents ./x/./y/a.txt ./x/z/c.txt /p1/",
      "COPY --parents ./src/**/*.txt /p2/",
      "COPY --from=base --parents /test/a/./*/c /p3/",
      "COPY --parents x/./y /p4",
      "COPY --parents nothing*/here /p5/",
      "",
    ].join("\n"),
  };
  const dir = ctx("parents", files);
  const want = [
    "/p1",
    "/p1/x",
    "/p1/x/z",
    "/p1/x/z/c.txt",
    "/p1/y",
    "/p1/y/a.txt",
    "/p2",
    "/p2/src",
    "/p2/src/a.txt",
    "/p2/src/x",
    "/p2/src/x/b.txt",
    "/p2/src/x/y",
    "/p2/src/x/y/c.txt",
    "/p3",
    "/p3/b",
    "/p3/b/c",
    "/p3/b/c/d",
    "/p3/b/c/d/e",
    "/p3/b/c/d/foo",
    "/p3/b2",
    "/p3/b2/c",
    "/p3/b2/c/d",
    "/p3/b2/c/d/e",
    "/p3/b2/c/d/e/bar",
    "/p4",
    "/p4/y",
    "/p4/y/a.txt",
    "/p4/y/b.txt",
    "/p5",
  ];
  const r = await build(["-t", "cf-parents:1", dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.deepEqual(await inImage("cf-parents:1", "find /p1 /p2 /p3 /p4 /p5"), want);
  const b = await berthBuild(["-t", "cf-parents:2", dir]);
  assert.equal(b.code, 0, b.stderr + b.stdout);
  assert.equal(cached(b), 6, b.stdout);
  assert.deepEqual(await inImage("cf-parents:2", "find /p1 /p2 /p3 /p4 /p5"), want);

  // The same sources without --parents: another key, and flat.
  writeFileSync(join(dir, "Dockerfile"), "FROM busybox\nCOPY ./x/./y/a.txt ./x/z/c.txt /p1/\n");
  const flat = await build(["-t", "cf-parents:3", dir]);
  assert.equal(flat.code, 0, flat.stderr);
  assert.equal(cached(flat), 0, flat.stdout);
  assert.deepEqual(await inImage("cf-parents:3", "find /p1"), ["/p1", "/p1/a.txt", "/p1/c.txt"]);

  writeFileSync(join(dir, "Dockerfile"), "FROM busybox\nCOPY --parents x/nope /p/\n");
  const missing = await build([dir]);
  assert.equal(missing.code, 1, missing.stdout);
  assert.match(
    missing.stderr,
    /COPY failed: file not found in build context or excluded by \.dockerignore: stat x\/nope: file does not exist/,
  );
});

test("--link: the destination's symlinks are replaced, not followed; parents made; a key of its own", async () => {
  const dir = ctx("link", {
    "f.txt": "f\n",
    "d/one": "1\n",
    "d/sub/two": "2\n",
    Dockerfile: [
      "FROM busybox",
      "RUN mkdir -p /opt/app /opt/plain && ln -s /opt/app /app && ln -s /opt/plain /plain && echo old > /opt/app/old && mkdir -m 1777 /shared",
      "COPY --link f.txt /app/",
      "COPY f.txt /plain/",
      "COPY --link d /deep/new/dir/",
      "COPY --link f.txt /shared/",
      "COPY --link=false f.txt /nolink/",
      "",
    ].join("\n"),
  });
  const r = await build(["-t", "cf-link:1", dir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.deepEqual(
    await inImage(
      "cf-link:1",
      "find /app /opt /plain /deep /nolink; stat -c '%A %n' /app /plain /shared; cat /app/f.txt /deep/new/dir/sub/two",
    ),
    [
      "/app",
      "/app/f.txt",
      "/opt",
      "/opt/app",
      "/opt/app/old",
      "/opt/plain",
      "/opt/plain/f.txt",
      "/plain",
      "/deep",
      "/deep/new",
      "/deep/new/dir",
      "/deep/new/dir/one",
      "/deep/new/dir/sub",
      "/deep/new/dir/sub/two",
      "/nolink",
      "/nolink/f.txt",
      "drwxr-xr-x /app",
      "lrwxrwxrwx /plain",
      // BuildKit's documented --link effect: the copied tree's directory mode replaces the old one.
      "drwxr-xr-x /shared",
      "f",
      "2",
    ].sort(),
  );
  const hist = await d.docker(["history", "--no-trunc", "--format", "{{.CreatedBy}}", "cf-link:1"]);
  assert.match(hist.stdout, /#\(nop\) COPY --link file:[0-9a-f]{64} in \/app\/ /);
  assert.match(hist.stdout, /#\(nop\) COPY file:[0-9a-f]{64} in \/nolink\/ /);
  // Same flags: all cached; berth build agrees.
  const again = await berthBuild(["-t", "cf-link:2", dir]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(cached(again), 6, again.stdout);
});

test("ADD --unpack and --checksum: local and URL archives, the pin checked, BuildKit's errors; --keep-git-dir ignored for them", async () => {
  const dir = ctx("add", { "in/x.txt": "inside\n", Dockerfile: "FROM busybox\n" });
  execFileSync("tar", ["-cf", join(dir, "t.tar"), "-C", join(dir, "in"), "."]);
  const tarBytes = readFileSync(join(dir, "t.tar"));
  const text = "pinned\n";
  const sum = createHash("sha256").update(text).digest("hex");
  const server: Server = createServer((req, res) => {
    res.writeHead(200);
    res.end(req.url === "/a.tar" ? tarBytes : text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    writeFileSync(
      join(dir, "Dockerfile"),
      [
        "FROM busybox",
        "ADD t.tar /local/",
        "ADD --unpack=false t.tar /kept/",
        `ADD ${url}/a.tar /urlfile/`,
        `ADD --unpack=true ${url}/a.tar /urlunpacked/`,
        `ADD --checksum=sha256:${sum} ${url}/f.txt /pinned/`,
        "",
      ].join("\n"),
    );
    const r = await build(["-t", "cf-add:1", dir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual(await inImage("cf-add:1", "find /local /kept /urlfile /urlunpacked /pinned -type f"), [
      "/kept/t.tar",
      "/local/x.txt",
      "/pinned/f.txt",
      "/urlfile/a.tar",
      "/urlunpacked/x.txt",
    ]);
    const b = await berthBuild(["-t", "cf-add:2", dir]);
    assert.equal(b.code, 0, b.stderr + b.stdout);
    assert.equal(cached(b), 5, b.stdout);

    const wrong = "0".repeat(64);
    const failures: [string, RegExp][] = [
      [
        `ADD --checksum=sha256:${wrong} ${url}/f.txt /x/`,
        new RegExp(`digest mismatch for ${url}/f.txt: sha256:${sum} \\(expected: sha256:${wrong}\\)`),
      ],
      [`ADD --checksum=sha256:${sum} t.tar /x/`, /checksum requires HTTP\(S\) or Git sources/],
      [
        `ADD --checksum=sha256:${sum} ${url}/f.txt t.tar /x/`,
        /checksum can't be specified for multiple sources/,
      ],
      [`ADD --checksum=sha256:abc ${url}/f.txt /x/`, /invalid checksum digest length/],
      [`ADD --exclude=! t.tar /x/`, /illegal exclusion pattern: "!"/],
    ];
    for (const [line, want] of failures) {
      writeFileSync(join(dir, "Dockerfile"), `FROM busybox\n${line}\n`);
      const f = await build([dir]);
      assert.equal(f.code, 1, f.stdout);
      assert.match(f.stderr, want);
    }
  } finally {
    server.close();
  }
  // --keep-git-dir concerns git sources only (test/build-add-git.test.ts): a local archive unpacks.
  writeFileSync(
    join(dir, "Dockerfile"),
    "FROM busybox\nADD --keep-git-dir=true t.tar /x/\nRUN cat /x/x.txt\n",
  );
  const git = await build([dir]);
  assert.equal(git.code, 0, git.stderr + git.stdout);
  assert.match(git.stdout, /\ninside\n/);
});
