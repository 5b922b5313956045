/**
 * The registry client against real registries on 127.0.0.1: Debian's
 * docker-registry (distribution 2.8, when installed) and berth's own
 * registry (in-process, basic and token auth): push, rmi, pull back, warm
 * pull and push, cross-repository mounts, login/logout, the docker CLI.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { startRegistry, type RunningRegistry } from "../src/registry/index.js";
import { importBusybox, startDaemon, stopClean, type RunResult, type TestDaemon } from "./harness/daemon.js";

const scratch = mkdtempSync(join(tmpdir(), "berth-regclient-"));
const berthConfig = join(scratch, "berth-config");
let d: TestDaemon;
let busyboxId: string;
const children: ChildProcess[] = [];
const registries: RunningRegistry[] = [];

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what}: ${r.stdout}\n${r.stderr}`);
  return r;
}

function berth(args: string[], input?: string) {
  return d.berth(args, { env: { BERTH_CONFIG: berthConfig }, ...(input !== undefined ? { input } : {}) });
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function waitHttp(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${url} never answered`);
}

const hasDebianRegistry = spawnSync("sh", ["-c", "command -v docker-registry"]).status === 0;

/** Debian's docker-registry on 127.0.0.1 with filesystem storage, optionally htpasswd. */
async function debianRegistry(htpasswd?: string): Promise<string> {
  const port = await freePort();
  const dir = mkdtempSync(join(scratch, "dreg-"));
  const auth = htpasswd ? `auth:\n  htpasswd:\n    realm: test-realm\n    path: ${htpasswd}\n` : "";
  const config = `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`;
  writeFileSync(join(dir, "config.yml"), config);
  const child = spawn("docker-registry", ["serve", join(dir, "config.yml")], { stdio: "ignore" });
  children.push(child);
  await waitHttp(`http://127.0.0.1:${port}/v2/`);
  return `127.0.0.1:${port}`;
}

before(async () => {
  d = await startDaemon();
  busyboxId = await importBusybox(d);
});

after(async () => {
  for (const c of children) c.kill("SIGTERM");
  for (const r of registries) await r.close();
  await stopClean(d);
  rmSync(scratch, { recursive: true, force: true });
});

/** push, rmi, pull back, pull again, push again: the round trip every registry must pass. */
async function roundTrip(registry: string, repo: string): Promise<void> {
  const name = `${registry}/${repo}`;
  ok(await d.docker(["tag", "busybox:latest", `${name}:v1`]), "tag");
  const push = ok(await berth(["push", `${name}:v1`]), "push");
  assert.match(push.stdout, new RegExp(`^The push refers to repository \\[${name}\\]\\n`));
  assert.match(push.stdout, /: Preparing\n/);
  assert.match(push.stdout, /: Pushed\n/);
  const m = /v1: digest: (sha256:[a-f0-9]{64}) size: (\d+)\n/.exec(push.stdout);
  assert.ok(m, push.stdout);
  const digest = m[1]!;
  const inspect = JSON.parse(ok(await d.docker(["image", "inspect", `${name}:v1`]), "inspect").stdout) as {
    RepoDigests: string[];
  }[];
  assert.deepEqual(
    inspect[0]!.RepoDigests.filter((r) => r.startsWith(`${name}@`)),
    [`${name}@${digest}`],
  );

  ok(await d.docker(["rmi", `${name}:v1`]), "rmi");
  const pull = ok(await berth(["pull", `${name}:v1`]), "pull");
  assert.match(pull.stdout, new RegExp(`^v1: Pulling from ${repo}\\n`));
  assert.match(pull.stdout, /: Already exists\n/, "busybox:latest still holds the layer");
  // The tag was gone, so the image is "newer" for it even though no byte was downloaded (as Docker).
  assert.match(
    pull.stdout,
    new RegExp(`Digest: ${digest}\\nStatus: Downloaded newer image for ${name}:v1\\n${name}:v1\\n$`),
  );

  // Now without the local layer: a real download.
  ok(await d.docker(["rmi", "-f", busyboxId]), "rmi every tag of the image");
  const fresh = ok(await berth(["pull", `${name}:v1`]), "fresh pull");
  assert.match(fresh.stdout, /: Pulling fs layer\n/);
  assert.match(fresh.stdout, /: Download complete\n/);
  assert.match(fresh.stdout, /: Pull complete\n/);
  assert.match(fresh.stdout, new RegExp(`Status: Downloaded newer image for ${name}:v1\\n`));
  const id = ok(await d.docker(["image", "inspect", "-f", "{{.Id}}", `${name}:v1`]), "id").stdout.trim();
  assert.equal(id, busyboxId, "same image ID after the round trip");
  const digests = ok(
    await d.docker(["images", "--digests", "--format", "{{.Repository}} {{.Digest}}", name]),
    "images",
  );
  assert.equal(digests.stdout, `${name} ${digest}\n`);

  const again = ok(await berth(["pull", `${name}:v1`]), "pull again");
  assert.match(again.stdout, new RegExp(`Status: Image is up to date for ${name}:v1\\n`));
  const warm = ok(await berth(["push", `${name}:v1`]), "push again");
  assert.match(warm.stdout, /: Layer already exists\n/);
  assert.doesNotMatch(warm.stdout, /: Pushed\n/);
  assert.match(warm.stdout, new RegExp(`v1: digest: ${digest} size: `));
  ok(await d.docker(["tag", `${name}:v1`, "busybox:latest"]), "restore busybox:latest");
}

