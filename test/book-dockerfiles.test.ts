/**
 * The book's Dockerfile examples (spec seed-dockerfile.md §7, E01–E38) replayed with the real
 * docker CLI (classic builder, DOCKER_BUILDKIT=0) against a private berthd. The base is the
 * local busybox import tagged as the book's `centos:7`, so the Dockerfiles stay as printed
 * (the intended text where the print is damaged); where busybox lacks a CentOS tool the line is
 * rewritten and a comment says so. Outputs are matched as patterns: IDs, times and busybox's
 * own wording differ from the book's transcripts. Where the book and Docker disagree (§9), the
 * assertion follows Docker.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  busyboxTar,
  startDaemon,
  stopClean,
  waitFor,
  type RunResult,
  type TestDaemon,
} from "./harness/daemon.js";
import { writeTree } from "./harness/files.js";

let d: TestDaemon;
const scratch = mkdtempSync(join(tmpdir(), "berth-book-"));
const env = { DOCKER_BUILDKIT: "0" };
const PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** A context directory with these files (the Dockerfile among them). */
const ctx = (name: string, files: Record<string, string | Buffer>): string =>
  writeTree(join(scratch, name), files);

const docker = (args: string[], timeoutMs = 60_000) => d.docker(args, { env, timeoutMs });

async function build(args: string[]): Promise<RunResult> {
  const r = await d.docker(["build", "--network", "none", ...args], { env, timeoutMs: 120_000 });
  assert.equal(r.code, 0, `docker build ${args.join(" ")}:\n${r.stderr}${r.stdout}`);
  return r;
}

/** `docker run --rm --network none …` that must succeed; its stdout. */
async function run(args: string[]): Promise<string> {
  const r = await docker(["run", "--rm", "--network", "none", ...args]);
  assert.equal(r.code, 0, `docker run ${args.join(" ")}:\n${r.stderr}`);
  return r.stdout;
}

