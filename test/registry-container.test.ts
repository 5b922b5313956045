/**
 * berth's registry run as a container of berth itself: the berth/registry
 * image made offline by scripts/make-registry-image.sh, run with a published
 * port on 127.0.0.1 and a named volume, and used by the docker CLI: push, rmi,
 * pull back to the same image ID, data kept in the volume across containers,
 * htpasswd auth from a bind mount with docker login.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import bcrypt from "bcryptjs";
import {
  importBusybox,
  leaks,
  repoRoot,
  run,
  startDaemon,
  type RunResult,
  type TestDaemon,
} from "./harness/daemon.js";

const buildRoot = fileURLToPath(new URL("../", import.meta.url));
const script = join(repoRoot, "scripts", "make-registry-image.sh");
const skip =
  (!existsSync("/usr/bin/node") && "no /usr/bin/node to put in the berth/registry image") ||
  (process.getuid?.() !== 0 && "needs root (containers)");

let d: TestDaemon;
let busyboxId: string;
let scratch: string;
const volume = "regdata";

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what}: ${r.stdout}\n${r.stderr}`);
  return r;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Waits until the registry in container `name` answers /v2/ on the published port. */
async function waitRegistry(port: number, name: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`);
      await res.arrayBuffer();
      return res.status;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const logs = await d.docker(["logs", name]);
  throw new Error(
    `the registry in ${name} never answered on 127.0.0.1:${port}:\n${logs.stdout}${logs.stderr}`,
  );
}

/** `docker run -d` (or `berth run -d`) of berth/registry published on a fresh 127.0.0.1 port. */
async function runRegistry(
  name: string,
  extra: string[] = [],
  args: string[] = [],
  cli: "docker" | "berth" = "docker",
): Promise<string> {
  const port = await freePort();
  ok(
    await d[cli]([
      "run",
      "-d",
      "--name",
      name,
      "-p",
      `127.0.0.1:${port}:5000`,
      "-v",
      `${volume}:/var/lib/registry`,
      ...extra,
      "berth/registry",
      ...args,
    ]),
    `run ${name}`,
  );
  return `127.0.0.1:${port}`;
}

async function imageId(ref: string): Promise<string> {
  return ok(await d.docker(["image", "inspect", "-f", "{{.Id}}", ref]), `inspect ${ref}`).stdout.trim();
}

before(async () => {
  if (skip) return;
  scratch = mkdtempSync(join(tmpdir(), "berth-regctr-"));
  d = await startDaemon();
  busyboxId = await importBusybox(d);
  ok(
    await run(script, ["--dist", buildRoot, "--import"], { env: { BERTH_HOST: d.host }, timeoutMs: 180_000 }),
    "make-registry-image.sh --import",
  );
});

after(async () => {
  if (skip) return;
  await d.docker(["rm", "-f", "registry", "registry2", "secure"]);
  await d.docker(["volume", "rm", volume]);
  await d.stop();
  rmSync(scratch, { recursive: true, force: true });
  assert.deepEqual(leaks(d), []);
});

test(
  "the image: node, the registry modules and docker import's config, and nothing else",
  { skip },
  async (t) => {
    const inspect = JSON.parse(
      ok(await d.docker(["image", "inspect", "berth/registry"]), "inspect").stdout,
    ) as {
      Size: number;
      Config: { Entrypoint: string[]; ExposedPorts: object; Volumes: object; WorkingDir: string };
    }[];
    const config = inspect[0]!.Config;
    assert.deepEqual(config.Entrypoint, ["/usr/local/bin/berth-registry"]);
    assert.deepEqual(config.ExposedPorts, { "5000/tcp": {} });
    assert.deepEqual(config.Volumes, { "/var/lib/registry": {} });
    assert.equal(config.WorkingDir, "/");
    const size = inspect[0]!.Size;
    t.diagnostic(`berth/registry is ${size} bytes`);
    // Node itself is most of it; anything much past it means the script copied too much.
    assert.ok(size < 120e6, `berth/registry is ${size} bytes`);
    // No shell, no busybox: the image runs node and nothing else.
    const sh = await d.docker(["run", "--rm", "--entrypoint", "/bin/sh", "berth/registry", "-c", "true"]);
    assert.notEqual(sh.code, 0);
    const v = ok(
      await d.docker([
        "run",
        "--rm",
        "--entrypoint",
        "/usr/bin/node",
        "berth/registry",
        "-p",
        "process.version",
      ]),
      "node in the image",
    );
    assert.equal(v.stdout.trim(), process.version);
  },
);

test("push, rmi and pull back through berth/registry; the volume keeps the data", { skip }, async () => {
  let reg = await runRegistry("registry");
  assert.equal(await waitRegistry(Number(reg.split(":")[1]), "registry"), 200);
  ok(await d.docker(["tag", "busybox", `${reg}/busybox`]), "tag");
  ok(await d.docker(["push", `${reg}/busybox`]), "push");
  ok(await d.docker(["rmi", `${reg}/busybox`]), "rmi");
  assert.notEqual((await d.docker(["image", "inspect", `${reg}/busybox`])).code, 0);
  ok(await d.docker(["pull", `${reg}/busybox`]), "pull");
  assert.equal(await imageId(`${reg}/busybox`), busyboxId);
  ok(await d.docker(["rmi", `${reg}/busybox`]), "rmi");

  // A new container on the same volume (and another port) serves what the first stored.
  ok(await d.docker(["rm", "-f", "registry"]), "rm -f registry");
  await assert.rejects(fetch(`http://${reg}/v2/`));
  reg = await runRegistry("registry2", [], [], "berth");
  await waitRegistry(Number(reg.split(":")[1]), "registry2");
  const catalog = (await (await fetch(`http://${reg}/v2/_catalog`)).json()) as { repositories: string[] };
  assert.deepEqual(catalog.repositories, ["busybox"]);
  ok(await d.docker(["pull", `${reg}/busybox:latest`]), "pull from the new container");
  assert.equal(await imageId(`${reg}/busybox`), busyboxId);
  ok(await d.docker(["rmi", `${reg}/busybox`]), "rmi");
  // node is PID 1 and the serve command handles SIGTERM: docker stop is a clean exit, not a kill.
  const t0 = Date.now();
  ok(await d.docker(["stop", "-t", "10", "registry2"]), "stop registry2");
  assert.ok(Date.now() - t0 < 8000, "docker stop waited for the kill");
  const state = ok(await d.docker(["inspect", "-f", "{{.State.ExitCode}}", "registry2"]), "inspect").stdout;
  assert.equal(state.trim(), "0");
  ok(await d.docker(["rm", "registry2"]), "rm registry2");
});