describe(
  "Debian docker-registry (distribution 2.8)",
  { skip: !hasDebianRegistry && "docker-registry is not installed" },
  () => {
    let reg: string;
    before(async () => {
      reg = await debianRegistry();
    });

    test("push, rmi, pull back, up to date, warm push", async () => {
      await roundTrip(reg, "rt/busybox");
    });

    test("a second repository mounts the layer instead of uploading it", async () => {
      ok(await d.docker(["tag", "busybox:latest", `${reg}/other/copy:latest`]), "tag");
      const push = ok(await berth(["push", `${reg}/other/copy`]), "push");
      assert.match(push.stdout, /^Using default tag: latest\n/);
      assert.match(push.stdout, /: Mounted from rt\/busybox\n/);
    });

    test("the docker CLI pulls through berthd and gets the same image", async () => {
      ok(await d.docker(["rmi", `${reg}/other/copy:latest`]), "rmi");
      const r = ok(await d.docker(["pull", `${reg}/other/copy`]), "docker pull");
      assert.match(r.stdout, /Status: (Downloaded newer image|Image is up to date) for /);
      assert.match(r.stdout, new RegExp(`${reg}/other/copy:latest\\n$`));
      const q = ok(await d.docker(["push", "-q", `${reg}/other/copy`]), "docker push -q");
      assert.equal(q.stdout, `${reg}/other/copy:latest\n`);
    });

    test("a missing tag is Docker's not-found error", async () => {
      const r = await berth(["pull", `${reg}/rt/busybox:nope`]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(
          `Error response from daemon: manifest for ${reg}/rt/busybox:nope not found: manifest unknown: `,
        ),
      );
    });

    test("push -a and pull -a carry every tag", async () => {
      ok(await d.docker(["tag", "busybox:latest", `${reg}/all/bb:one`]), "tag");
      ok(await d.docker(["tag", "busybox:latest", `${reg}/all/bb:two`]), "tag");
      const push = ok(await berth(["push", "-a", `${reg}/all/bb`]), "push -a");
      assert.match(push.stdout, /one: digest: /);
      assert.match(push.stdout, /two: digest: /);
      ok(await d.docker(["rmi", `${reg}/all/bb:one`, `${reg}/all/bb:two`]), "rmi");
      const pull = ok(await berth(["pull", "-a", `${reg}/all/bb`]), "pull -a");
      assert.match(pull.stdout, /one: Pulling from all\/bb\n/);
      assert.match(pull.stdout, /two: Pulling from all\/bb\n/);
      assert.match(pull.stdout, new RegExp(`\\n${reg}/all/bb\\n$`));
      const tags = ok(await d.docker(["images", "--format", "{{.Tag}}", `${reg}/all/bb`]), "images").stdout;
      assert.deepEqual(tags.trim().split("\n").sort(), ["one", "two"]);
    });

    test("login, push with the stored credentials, logout (htpasswd basic auth)", async () => {
      const htpasswd = join(scratch, "htpasswd");
      writeFileSync(htpasswd, `alice:${bcrypt.hashSync("s3cret", 5)}\n`);
      const sreg = await debianRegistry(htpasswd);
      ok(await d.docker(["tag", "busybox:latest", `${sreg}/secure/bb:latest`]), "tag");
      const anon = await berth(["push", `${sreg}/secure/bb`]);
      assert.equal(anon.code, 1);
      assert.match(anon.stderr, /no basic auth credentials/);

      const bad = await berth(["login", "-u", "alice", "--password-stdin", sreg], "wrong\n");
      assert.equal(bad.code, 1);
      assert.match(
        bad.stderr,
        new RegExp(`login attempt to http://${sreg}/v2/ failed with status: 401 Unauthorized`),
      );

      const good = ok(await berth(["login", "-u", "alice", "--password-stdin", sreg], "s3cret\n"), "login");
      assert.equal(good.stdout, "Login Succeeded\n");
      assert.match(good.stderr, /WARNING! Your credentials are stored unencrypted in '.*config\.json'\./);
      const cfg = JSON.parse(readFileSync(join(berthConfig, "config.json"), "utf8")) as {
        auths: Record<string, { auth: string }>;
      };
      assert.equal(Buffer.from(cfg.auths[sreg]!.auth, "base64").toString(), "alice:s3cret");

      const push = ok(await berth(["push", `${sreg}/secure/bb`]), "push with credentials");
      assert.match(push.stdout, /latest: digest: sha256:/);
      ok(await d.docker(["rmi", `${sreg}/secure/bb`]), "rmi");
      ok(await berth(["pull", `${sreg}/secure/bb`]), "pull with credentials");

      const out = ok(await berth(["logout", sreg]), "logout");
      assert.equal(out.stdout, `Removing login credentials for ${sreg}\n`);
      const cfg2 = JSON.parse(readFileSync(join(berthConfig, "config.json"), "utf8")) as { auths: object };
      assert.deepEqual(cfg2.auths, {});
      assert.equal(ok(await berth(["logout", sreg]), "logout twice").stdout, `Not logged in to ${sreg}\n`);

      // The docker CLI logs in through berthd's /auth and sends X-Registry-Auth itself.
      const dl = ok(await d.docker(["login", "-u", "alice", "-p", "s3cret", sreg]), "docker login");
      assert.match(dl.stdout, /Login Succeeded/);
      ok(await d.docker(["push", `${sreg}/secure/bb`]), "docker push with credentials");
    });
  },
);

