/**
 * docker cp, top, diff, export, commit, stats and update with the real
 * docker CLI (and berth's) against one berthd; then a leak check.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { importBusybox, leaks, run, startDaemon, type TestDaemon } from "./harness/daemon.js";

let d: TestDaemon;
let tmp: string;
const C = "xc1";

function ok(r: { code: number; stdout: string; stderr: string }, what: string): string {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  d = await startDaemon();
  tmp = mkdtempSync(join(tmpdir(), "berth-extras-"));
  writeFileSync(join(tmp, "payload"), "payload\n");
  await importBusybox(d);
  const script =
    "mkdir /tmp/x; echo hi > /tmp/x/f; rm /bin/ls; ln -s /etc /tmp/etclink; ln -s ../../../.. /tmp/up; sleep 300";
  ok(
    await d.docker([
      "run",
      "-d",
      "--network",
      "none",
      "--name",
      C,
      "-m",
      "64m",
      "busybox",
      "sh",
      "-c",
      script,
    ]),
    "run",
  );
  for (let i = 0; i < 50; i++) {
    if ((await d.docker(["exec", C, "test", "-L", "/tmp/up"])).code === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(async () => {
  await d.docker(["rm", "-f", C]);
  await d.stop();
  rmSync(tmp, { recursive: true, force: true });
  assert.deepEqual(leaks(d), []);
});

test("docker top and berth top list the container's processes", async () => {
  const out = ok(await d.docker(["top", C]), "top");
  assert.match(out.split("\n")[0] ?? "", /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD/);
  assert.match(out, /sleep 300/);
  const b = ok(await d.berth(["top", C, "-o", "pid,comm"]), "berth top");
  assert.match(b, /^PID\s+COMMAND\n\d+\s+sleep\n$/);
  const r = await d.docker(["top", C, "-o", "user=PID"]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /specifying "user=PID" is not allowed/);
});

test("docker diff shows Docker's kinds without the runtime's mount points", async () => {
  const out = ok(await d.docker(["diff", C]), "diff");
  for (const line of ["C /bin", "D /bin/ls", "C /tmp", "A /tmp/x", "A /tmp/x/f"])
    assert.ok(out.includes(`${line}\n`), out);
  assert.doesNotMatch(out, /\/etc\/hosts/);
  assert.equal(ok(await d.berth(["diff", C]), "berth diff"), out);
});

test("docker cp both ways, confined through links to /etc and ../../..", async () => {
  ok(await d.docker(["cp", join(tmp, "payload"), `${C}:/tmp/etclink/`]), "cp into /etc link");
  ok(await d.docker(["cp", join(tmp, "payload"), `${C}:/tmp/up/escaped`]), "cp through ../..");
  ok(await d.berth(["cp", join(tmp, "payload"), `${C}:/tmp/up/escaped2`]), "berth cp through ../..");
  assert.equal(existsSync("/escaped"), false);
  assert.equal(existsSync("/escaped2"), false);
  assert.equal(
    ok(await d.docker(["exec", C, "cat", "/etc/payload", "/escaped", "/escaped2"]), "exec"),
    "payload\n".repeat(3),
  );
  ok(await d.docker(["cp", `${C}:/tmp/up/etc/passwd`, join(tmp, "pw")]), "cp out through ../..");
  assert.match(readFileSync(join(tmp, "pw"), "utf8"), /^root:x:0:0:/);
  assert.equal(
    readFileSync(join(tmp, "pw"), "utf8"),
    ok(await d.docker(["exec", C, "cat", "/etc/passwd"]), "cat"),
  );
  ok(await d.docker(["cp", "-L", `${C}:/tmp/etclink`, join(tmp, "etc-copy")]), "cp -L");
  assert.ok(existsSync(join(tmp, "etc-copy", "payload")));
  ok(await d.berth(["cp", `${C}:/tmp/x`, join(tmp, "bx")]), "berth cp out");
  assert.equal(readFileSync(join(tmp, "bx", "f"), "utf8"), "hi\n");
  const tar = await d.docker(["cp", `${C}:/tmp/x`, "-"]);
  assert.equal(tar.code, 0);
  writeFileSync(join(tmp, "x.tar"), tar.stdout, "latin1");
  assert.equal(ok(await run("tar", ["tf", join(tmp, "x.tar")]), "tar t"), "x/\nx/f\n");
  const missing = await d.docker(["cp", `${C}:/nope`, join(tmp, "n")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Could not find the file \/nope in container xc1/);
  const notDir = await d.docker(["cp", join(tmp, "payload"), `${C}:/nope/dir/`]);
  assert.equal(notDir.code, 1);
});

test("docker export is a tar of the whole filesystem", async () => {
  ok(await d.docker(["export", "-o", join(tmp, "exp.tar"), C]), "export");
  const names = ok(await run("tar", ["tf", join(tmp, "exp.tar")]), "tar t").split("\n");
  assert.ok(names.includes("bin/busybox") && names.includes("tmp/x/f") && !names.includes("bin/ls"));
});

test("docker commit makes an image that runs", async () => {
  const id = ok(
    await d.docker(["commit", "-m", "msg", "-a", "me", "-c", 'CMD ["cat", "/tmp/x/f"]', C, "mine:v1"]),
    "commit",
  );
  assert.match(id, /^sha256:[0-9a-f]{64}\n$/);
  assert.equal(ok(await d.docker(["run", "--rm", "--network", "none", "mine:v1"]), "run committed"), "hi\n");
  const inspect = JSON.parse(ok(await d.docker(["image", "inspect", "mine:v1"]), "inspect")) as {
    Author: string;
    Comment: string;
    Config: { Cmd: string[] };
  }[];
  assert.equal(inspect[0]?.Author, "me");
  assert.equal(inspect[0]?.Comment, "msg");
  assert.deepEqual(inspect[0]?.Config.Cmd, ["cat", "/tmp/x/f"]);
});

test("docker stats shows the memory limit; docker update changes the cgroup", async () => {
  const out = ok(await d.docker(["stats", "--no-stream", C]), "stats");
  const row = out.split("\n")[1] ?? "";
  assert.match(row, /xc1\s+\d+\.\d\d%\s+[\d.]+[KM]iB \/ 64MiB\s+/);
  assert.doesNotMatch(row, /\s0B \/ 64MiB/, "memory in use is not zero");
  ok(await d.docker(["update", "-m", "96m", "--memory-swap", "192m", "--pids-limit", "50", C]), "update");
  const pid = ok(await d.docker(["inspect", "-f", "{{.State.Pid}}", C]), "pid").trim();
  const memLine = readFileSync(`/proc/${pid}/cgroup`, "utf8")
    .split("\n")
    .find((l) => /:memory:/.test(l));
  if (memLine !== undefined) {
    const path = memLine.split(":")[2] ?? "";
    assert.equal(
      readFileSync(`/sys/fs/cgroup/memory${path}/memory.limit_in_bytes`, "utf8").trim(),
      String(96 << 20),
    );
  }
  assert.equal(
    ok(await d.docker(["inspect", "-f", "{{.HostConfig.Memory}}", C]), "inspect").trim(),
    String(96 << 20),
  );
  const bad = await d.docker(["update", "-m", "500m", C]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Memory limit should be smaller than already set memoryswap limit/);
  assert.match(ok(await d.berth(["stats", "--no-stream", C]), "berth stats"), /96MiB/);
});