async function inspect(ref: string, format: string): Promise<string> {
  const r = await docker(["inspect", "--format", format, ref]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** The build's stdout without the client's context-size line (it ends in "\r\r\n"). */
const steps = (r: RunResult) =>
  r.stdout.replace(/^Sending build context to Docker daemon +[\d.]+k?B\r*\n/, "");

/** Image inspect as Docker 20.10 (API 1.41) answers it: with ContainerConfig, gone since 1.45. */
async function inspect141(ref: string, format: string): Promise<string> {
  const r = await d.docker(["image", "inspect", "--format", format, ref], {
    env: { DOCKER_API_VERSION: "1.41" },
  });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

const builtId = (r: RunResult) => r.stdout.match(/Successfully built ([0-9a-f]{12})\n/)?.[1];

/** The step IDs of a build log, in order (` ---> <id>` lines). */
const stepIds = (r: RunResult) => [...r.stdout.matchAll(/^ ---> ([0-9a-f]{12})$/gm)].map((m) => m[1]);

let baseId = "";

before(async () => {
  d = await startDaemon();
  // The spec's busybox base: Env PATH and Cmd sh (spec §0), tagged as the book's centos:7.
  const r = await d.docker(
    ["import", "--change", `ENV ${PATH}`, "--change", 'CMD ["sh"]', "-", "busybox:latest"],
    { input: busyboxTar() },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await docker(["tag", "busybox:latest", "centos:7"])).code, 0);
  baseId = (await inspect("centos:7", "{{.Id}}")).replace(/^sha256:/, "").slice(0, 12);
});

after(async () => {
  await stopClean(d);
  rmSync(scratch, { recursive: true, force: true });
});

test("E01 commit: a container's change becomes an image that keeps its CMD", async () => {
  // nginx → busybox httpd serving /www (spec E01 adaptation).
  const cmd = "mkdir -p /www && exec httpd -f -p 80 -h /www";
  const c = await docker([
    "run",
    "-d",
    "--network",
    "none",
    "--name",
    "webserver",
    "centos:7",
    "sh",
    "-c",
    cmd,
  ]);
  assert.equal(c.code, 0, c.stderr);
  try {
    const ex = await docker(["exec", "webserver", "/bin/sh", "-c", 'echo "Hello world" > /www/index.html']);
    assert.equal(ex.code, 0, ex.stderr);
    const cm = await docker(["commit", "webserver", "nginxhello-e01"]);
    assert.equal(cm.code, 0, cm.stderr);
    assert.match(cm.stdout, /^sha256:[0-9a-f]{64}\n$/);
  } finally {
    await docker(["rm", "-f", "webserver"]);
  }
  assert.equal(await inspect("nginxhello-e01", "{{json .Config.Cmd}}"), JSON.stringify(["sh", "-c", cmd]));
  const images = await docker(["images", "nginxhello-e01"]);
  assert.match(
    images.stdout,
    /^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE\nnginxhello-e01 +latest +[0-9a-f]{12} /,
  );
  // The committed image serves the page (loopback only: --network none).
  const out = await run(["nginxhello-e01", "sh", "-c", "httpd -p 80 -h /www && wget -qO- http://127.0.0.1/"]);
  assert.equal(out, "Hello world\n");
});

let e02: RunResult;

test("E02 first Dockerfile: COPY over the base, step 1 is the base image, the last step is the image", async () => {
  // FROM nginx:1.7 → the busybox base with httpd (spec E02 adaptation).
  const dir = ctx("e02", {
    "index.html": 'Un fichier qui dit "Hello"\n',
    Dockerfile:
      'FROM centos:7\nCOPY index.html /www/index.html\nCMD ["httpd", "-f", "-p", "80", "-h", "/www"]\n',
  });
  e02 = await build(["-t", "nginxhello", dir]);
  assert.match(
    steps(e02),
    /^Step 1\/3 : FROM centos:7\n ---> ([0-9a-f]{12})\nStep 2\/3 : COPY index.html \/www\/index.html\n ---> ([0-9a-f]{12})\nStep 3\/3 : CMD \["httpd", "-f", "-p", "80", "-h", "\/www"\]\n ---> Running in ([0-9a-f]{12})\nRemoving intermediate container \3\n ---> ([0-9a-f]{12})\nSuccessfully built \4\nSuccessfully tagged nginxhello:latest\n$/,
  );
  const ids = stepIds(e02);
  assert.equal(ids[0], baseId, "step 1 shows the base image's ID");
  assert.equal(ids[ids.length - 1], builtId(e02));
  assert.equal(await run(["nginxhello", "cat", "/www/index.html"]), 'Un fichier qui dit "Hello"\n');
  const served = await run(["nginxhello", "sh", "-c", "httpd -p 80 -h /www && wget -qO- http://127.0.0.1/"]);
  assert.equal(served, 'Un fichier qui dit "Hello"\n');
  const images = await docker(["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"]);
  assert.match(images.stdout, new RegExp(`^nginxhello:latest ${builtId(e02)}$`, "m"));
});

test("E03/E04 docker history: newest first, #(nop) metadata at 0B, sorted EXPOSE, VOLUME list, truncation", async () => {
  // E03's upstream nginx recipe, offline: its apt-key/apt-get RUNs become a busybox RUN.
  const dir = ctx("e04", {
    "index.html": "hi\n",
    Dockerfile: [
      "FROM centos:7",
      'MAINTAINER Nginx Docker Maintainers "docker-maint@nginx.com"',
      "ENV Nginx_VERSION 1.9.15-1-jessie",
      "# forward request and error logs to docker log collector",
      "RUN mkdir -p /var/log/nginx && ln -sf /dev/stdout /var/log/nginx/access.log \\",
      "\t&& ln -sf /dev/stderr /var/log/nginx/error.log",
      'VOLUME ["/var/cache/nginx"]',
      "EXPOSE 80 443",
      "COPY index.html /usr/share/nginx/html/index.html",
      'CMD ["nginx", "-g", "daemon off;"]',
      "",
    ].join("\n"),
  });
  const r = await build(["-t", "nginx-e04", dir]);
  assert.match(
    r.stdout,
    /\nStep 4\/8 : RUN mkdir -p \/var\/log\/nginx && ln -sf \/dev\/stdout \/var\/log\/nginx\/access.log \t&& ln -sf \/dev\/stderr \/var\/log\/nginx\/error.log\n/,
  );
  const h = await docker(["history", "nginx-e04", "--format", "table {{.ID}} {{.CreatedBy}} {{.Size}}"]);
  assert.equal(h.code, 0, h.stderr);
  const rows = h.stdout.trimEnd().split("\n");
  assert.equal(rows[0], "IMAGE CREATED BY SIZE");
  const id = builtId(r);
  assert.ok(id);
  const want = [
    new RegExp(`^${id} /bin/sh -c #\\(nop\\)  CMD \\["nginx" "-g" "daemon… 0B$`),
    /^[0-9a-f]{12} \/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{16}… 3B$/,
    /^[0-9a-f]{12} \/bin\/sh -c #\(nop\)  EXPOSE 443 80 0B$/,
    /^[0-9a-f]{12} \/bin\/sh -c #\(nop\)  VOLUME \[\/var\/cache\/nginx\] 0B$/,
    /^[0-9a-f]{12} \/bin\/sh -c mkdir -p \/var\/log\/nginx && ln -sf… \d+B$/,
    /^[0-9a-f]{12} \/bin\/sh -c #\(nop\)  ENV Nginx_VERSION=1\.9\.15-… 0B$/,
    /^[0-9a-f]{12} \/bin\/sh -c #\(nop\)  MAINTAINER Nginx Docker M… 0B$/,
    new RegExp(`^${baseId} .*$`),
  ];
  assert.equal(rows.length, want.length + 1, h.stdout);
  want.forEach((re, i) => assert.match(rows[i + 1] ?? "", re));
  const full = await docker(["history", "--no-trunc", "--format", "{{.CreatedBy}}", "nginx-e04"]);
  assert.match(
    full.stdout,
    /^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \/usr\/share\/nginx\/html\/index.html $/m,
  );
  assert.equal(
    await inspect("nginx-e04", "{{.Author}}"),
    'Nginx Docker Maintainers "docker-maint@nginx.com"',
  );
  assert.equal(
    await inspect141("nginx-e04", "{{json .ContainerConfig.ExposedPorts}}"),
    '{"443/tcp":{},"80/tcp":{}}',
  );
});

test("E05 comments before FROM and between instructions", async () => {
  const dir = ctx("e05", {
    test1: "t\n",
    Dockerfile:
      "#L'image source est centos 7\nFROM centos:7\n#On ajoute fichier test1 dans tmp\nCOPY test1 /tmp/\n#On liste le dossier tmp du conteneur\nCMD ls /tmp\n",
  });
  await build(["-t", "comments", dir]);
  assert.equal(await run(["comments"]), "test1\n");
});

test("E06 several FROMs: every image is built (classic), steps count across both, each runs by its ID", async () => {
  const dir = ctx("e06", {
    Dockerfile: 'FROM centos:7\nCMD echo "Hello world"\nFROM centos:7\nCMD echo "Bonjour à tous"\n',
  });
  const r = await build([dir]);
  assert.match(
    r.stdout,
    /\nStep 1\/4 : FROM centos:7\n ---> ([0-9a-f]{12})\nStep 2\/4 : CMD echo "Hello world"\n ---> Running in (\w{12})\nRemoving intermediate container \2\n ---> ([0-9a-f]{12})\nStep 3\/4 : FROM centos:7\n ---> \1\nStep 4\/4 : CMD echo "Bonjour à tous"\n ---> Running in (\w{12})\nRemoving intermediate container \4\n ---> ([0-9a-f]{12})\nSuccessfully built \5\n$/,
  );
  const ids = stepIds(r);
  assert.equal(await run([ids[1] ?? "?"]), "Hello world\n");
  assert.equal(await run([ids[3] ?? "?"]), "Bonjour à tous\n");
});

// E07's `date` becomes a read of a fresh UUID: busybox date has no %N, and two builds may share a second.
test("E07 the RUN cache trap: a cached RUN keeps its old result; --no-cache runs it again", async () => {
  const dir = ctx("e07", { Dockerfile: "FROM centos:7\nRUN cat /proc/sys/kernel/random/uuid > /stamp\n" });
  const r1 = await build(["-t", "trap", dir]);
  const stamp1 = await run(["trap", "cat", "/stamp"]);
  writeFileSync(
    join(dir, "Dockerfile"),
    "FROM centos:7\nRUN cat /proc/sys/kernel/random/uuid > /stamp\nRUN cat /stamp > /copy\n",
  );
  const r2 = await build(["-t", "trap", dir]);
  assert.match(
    r2.stdout,
    /Step 2\/3 : RUN cat \/proc\/sys\/kernel\/random\/uuid > \/stamp\n ---> Using cache\n ---> ([0-9a-f]{12})\nStep 3\/3 : RUN cat \/stamp > \/copy\n ---> Running in/,
  );
  assert.equal(stepIds(r2)[1], stepIds(r1)[1], "the cached step keeps its image ID");
  assert.equal(await run(["trap", "cat", "/copy"]), stamp1);
  await build(["--no-cache", "-t", "trap", dir]);
  assert.notEqual(await run(["trap", "cat", "/stamp"]), stamp1);
});

test("E08 ENTRYPOINT exec + CMD: run args replace only the CMD part", async () => {
  const dir = ctx("e08", {
    Dockerfile: 'FROM centos:7\nENTRYPOINT ["/bin/ping", "-c", "5"]\nCMD ["localhost"]\n',
  });
  await build(["-t", "my-ping", dir]);
  assert.equal(
    await inspect("my-ping", "{{json .Config.Entrypoint}} {{json .Config.Cmd}}"),
    '["/bin/ping","-c","5"] ["localhost"]',
  );
  // busybox ping on the container's loopback (google.com → 127.0.0.1; a faster interval).
  const out = await run(["my-ping", "-i", "0.2", "127.0.0.1"]);
  assert.match(out, /^PING 127\.0\.0\.1 /);
  assert.match(out, /5 packets transmitted, 5 (packets )?received, 0% packet loss/);
  // The deterministic variant of the spec: an echo entrypoint shows the argv.
  const echo = ctx("e08-echo", {
    Dockerfile: 'FROM centos:7\nENTRYPOINT ["/bin/echo", "ping", "-c", "5"]\nCMD ["localhost"]\n',
  });
  await build(["-t", "my-ping-echo", echo]);
  assert.equal(await run(["my-ping-echo"]), "ping -c 5 localhost\n");
  assert.equal(await run(["my-ping-echo", "google.com"]), "ping -c 5 google.com\n");
});

test("E09/E10 CMD is replaced by run args; a shell ENTRYPOINT only by --entrypoint", async () => {
  const cmdDir = ctx("e09", { Dockerfile: "FROM centos:7\nCMD ping localhost\n" });
  await build(["-t", "my-ping-cmd", cmdDir]);
  assert.equal(await inspect("my-ping-cmd", "{{json .Config.Cmd}}"), '["/bin/sh","-c","ping localhost"]');
  assert.match(await run(["my-ping-cmd", "ls"]), /^bin\ndev\netc\n(.*\n)*tmp\n/);
  const epDir = ctx("e10", { Dockerfile: "FROM centos:7\nENTRYPOINT ping localhost\n" });
  await build(["-t", "my-ping-entrypoint", epDir]);
  assert.match(await run(["--entrypoint", "ls", "my-ping-entrypoint"]), /^bin\ndev\netc\n/);
  // Without --entrypoint the args are ignored: it still pings.
  const c = await docker(["run", "-d", "--network", "none", "--name", "e10", "my-ping-entrypoint", "ls"]);
  assert.equal(c.code, 0, c.stderr);
  try {
    await waitFor("ping output", async () =>
      (await docker(["logs", "e10"])).stdout.includes("PING localhost"),
    );
    const logs = await docker(["logs", "e10"]);
    assert.doesNotMatch(logs.stdout, /^bin$/m);
  } finally {
    await docker(["rm", "-f", "e10"]);
  }
});

test("E11/E12 ENTRYPOINT exec form is PID 1 with COMMAND as written; the shell form shows /bin/sh -c", async () => {
  // google.com → 127.0.0.1 (no external network).
  const exec = ctx("e11", { Dockerfile: 'FROM centos:7\nENTRYPOINT ["ping","127.0.0.1"]\n' });
  await build(["-t", "ping-google-exec", exec]);
  const c = await docker(["run", "-d", "--rm", "--network", "none", "--name", "test", "ping-google-exec"]);
  assert.equal(c.code, 0, c.stderr);
  try {
    const ps = await docker([
      "ps",
      "--filter",
      "name=^test$",
      "--format",
      "{{.Command}}|{{.Image}}|{{.Names}}",
    ]);
    assert.equal(ps.stdout, '"ping 127.0.0.1"|ping-google-exec|test\n');
    const top = await docker(["exec", "test", "ps"]);
    assert.match(top.stdout, /^ +1 root +(\S+ +)?ping 127\.0\.0\.1$/m);
  } finally {
    const stop = await docker(["stop", "test"]);
    assert.equal(stop.code, 0, stop.stderr);
  }
  await waitFor(
    "--rm removal",
    async () => (await docker(["ps", "-aq", "--filter", "name=^test$"])).stdout === "",
  );
  const shell = ctx("e12", { Dockerfile: "FROM centos:7\nENTRYPOINT ping 127.0.0.1\n" });
  await build(["-t", "ping-google-shell", shell]);
  const s = await docker(["run", "-d", "--rm", "--network", "none", "--name", "test", "ping-google-shell"]);
  assert.equal(s.code, 0, s.stderr);
  try {
    const ps = await docker(["ps", "--filter", "name=^test$", "--format", "{{.Command}}"]);
    assert.equal(ps.stdout, '"/bin/sh -c \'ping 12…"\n');
    const full = await docker(["ps", "--no-trunc", "--filter", "name=^test$", "--format", "{{.Command}}"]);
    assert.equal(full.stdout, "\"/bin/sh -c 'ping 127.0.0.1'\"\n");
    const table = await docker(["ps", "--filter", "name=^test$"]);
    assert.match(table.stdout, /"\/bin\/sh -c 'ping 12…"/);
  } finally {
    await docker(["rm", "-f", "test"]);
  }
});

test("E13 EXPOSE: image ExposedPorts, -P and -p map the port, docker port prints the mapping", async () => {
  // sshd → busybox httpd on port 22 (spec E13 adaptation; the yum/ssh-keygen/useradd RUNs
  // need openssh and are replaced by the RUN that makes the served directory).
  const dir = ctx("e13", {
    Dockerfile:
      'FROM centos:7\nRUN mkdir -p /www && echo ssh-ok > /www/index.html\nEXPOSE 22\nCMD ["httpd", "-f", "-p", "22", "-h", "/www"]\n',
  });
  await build(["-t", "ssh", dir]);
  assert.equal(await inspect141("ssh", "{{json .ContainerConfig.ExposedPorts}}"), '{"22/tcp":{}}');
  assert.equal(await inspect("ssh", "{{json .Config.ExposedPorts}}"), '{"22/tcp":{}}');
  const c = await docker(["run", "-P", "-d", "ssh"]);
  assert.equal(c.code, 0, c.stderr);
  const id = c.stdout.trim();
  try {
    const port = await docker(["port", id]);
    assert.match(port.stdout, /^22\/tcp -> 0\.0\.0\.0:(\d+)\n/);
    const ps = await docker([
      "ps",
      "--no-trunc",
      "--filter",
      `id=${id}`,
      "--format",
      "{{.Command}}|{{.Ports}}|{{.Names}}",
    ]);
    assert.match(
      ps.stdout,
      /^"httpd -f -p 22 -h \/www"\|0\.0\.0\.0:\d+->22\/tcp(, :::\d+->22\/tcp)?\|[a-z]+_[a-z]+\n$/,
    );
  } finally {
    await docker(["rm", "-f", id]);
  }
});

test("E14 ADD paths: the build cwd is /, RUN cd does not persist, ./ and JSON form with ' , '", async () => {
  const dir = ctx("e14", {
    test1: "1\n",
    test2: "2\n",
    Dockerfile: [
      "FROM centos:7",
      "RUN pwd > /tmp/initialPath",
      "RUN mkdir output",
      "RUN cd output",
      "RUN pwd > /tmp/pathAfterOutput",
      "ADD test1 ./",
      'ADD ["test2" , "/output/"]',
      "CMD ls /output",
      "",
    ].join("\n"),
  });
  await build(["-t", "add", dir]);
  assert.equal(await run(["add"]), "test2\n");
  assert.match(await run(["add", "ls", "/"]), /^output\n(.*\n)*test1\n/m);
  assert.equal(await run(["add", "cat", "/tmp/initialPath"]), "/\n");
  assert.equal(await run(["add", "cat", "/tmp/pathAfterOutput"]), "/\n");
});

test("E15 ADD extracts a local tar (gzip, plain) by content; COPY does not; a fake .tar.gz is copied", async () => {
  const dir = ctx("e15", { "src/wordpress/index.php": "<?php\n", "src/wordpress/wp-admin/a.php": "a\n" });
  execFileSync("tar", [
    "-czf",
    join(dir, "wordpress-4.4.1-fr_FR.tar.gz"),
    "-C",
    join(dir, "src"),
    "wordpress",
  ]);
  execFileSync("tar", ["-cf", join(dir, "w.tar"), "-C", join(dir, "src"), "wordpress"]);
  writeFileSync(join(dir, "fake.tar.gz"), "not an archive\n");
  writeFileSync(join(dir, ".dockerignore"), "src\n");
  writeFileSync(
    join(dir, "Dockerfile"),
    "FROM centos:7\nADD wordpress-4.4.1-fr_FR.tar.gz /tmp/\nCMD ls /tmp\n",
  );
  await build(["-t", "untar", dir]);
  assert.equal(await run(["untar"]), "wordpress\n");
  assert.equal(await run(["untar", "ls", "/tmp/wordpress"]), "index.php\nwp-admin\n");
  writeFileSync(
    join(dir, "Dockerfile"),
    "FROM centos:7\nADD w.tar /plain/\nADD fake.tar.gz /fake/\nCOPY wordpress-4.4.1-fr_FR.tar.gz /copied/\n",
  );
  await build(["-t", "untar2", dir]);
  const out = await run(["untar2", "sh", "-c", "ls /plain/wordpress /fake /copied"]);
  assert.equal(
    out,
    "/copied:\nwordpress-4.4.1-fr_FR.tar.gz\n\n/fake:\nfake.tar.gz\n\n/plain/wordpress:\nindex.php\nwp-admin\n",
  );
});

test("E15 ADD of a bzip2 or xz tar extracts it, as Docker does", async () => {
  for (const [flag, ext] of [
    ["-cjf", "bz2"],
    ["-cJf", "xz"],
  ] as const) {
    const dir = ctx(`e15-${ext}`, {
      "src/wordpress/index.php": "<?php\n",
      Dockerfile: `FROM centos:7\nADD w.tar.${ext} /x/\n`,
    });
    execFileSync("tar", [flag, join(dir, `w.tar.${ext}`), "-C", join(dir, "src"), "wordpress"]);
    await build(["-t", `untar-${ext}`, dir]);
    assert.equal(await run([`untar-${ext}`, "cat", "/x/wordpress/index.php"]), "<?php\n");
  }
});

test("E16 trailing slash: a file is renamed without it, kept by name in a new directory with it", async () => {
  const dir = ctx("e16", {
    test1: "1\n",
    test2: "2\n",
    Dockerfile: "FROM centos:7\nADD test1 /tmp/output1\nADD test2 /tmp/output2/\nCMD ls -R /tmp\n",
  });
  await build(["-t", "slash", dir]);
  assert.equal(await run(["slash"]), "/tmp:\noutput1\noutput2\n\n/tmp/output2:\ntest2\n");
  assert.equal(await run(["slash", "cat", "/tmp/output1"]), "1\n");
});

test("E17 COPY granularity: one COPY per file keeps earlier steps cached with the same IDs", async () => {
  const one = ctx("e17/multicopy1", {
    Dockerfile:
      "#Dockerfile multicopy1\nFROM centos:7\nCOPY test1.tar.gz /tmp/\nRUN tar xzf /tmp/test1.tar.gz\nCOPY test2.tar.gz /tmp/\nRUN tar xzf /tmp/test2.tar.gz\n",
  });
  const two = ctx("e17/multicopy2", {
    Dockerfile:
      "#Dockerfile multicopy2\nFROM centos:7\nCOPY test1.tar.gz test2.tar.gz /tmp/\nRUN tar xzf /tmp/test1.tar.gz\nRUN tar xzf /tmp/test2.tar.gz\n",
  });
  const pack = (dir: string, name: string, content: string) => {
    mkdirSync(join(dir, "in"), { recursive: true });
    writeFileSync(join(dir, "in", `${name}.txt`), content);
    execFileSync("tar", ["-czf", join(dir, `${name}.tar.gz`), "-C", join(dir, "in"), `${name}.txt`]);
    writeFileSync(join(dir, ".dockerignore"), "in\n");
  };
  for (const dir of [one, two]) {
    pack(dir, "test1", "v1\n");
    pack(dir, "test2", "v1\n");
  }
  await build(["--no-cache", "-t", "multicopy1", one]);
  await build(["--no-cache", "-t", "multicopy2", two]);
  // test1 changes (same name and size, other bytes): nothing is cached in either file.
  for (const dir of [one, two]) pack(dir, "test1", "v2\n");
  const a1 = await build(["-t", "multicopy1", one]);
  const a2 = await build(["-t", "multicopy2", two]);
  assert.doesNotMatch(a1.stdout + a2.stdout, /Using cache/);
  // test2 changes: multicopy1 keeps steps 2–3 (same IDs), multicopy2 misses from step 2.
  for (const dir of [one, two]) pack(dir, "test2", "v2\n");
  const b1 = await build(["-t", "multicopy1", one]);
  const b2 = await build(["-t", "multicopy2", two]);
  assert.match(
    b1.stdout,
    /Step 2\/5 : COPY test1\.tar\.gz \/tmp\/\n ---> Using cache\n ---> (\w{12})\nStep 3\/5 : RUN tar xzf \/tmp\/test1\.tar\.gz\n ---> Using cache\n ---> (\w{12})\nStep 4\/5 : COPY test2\.tar\.gz \/tmp\/\n ---> \w{12}\nStep 5\/5 : RUN tar xzf \/tmp\/test2\.tar\.gz\n ---> Running in/,
  );
  assert.deepEqual(stepIds(b1).slice(1, 3), stepIds(a1).slice(1, 3));
  assert.doesNotMatch(b2.stdout, /Using cache/);
  assert.equal(await run(["multicopy1", "cat", "test1.txt", "test2.txt"]), "v2\nv2\n");
  assert.equal(await run(["multicopy2", "cat", "test1.txt", "test2.txt"]), "v2\nv2\n");
});

test("E18/E19 VOLUME: an anonymous volume keeps data; -v binds the same path with or without VOLUME", async () => {
  const dir = ctx("e18", { Dockerfile: "FROM centos:7\nVOLUME /tmp/data\nCMD ping localhost\n" });
  await build(["-t", "volume", dir]);
  assert.equal(await inspect("volume", "{{json .Config.Volumes}}"), '{"/tmp/data":{}}');
  const c = await docker(["run", "-d", "--network", "none", "--name", "volume-conteneur", "volume"]);
  assert.equal(c.code, 0, c.stderr);
  let name = "";
  try {
    const mounts = JSON.parse(await inspect("volume-conteneur", "{{json .Mounts}}")) as Record<
      string,
      unknown
    >[];
    assert.equal(mounts.length, 1);
    const m = mounts[0] ?? {};
    assert.deepEqual(Object.keys(m), [
      "Type",
      "Name",
      "Source",
      "Destination",
      "Driver",
      "Mode",
      "RW",
      "Propagation",
    ]);
    assert.equal(m.Type, "volume");
    assert.equal(m.Destination, "/tmp/data");
    assert.equal(m.Driver, "local");
    name = String(m.Name);
    assert.match(name, /^[0-9a-f]{64}$/);
    assert.equal(m.Source, join(d.dataRoot, "volumes", name, "_data"));
    assert.equal((await docker(["exec", "volume-conteneur", "ls", "/tmp/data"])).stdout, "");
    await docker(["exec", "volume-conteneur", "/bin/sh", "-c", 'echo "Hello" > /tmp/data/helloTest']);
    assert.equal(readFileSync(join(String(m.Source), "helloTest"), "utf8"), "Hello\n");
    await docker(["stop", "-t", "1", "volume-conteneur"]);
    assert.equal(readFileSync(join(String(m.Source), "helloTest"), "utf8"), "Hello\n");
  } finally {
    await docker(["rm", "-f", "volume-conteneur"]);
  }
  // §9 C4: docker rm without -v keeps the anonymous volume.
  assert.equal((await docker(["volume", "inspect", name])).code, 0);
  await docker(["volume", "rm", name]);
  // E19, the intended Dockerfile (VOLUME commented out), and the printed one: a bind either way.
  const host = join(scratch, "e19-data");
  mkdirSync(host);
  for (const df of [
    "FROM centos:7\n#VOLUME /tmp/data\nCMD ping localhost\n",
    "FROM centos:7\nVOLUME    /tmp/data\nCMD ping localhost\n",
  ]) {
    const dir19 = ctx("e19", { Dockerfile: df });
    await build(["-t", "volume19", dir19]);
    const b = await docker([
      "run",
      "-d",
      "--network",
      "none",
      "-v",
      `${host}:/tmp/data`,
      "--name",
      "volume-conteneur",
      "volume19",
    ]);
    assert.equal(b.code, 0, b.stderr);
    try {
      await docker(["exec", "volume-conteneur", "/bin/sh", "-c", 'echo "Hello" > /tmp/data/helloTest']);
      const mounts = await inspect("volume-conteneur", "{{json .Mounts}}");
      assert.equal(
        mounts,
        JSON.stringify([
          {
            Type: "bind",
            Source: host,
            Destination: "/tmp/data",
            Mode: "",
            RW: true,
            Propagation: "rprivate",
          },
        ]),
      );
      assert.equal(readFileSync(join(host, "helloTest"), "utf8"), "Hello\n");
    } finally {
      await docker(["rm", "-f", "volume-conteneur"]);
    }
    rmSync(join(host, "helloTest"));
  }
});

test("E20 ENV: both forms, the parent's PATH first, --env overrides", async () => {
  const dir = ctx("e20", {
    Dockerfile: 'FROM centos:7\nENV myName="James Bond" myJob=Agent\\ secret\nCMD echo $myName\n',
  });
  await build(["-t", "env", dir]);
  assert.equal(await run(["env"]), "James Bond\n");
  assert.equal(await run(["--env", "myName=Jason Bourne", "env"]), "Jason Bourne\n");
  assert.equal(await run(["--env", "myName=Jason Bourne", "--env", "myJob=CIA", "env"]), "Jason Bourne\n");
  assert.equal(await run(["env", "/bin/sh", "-c", 'echo "$myJob"']), "Agent secret\n");
  // §9 C11: the book inspects a --rm container that is gone; a named one is inspected here.
  const c = await docker(["run", "-d", "--network", "none", "--name", "test", "env", "sleep", "3600"]);
  assert.equal(c.code, 0, c.stderr);
  try {
    assert.equal(
      await inspect("test", "{{json .Config.Env}}"),
      JSON.stringify([PATH, "myName=James Bond", "myJob=Agent secret"]),
    );
  } finally {
    await docker(["rm", "-f", "test"]);
  }
  const form1 = ctx("e20-form1", {
    Dockerfile: "FROM centos:7\nENV myName James Bond   \nENV PATH /usr/local/nginx/bin:$PATH\n",
  });
  await build(["-t", "env1", form1]);
  assert.equal(
    await inspect("env1", "{{json .Config.Env}}"),
    JSON.stringify([`PATH=/usr/local/nginx/bin:${PATH.slice(5)}`, "myName=James Bond"]),
  );
});

test("E21 LABEL: quoted keys, escaped quotes, continuation inside quotes, sorted; --label adds", async () => {
  const dir = ctx("e21", {
    Dockerfile: [
      "FROM centos:7",
      'LABEL app.name="Mon application" \\',
      '"app.version"="1.0" \\',
      'app.description="Voici la description de \\"Mon application\\" \\',
      'sur plusieurs lignes."',
      'CMD echo "fin"',
      "",
    ].join("\n"),
  });
  await build(["-t", "label", dir]);
  assert.equal(await run(["--name", "test", "label"]), "fin\n");
  const labels = {
    "app.description": 'Voici la description de "Mon application" sur plusieurs lignes.',
    "app.name": "Mon application",
    "app.version": "1.0",
  };
  assert.equal(await inspect("label", "{{json .Config.Labels}}"), JSON.stringify(labels));
  await build(["-t", "exempleimage", "--label", "license=GPL", "--label", "app.version=2.0", dir]);
  assert.equal(
    await inspect("exempleimage", "{{json .Config.Labels}}"),
    JSON.stringify({ ...labels, "app.version": "2.0", license: "GPL" }),
  );
  // Inheritance: a child of `label` carries its labels.
  const child = ctx("e21-child", { Dockerfile: 'FROM label\nLABEL vendor="Berth"\n' });
  await build(["-t", "label-child", child]);
  assert.equal(
    await inspect("label-child", "{{json .Config.Labels}}"),
    JSON.stringify({ ...labels, vendor: "Berth" }),
  );
});

test("E22–E25 WORKDIR: relative chaining, kept in the container and in children, $var expansion (Docker's)", async () => {
  const e22 = ctx("e22", { Dockerfile: "FROM centos:7\nWORKDIR /tmp\nWORKDIR test\nCMD pwd\n" });
  await build(["-t", "wd", e22]);
  assert.equal(await run(["wd"]), "/tmp/test\n");
  const e23 = ctx("e23", {
    Dockerfile:
      "#Dockerfile workdirsource\nFROM centos:7\nWORKDIR /var\nRUN pwd > /tmp/cheminCourant\nCMD cat /tmp/cheminCourant\n",
  });
  await build(["-t", "workdirsource", e23]);
  assert.equal(await run(["workdirsource"]), "/var\n");
  assert.equal(await run(["workdirsource", "pwd"]), "/var\n");
  const e24 = ctx("e24", { Dockerfile: "FROM workdirsource\nCMD pwd\n" });
  await build(["-t", "workdirchild", e24]);
  assert.equal(await run(["workdirchild"]), "/var\n");
  assert.equal(await inspect("workdirchild", "{{.Config.WorkingDir}}"), "/var");
  // "cento:7" is a typo for centos:7. §9 C1: the undefined $unFichier is empty → /tmp.
  const e25 = ctx("e25", {
    Dockerfile: "FROM centos:7\nENV cheminCourant /tmp\nWORKDIR $cheminCourant/$unFichier\nCMD pwd\n",
  });
  await build(["-t", "wdvar", e25]);
  assert.equal(await run(["wdvar"]), "/tmp\n");
  // A parent's ENV is usable in WORKDIR (Docker; the book says otherwise).
  const parent = ctx("e25-parent", { Dockerfile: "FROM centos:7\nENV unFichier monFichier\n" });
  await build(["-t", "wdparent", parent]);
  const e25b = ctx("e25b", {
    Dockerfile: "FROM wdparent\nENV cheminCourant /tmp\nWORKDIR $cheminCourant/$unFichier\nCMD pwd\n",
  });
  await build(["-t", "wdvar2", e25b]);
  assert.equal(await run(["wdvar2"]), "/tmp/monFichier\n");
});

test("E26 ARG: values reach RUN, not the container; defaults are overridable; a new value misses the cache", async () => {
  const df = (cmd: string) =>
    `FROM centos:7\nARG var1\nARG var2="ma valeur"\nRUN echo $var1 > /tmp/var\nRUN echo $var2 >> /tmp/var\nCMD ${cmd}\n`;
  const dir = ctx("e26", { Dockerfile: df("echo $var1") });
  await build(["--build-arg", "var1=valeur1", "-t", "arg", dir]);
  assert.equal(await run(["arg"]), "\n");
  assert.doesNotMatch(await inspect("arg", "{{json .Config.Env}}"), /var1|var2/);
  writeFileSync(join(dir, "Dockerfile"), df("cat /tmp/var"));
  await build(["--build-arg", "var1=valeur1", "-t", "arg", dir]);
  assert.equal(await run(["arg"]), "valeur1\nma valeur\n");
  const r = await build([
    "--build-arg",
    "var1=valeur1",
    "--build-arg",
    "var2=une autre valeur",
    "-t",
    "arg",
    dir,
  ]);
  assert.equal(await run(["arg"]), "valeur1\nune autre valeur\n");
  // Every build arg in scope is part of a RUN's cache key (`|2 var1=… var2=…`): both RUNs run.
  assert.match(r.stdout, /Step 3\/6 : ARG var2="ma valeur"\n ---> Using cache\n/);
  assert.match(r.stdout, /Step 4\/6 : RUN echo \$var1 > \/tmp\/var\n ---> Running in/);
  assert.match(r.stdout, /Step 5\/6 : RUN echo \$var2 >> \/tmp\/var\n ---> Running in/);
  const h = await docker(["history", "--no-trunc", "--format", "{{.CreatedBy}}", "arg"]);
  assert.match(h.stdout, /^\|2 var1=valeur1 var2=une autre valeur \/bin\/sh -c echo \$var2 >> \/tmp\/var$/m);
  // §9 C2: an undeclared --build-arg is a warning, not an error.
  const w = await build(["--build-arg", "undeclared=1", dir]);
  assert.match(w.stdout + w.stderr, /\[Warning\] One or more build-args \[undeclared\] were not consumed/);
});

test("E27–E29 ENV beats ARG of the same name in either order; ARG + ENV default pattern", async () => {
  const e27 = ctx("e27", {
    Dockerfile:
      "FROM centos:7\nARG var=argument\nENV var variable\nRUN echo $var > /tmp/var\nCMD cat /tmp/var\n",
  });
  await build(["-t", "arg27", e27]);
  assert.equal(await run(["arg27"]), "variable\n");
  await build(["--build-arg", "var=cli", "-t", "arg27", e27]);
  assert.equal(await run(["arg27"]), "variable\n");
  const e28 = ctx("e28", {
    Dockerfile:
      "FROM centos:7\nENV var variable\nARG var=argument\nRUN echo $var > /tmp/var\nCMD cat /tmp/var\n",
  });
  await build(["-t", "arg28", e28]);
  assert.equal(await run(["arg28"]), "variable\n");
  const e29 = ctx("e29", {
    Dockerfile:
      "FROM centos:7\nARG version\nENV version ${version:-1.0}\nRUN echo $version > /tmp/version\nCMD cat /tmp/version\n",
  });
  await build(["-t", "arg29", e29]);
  assert.equal(await run(["arg29"]), "1.0\n");
  assert.match(await inspect("arg29", "{{json .Config.Env}}"), /"version=1\.0"/);
  await build(["--build-arg", "version=1.2", "-t", "arg29", e29]);
  assert.equal(await run(["arg29"]), "1.2\n");
  assert.match(await inspect("arg29", "{{json .Config.Env}}"), /"version=1\.2"/);
});

test("E30 ONBUILD: stored raw, run in the direct child after FROM with its build-arg, never in grandchildren", async () => {
  // python → a shell "app" (spec E30 adaptation): py_compile → sh -n, python → sh.
  const parent = ctx("e30/parent", {
    Dockerfile: [
      "#sh-app",
      "FROM centos:7",
      'ONBUILD ARG fichier="app.sh"',
      "ONBUILD COPY $fichier /app/app.sh",
      "ONBUILD RUN sh -n /app/app.sh",
      'ENTRYPOINT ["sh", "/app/app.sh"]',
      "",
    ].join("\n"),
  });
  const p = await build(["-t", "sh-app:1.0-onbuild", parent]);
  assert.doesNotMatch(p.stdout, /Executing/);
  const triggers = ['ARG fichier="app.sh"', "COPY $fichier /app/app.sh", "RUN sh -n /app/app.sh"];
  assert.equal(
    await inspect141("sh-app:1.0-onbuild", "{{json .ContainerConfig.OnBuild}}"),
    JSON.stringify(triggers),
  );
  assert.equal(await inspect("sh-app:1.0-onbuild", "{{json .Config.OnBuild}}"), JSON.stringify(triggers));
  // §9 C10: without the tag there is no such image.
  const noTag = await docker(["inspect", "sh-app"]);
  assert.notEqual(noTag.code, 0);
  assert.match(noTag.stderr, /No such object: sh-app/);
  const child = ctx("e30/child", {
    "x2.sh": 'x=$1\nresultat=$((x*2))\necho "$x * 2 = $resultat"\n',
    Dockerfile: 'FROM sh-app:1.0-onbuild\nCMD ["0"]\n',
  });
  const c = await build(["--build-arg", "fichier=x2.sh", "-t", "sh-x2", child]);
  assert.match(c.stdout, /Step 1\/2 : FROM sh-app:1\.0-onbuild\n# Executing 3 build triggers\n/);
  assert.equal(await run(["sh-x2"]), "0 * 2 = 0\n");
  assert.equal(await run(["sh-x2", "17"]), "17 * 2 = 34\n");
  assert.equal(await inspect("sh-x2", "{{json .Config.OnBuild}}"), "null");
  // No app.sh and no --build-arg: the COPY trigger fails the FROM step.
  const missing = ctx("e30/missing", { Dockerfile: 'FROM sh-app:1.0-onbuild\nCMD ["0"]\n' });
  const m = await d.docker(["build", "--network", "none", missing], { env });
  assert.notEqual(m.code, 0);
  assert.match(m.stdout, /Step 1\/2 : FROM sh-app:1\.0-onbuild\n# Executing 3 build triggers\n/);
  assert.doesNotMatch(m.stdout, /Step 2\/2/);
  assert.match(m.stderr, /app\.sh/);
  const grand = ctx("e30/grand", { Dockerfile: 'FROM sh-x2\nCMD ["5"]\n' });
  const g = await build(["-t", "sh-x2-child", grand]);
  assert.doesNotMatch(g.stdout, /Executing/);
  assert.equal(await run(["sh-x2-child"]), "5 * 2 = 10\n");
});

test("E31 SHELL: each SHELL replaces the shell of later shell forms (Linux -xc variant)", async () => {
  const dir = ctx("e31", {
    Dockerfile:
      'FROM centos:7\nRUN echo default\nSHELL ["/bin/sh", "-xc"]\nRUN echo hello\nSHELL ["/bin/sh", "-c"]\nRUN echo back\nCMD echo done\n',
  });
  const r = await d.docker(["build", "--network", "none", "-t", "shell", dir], { env, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  const all = r.stdout + r.stderr;
  // The CLI prints the RUN's stderr in red (ESC[91m … ESC[0m), as with dockerd, and stdout and
  // stderr interleave as they come: look at each step's text without the colours.
  const plain = all.replace(/\x1b\[[0-9;]*m/g, "");
  const section = (n: number) => plain.slice(plain.indexOf(`Step ${n}/7`), plain.indexOf(`Step ${n + 1}/7`));
  assert.match(section(4), /\+ /);
  assert.match(section(4), /echo hello/);
  assert.doesNotMatch(section(2) + section(6), /^(\+ |echo )/m);
  assert.equal(await inspect("shell", "{{json .Config.Shell}}"), '["/bin/sh","-c"]');
  assert.equal(await inspect("shell", "{{json .Config.Cmd}}"), '["/bin/sh","-c","echo done"]');
  const kept = ctx("e31b", { Dockerfile: 'FROM centos:7\nSHELL ["/bin/sh", "-xc"]\nCMD echo done\n' });
  await build(["-t", "shell2", kept]);
  assert.equal(await inspect("shell2", "{{json .Config.Cmd}}"), '["/bin/sh","-xc","echo done"]');
});

test("E32/E33 USER: a 774 root binary is denied to myuser; chown fixes it; exec inherits the user", async () => {
  // busybox: /bin/top is a link to busybox, so it becomes a copy first; groupadd/useradd
  // become lines appended to /etc/group and /etc/passwd (the host's busybox-static has no
  // addgroup/adduser applets) — spec E32 adaptation.
  const prep = [
    "FROM centos:7",
    "RUN rm /bin/top && cp /bin/busybox /bin/top && chown root:root /bin/top && \\",
    "    chmod 774 /bin/top",
    "RUN echo 'mygroup:x:999:' >> /etc/group && \\",
    "    echo 'myuser:x:999:999::/home:/bin/sh' >> /etc/passwd",
  ];
  const e32 = ctx("e32", { Dockerfile: [...prep, "USER myuser", "CMD /bin/top -b", ""].join("\n") });
  await build(["-t", "user", e32]);
  const denied = await docker(["run", "--rm", "--network", "none", "--name", "user-conteneur", "user"]);
  assert.equal(denied.code, 126, denied.stderr);
  assert.match(denied.stderr, /\/bin\/top: Permission denied/);
  const e33 = ctx("e33", {
    Dockerfile: [...prep, "RUN chown myuser:mygroup /bin/top", "USER myuser", "CMD /bin/top -b", ""].join(
      "\n",
    ),
  });
  await build(["-t", "user", e33]);
  const c = await docker(["run", "-d", "--network", "none", "--name", "user-conteneur", "user"]);
  assert.equal(c.code, 0, c.stderr);
  try {
    assert.equal(await inspect("user-conteneur", "{{json .Config.User}}"), '"myuser"');
    assert.equal((await docker(["exec", "user-conteneur", "id", "-un"])).stdout, "myuser\n");
    await waitFor("top output", async () => /Mem:/.test((await docker(["logs", "user-conteneur"])).stdout));
  } finally {
    await docker(["rm", "-f", "user-conteneur"]);
  }
});

test("E36 STOPSIGNAL: stored, sent by docker stop; without it a sh PID 1 is killed after the timeout", async () => {
  const dir = ctx("e36", {
    Dockerfile:
      'FROM centos:7\nSTOPSIGNAL SIGUSR1\nCMD ["sh", "-c", "trap \'echo got USR1; exit 3\' USR1; while true; do sleep 1; done"]\n',
  });
  await build(["-t", "stopsig", dir]);
  assert.equal(await inspect("stopsig", "{{.Config.StopSignal}}"), "SIGUSR1");
  const c = await docker(["run", "-d", "--network", "none", "--name", "stopsig", "stopsig"]);
  assert.equal(c.code, 0, c.stderr);
  try {
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    assert.equal((await docker(["stop", "stopsig"])).code, 0);
    assert.ok(Date.now() - t0 < 8000, "stopped by the signal, not by the timeout");
    assert.equal(await inspect("stopsig", "{{.State.ExitCode}}"), "3");
    assert.match((await docker(["logs", "stopsig"])).stdout, /got USR1/);
  } finally {
    await docker(["rm", "-f", "stopsig"]);
  }
  for (const [line, want] of [
    ["STOPSIGNAL 9", "9"],
    ["STOPSIGNAL SIGKILL", "SIGKILL"],
  ] as const) {
    const s = ctx(`e36-${want}`, { Dockerfile: `FROM centos:7\n${line}\n` });
    await build(["-t", "stopsig2", s]);
    assert.equal(await inspect("stopsig2", "{{.Config.StopSignal}}"), want);
  }
});

test("E37 --restart: none exits, on-failure:3 stops after 3 restarts", async () => {
  const no = await docker([
    "run",
    "-d",
    "--network",
    "none",
    "--name",
    "sepuku",
    "centos:7",
    "/bin/sh",
    "-c",
    "sleep 1",
  ]);
  assert.equal(no.code, 0, no.stderr);
  try {
    await waitFor("exit", async () => (await inspect("sepuku", "{{.State.Status}}")) === "exited");
    const ps = await docker([
      "ps",
      "-a",
      "--filter",
      "name=^sepuku$",
      "--format",
      "{{.Command}}|{{.Status}}",
    ]);
    assert.match(ps.stdout, /^"\/bin\/sh -c 'sleep 1'"\|Exited \(0\) .* ago\n$/);
    assert.equal(await inspect("sepuku", "{{.RestartCount}}"), "0");
  } finally {
    await docker(["rm", "-f", "sepuku"]);
  }
  const f = await docker([
    "run",
    "-d",
    "--network",
    "none",
    "--restart=on-failure:3",
    "--name",
    "sepuku",
    "centos:7",
    "sh",
    "-c",
    "exit 1",
  ]);
  assert.equal(f.code, 0, f.stderr);
  try {
    await waitFor(
      "3 restarts",
      async () => (await inspect("sepuku", "{{.RestartCount}} {{.State.Status}}")) === "3 exited",
      30_000,
    );
    assert.equal(
      await inspect("sepuku", "{{json .HostConfig.RestartPolicy}}"),
      '{"Name":"on-failure","MaximumRetryCount":3}',
    );
  } finally {
    await docker(["rm", "-f", "sepuku"]);
  }
});

test("E38 HEALTHCHECK: stored in ns, the container turns healthy then unhealthy (deterministic variant)", async () => {
  // python/flask/curl → a file-based check (spec E38 (a)).
  const dir = ctx("e38", {
    Dockerfile:
      'FROM centos:7\nHEALTHCHECK --interval=1s --retries=2 \\\nCMD test ! -f /tmp/broken || exit 1\nCMD ["sleep", "3600"]\n',
  });
  await build(["-t", "health", dir]);
  assert.equal(
    await inspect("health", "{{json .Config.Healthcheck}}"),
    '{"Test":["CMD-SHELL","test ! -f /tmp/broken || exit 1"],"Interval":1000000000,"Retries":2}',
  );
  const book = ctx("e38-book", {
    Dockerfile:
      "FROM centos:7\nHEALTHCHECK --interval=10s \\\nCMD curl -f http://localhost:5000/health || exit 1\nENTRYPOINT python app.py\n",
  });
  await build(["-t", "health-flask", book]);
  assert.equal(
    await inspect("health-flask", "{{json .Config.Healthcheck}}"),
    '{"Test":["CMD-SHELL","curl -f http://localhost:5000/health || exit 1"],"Interval":10000000000}',
  );
  const c = await docker(["run", "-d", "--network", "none", "--name", "health", "health"]);
  assert.equal(c.code, 0, c.stderr);
  try {
    const status = async () =>
      (await docker(["ps", "--filter", "name=^health$", "--format", "{{.Status}}"])).stdout;
    await waitFor("healthy", async () => /\(healthy\)/.test(await status()));
    await docker(["exec", "health", "touch", "/tmp/broken"]);
    await waitFor("unhealthy", async () => /\(unhealthy\)/.test(await status()));
  } finally {
    await docker(["rm", "-f", "health"]);
  }
});