describe("berth registry (token auth)", () => {
  let reg: string;
  before(async () => {
    const htpasswd = join(scratch, "htpasswd-token");
    writeFileSync(htpasswd, `bob:${bcrypt.hashSync("pw", 5)}\n`);
    const root = mkdtempSync(join(scratch, "breg-"));
    const running = await startRegistry({ root, addr: "127.0.0.1:0", auth: { mode: "token", htpasswd } });
    registries.push(running);
    reg = `127.0.0.1:${running.port}`;
  });

  test("anonymous push is refused; login gets a token; the round trip works with Bearer tokens", async () => {
    ok(await d.docker(["tag", "busybox:latest", `${reg}/tok/bb:latest`]), "tag");
    const anon = await berth(["push", `${reg}/tok/bb`]);
    assert.equal(anon.code, 1, anon.stdout);
    const bad = await berth(["login", "-u", "bob", "-p", "nope", reg]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Error response from daemon: /);
    ok(await berth(["login", "-u", "bob", "-p", "pw", reg]), "login");
    ok(await d.docker(["rmi", `${reg}/tok/bb:latest`]), "untag");
    await roundTrip(reg, "tok/bb");
    ok(await berth(["logout", reg]), "logout");
  });
});

describe("docker build pulls its base image (classic builder)", () => {
  let reg: string;
  before(async () => {
    const htpasswd = join(scratch, "htpasswd-build");
    writeFileSync(htpasswd, `carol:${bcrypt.hashSync("pw", 5)}\n`);
    const root = mkdtempSync(join(scratch, "breg-build-"));
    const running = await startRegistry({ root, addr: "127.0.0.1:0", auth: { mode: "token", htpasswd } });
    registries.push(running);
    reg = `127.0.0.1:${running.port}`;
    ok(await d.docker(["tag", "busybox:latest", `${reg}/base/bb:latest`]), "tag");
    ok(await berth(["login", "-u", "carol", "-p", "pw", reg]), "login");
    ok(await berth(["push", `${reg}/base/bb`]), "push");
    ok(await berth(["logout", reg]), "logout");
    ok(await d.docker(["rmi", `${reg}/base/bb:latest`]), "untag");
  });

  const build = (args: string[], dockerfile: string) =>
    d.docker(["build", "--network", "none", ...args, "-"], {
      input: dockerfile,
      env: { DOCKER_BUILDKIT: "0" },
    });

  test("a FROM image that is not here is pulled with the client's login (X-Registry-Config)", async () => {
    const dockerfile = `FROM ${reg}/base/bb\nRUN echo pulled > /x\n`;
    const anon = await build(["-t", "from-registry"], dockerfile);
    assert.equal(anon.code, 1, anon.stdout);
    assert.match(anon.stderr, /unauthorized|authentication required/i);

    ok(await d.docker(["login", "-u", "carol", "-p", "pw", reg]), "docker login");
    const r = ok(await build(["-t", "from-registry"], dockerfile), "build");
    assert.match(r.stdout, new RegExp(`Step 1/2 : FROM ${reg}/base/bb\\nlatest: Pulling from base/bb\\n`));
    assert.match(
      r.stdout,
      new RegExp(`Status: Downloaded newer image for ${reg}/base/bb:latest\\n ---> [0-9a-f]{12}\\n`),
    );
    assert.match(r.stdout, /Successfully tagged from-registry:latest\n/);
    const id = ok(await d.docker(["image", "inspect", "-f", "{{.Id}}", `${reg}/base/bb`]), "inspect");
    assert.equal(id.stdout.trim(), busyboxId, "the pulled base is the pushed image");

    // Here now: no pull; with --pull, asked again and up to date.
    const cached = ok(await build(["-t", "from-registry"], dockerfile), "build again");
    assert.doesNotMatch(cached.stdout, /Pulling from/);
    assert.match(cached.stdout, / ---> Using cache\n/);
    const pulled = ok(await build(["--pull", "-t", "from-registry"], dockerfile), "build --pull");
    assert.match(pulled.stdout, new RegExp(`Status: Image is up to date for ${reg}/base/bb:latest\\n`));
    ok(await d.docker(["logout", reg]), "docker logout");
    ok(await d.docker(["rmi", "from-registry", `${reg}/base/bb`]), "rmi");
  });

  test("berth build pulls with berth's stored login and prints docker pull's lines", async () => {
    const ctxDir = mkdtempSync(join(scratch, "bctx-"));
    writeFileSync(join(ctxDir, "Dockerfile"), `FROM ${reg}/base/bb\nRUN echo berth > /y\n`);
    const anon = await berth(["build", "--network", "none", "-t", "berth-from-registry", ctxDir]);
    assert.equal(anon.code, 1, anon.stdout);
    ok(await berth(["login", "-u", "carol", "-p", "pw", reg]), "login");
    const r = ok(
      await berth(["build", "--network", "none", "-t", "berth-from-registry", ctxDir]),
      "berth build",
    );
    assert.match(r.stdout, new RegExp(`Step 1/2 : FROM ${reg}/base/bb\\nlatest: Pulling from base/bb\\n`));
    assert.match(r.stdout, /: (Pull complete|Already exists)\n/);
    assert.match(r.stdout, new RegExp(`Status: Downloaded newer image for ${reg}/base/bb:latest\\n`));
    assert.doesNotMatch(r.stdout, /Downloading/, "no progress lines off a terminal");
    ok(await berth(["logout", reg]), "logout");
    ok(await d.docker(["rmi", "berth-from-registry", `${reg}/base/bb`]), "rmi");
  });

  test("docker.io names are not pulled without a mirror: a clear error, no network", async () => {
    const r = await build([], "FROM nosuchimage-here:1\n");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /docker\.io is not reachable from this engine/);
  });
});

test("no leftovers in the daemon's temp dir", () => {
  const tmp = join(d.dataRoot, "tmp", "distribution");
  assert.ok(!existsSync(tmp) || spawnSync("ls", ["-A", tmp]).stdout.toString() === "");
});