test("--htpasswd from a bind mount: pushes need docker login", { skip }, async () => {
  const auth = mkdtempSync(join(scratch, "auth-"));
  writeFileSync(join(auth, "htpasswd"), `alice:${bcrypt.hashSync("s3cret", 5)}\n`);
  const reg = await runRegistry("secure", ["-v", `${auth}:/auth:ro`], ["--htpasswd", "/auth/htpasswd"]);
  assert.equal(await waitRegistry(Number(reg.split(":")[1]), "secure"), 401);
  ok(await d.docker(["tag", "busybox", `${reg}/private/bb`]), "tag");
  const denied = await d.docker(["push", `${reg}/private/bb`]);
  assert.notEqual(denied.code, 0, "push without login");
  assert.match(denied.stderr, /no basic auth credentials|unauthorized|authentication required/);
  const bad = await d.docker(["login", "-u", "alice", "-p", "wrong", reg]);
  assert.notEqual(bad.code, 0, "login with a wrong password");
  ok(await d.docker(["login", "-u", "alice", "-p", "s3cret", reg]), "docker login");
  ok(await d.docker(["push", `${reg}/private/bb`]), "push after login");
  ok(await d.docker(["rmi", `${reg}/private/bb`]), "rmi");
  ok(await d.docker(["pull", `${reg}/private/bb`]), "pull after login");
  assert.equal(await imageId(`${reg}/private/bb`), busyboxId);
  ok(await d.docker(["logout", reg]), "logout");
  const denied2 = await d.berth(["pull", `${reg}/private/bb`], { timeoutMs: 20_000 });
  assert.equal(denied2.code, 1, "pull after logout");
  assert.match(denied2.stderr, /no basic auth credentials/);
  // The docker CLI takes the daemon's unauthorized answer as its cue to ask for a
  // login, and waits at the prompt even on a closed stdin: it is killed there.
  const prompt = await d.docker(["pull", `${reg}/private/bb`], { input: "", timeoutMs: 4000 });
  assert.match(prompt.stdout, /Login prior to pull:[^]*Username: $/);
  ok(await d.docker(["rm", "-f", "secure"]), "rm -f secure");
});
