/**
 * Containers with volumes through the real docker CLI: named volumes that
 * outlive their containers, anonymous volumes from -v /path and the image's
 * VOLUME (pre-filled by copy-up), rm -v and run --rm, --mount volume and
 * tmpfs, --volumes-from, in-use refusal, filters, and inspect's Mounts.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { busyboxTar, startDaemon, stopClean, type TestDaemon } from "./harness/daemon.js";

let d: TestDaemon;
const created: string[] = [];

async function ok(args: string[]): Promise<string> {
  const r = await d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const volumes = async () =>
  (await ok(["volume", "ls", "-q"]))
    .trim()
    .split("\n")
    .filter((v) => v !== "");

before(async () => {
  d = await startDaemon({ busybox: true });
  // An image whose VOLUME has content: the anonymous volume is filled from it.
  const r = await d.docker(["import", "--change", "VOLUME /etc", "-", "bbvol:latest"], {
    input: busyboxTar(),
  });
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  if (created.length > 0) await d.docker(["rm", "-f", "-v", ...created]);
  await d.docker(["volume", "prune", "-a", "-f"]);
  await stopClean(d);
});

test("a named volume's data survives rm and shows in a new container", async () => {
  await ok(["run", "--name", "w1", "-v", "h16data:/data", "busybox", "sh", "-c", "echo kept > /data/f"]);
  const m = JSON.parse(await ok(["inspect", "-f", "{{json .Mounts}}", "w1"]));
  assert.equal(m.length, 1);
  assert.equal(m[0].Type, "volume");
  assert.equal(m[0].Name, "h16data");
  assert.equal(m[0].Destination, "/data");
  assert.equal(m[0].Driver, "local");
  assert.equal(m[0].RW, true);
  assert.equal(m[0].Source, `${d.dataRoot}/volumes/h16data/_data`);
  const busy = await d.docker(["volume", "rm", "h16data"]);
  assert.notEqual(busy.code, 0);
  assert.match(busy.stderr, /volume is in use/);
  assert.equal((await ok(["ps", "-a", "--filter", "volume=h16data", "--format", "{{.Names}}"])).trim(), "w1");
  assert.equal((await ok(["volume", "ls", "-q", "--filter", "dangling=true"])).includes("h16data"), false);
  await ok(["rm", "-v", "w1"]);
  assert.ok((await volumes()).includes("h16data"), "rm -v removed a named volume");
  assert.equal(await ok(["run", "--rm", "-v", "h16data:/data:ro", "busybox", "cat", "/data/f"]), "kept\n");
  const ro = await d.docker(["run", "--rm", "-v", "h16data:/data:ro", "busybox", "touch", "/data/g"]);
  assert.notEqual(ro.code, 0);
  assert.ok((await ok(["volume", "ls", "-q", "--filter", "dangling=true"])).includes("h16data"));
  await ok(["volume", "rm", "h16data"]);
});

test("the image's VOLUME gets an anonymous volume filled from the image; rm -v removes it", async () => {
  const before = await volumes();
  created.push("iv1");
  await ok(["create", "--name", "iv1", "bbvol", "cat", "/etc/passwd"]);
  const m = JSON.parse(await ok(["inspect", "-f", "{{json .Mounts}}", "iv1"]));
  assert.equal(m.length, 1);
  assert.match(m[0].Name, /^[0-9a-f]{64}$/);
  assert.equal(m[0].Destination, "/etc");
  assert.equal(m[0].Mode, "");
  await ok(["start", "-a", "iv1"]).then((out) => assert.match(out, /^root:/m));
  const anon = m[0].Name as string;
  assert.deepEqual(
    (await volumes()).filter((v) => !before.includes(v)),
    [anon],
  );
  await ok(["rm", "iv1"]);
  assert.ok((await volumes()).includes(anon), "rm without -v removed the anonymous volume");
  await ok(["volume", "rm", anon]);

  await ok(["create", "--name", "iv2", "-v", "/scratch", "bbvol", "true"]);
  const names = JSON.parse(await ok(["inspect", "-f", "{{json .Mounts}}", "iv2"])).map(
    (x: { Name: string }) => x.Name,
  );
  assert.equal(names.length, 2);
  await ok(["rm", "-v", "iv2"]);
  for (const n of names) assert.equal((await volumes()).includes(n), false);

  const runRm = await ok(["run", "--rm", "-v", "/scratch", "busybox", "ls", "/scratch"]);
  assert.equal(runRm, "");
  assert.deepEqual(
    (await volumes()).filter((v) => !before.includes(v)),
    [],
    "run --rm left an anonymous volume",
  );
});

test("copy-up fills a new named volume once; nocopy keeps it empty", async () => {
  const out = await ok(["run", "--rm", "-v", "h16etc:/etc", "busybox", "ls", "/etc"]);
  assert.match(out, /passwd/);
  await ok(["run", "--rm", "-v", "h16etc:/etc", "busybox", "rm", "/etc/group"]);
  // Not empty any more: a later container does not copy again.
  assert.doesNotMatch(await ok(["run", "--rm", "-v", "h16etc:/etc", "busybox", "ls", "/etc"]), /^group$/m);
  const empty = await ok(["run", "--rm", "-v", "h16empty:/etc:nocopy", "busybox", "ls", "-A", "/etc"]);
  assert.doesNotMatch(empty, /passwd/);
  await ok(["volume", "rm", "h16etc", "h16empty"]);
});

test("--mount type=volume (readonly, anonymous) and type=tmpfs", async () => {
  const ro = await d.docker([
    "run",
    "--rm",
    "--mount",
    "type=volume,src=h16m,dst=/m,readonly",
    "busybox",
    "touch",
    "/m/x",
  ]);
  assert.notEqual(ro.code, 0);
  assert.match(ro.stderr, /Read-only file system/);
  const insp = await ok([
    "create",
    "--name",
    "mt1",
    "--mount",
    "type=volume,dst=/anon",
    "--mount",
    "type=tmpfs,dst=/t,tmpfs-size=1m",
    "--tmpfs",
    "/opt:size=1m",
    "busybox",
    "sh",
    "-c",
    "df -k /t | tail -1; echo x > /anon/y && cat /anon/y",
  ]);
  created.push("mt1");
  assert.match(insp, /^[0-9a-f]{64}/);
  const out = await ok(["start", "-a", "mt1"]);
  assert.match(out, /tmpfs\s+1024\s/);
  assert.match(out, /^x$/m);
  const mounts = JSON.parse(await ok(["inspect", "-f", "{{json .Mounts}}", "mt1"]));
  const anon = mounts.find((m: { Destination: string }) => m.Destination === "/anon");
  assert.equal(anon.Type, "volume");
  assert.equal(anon.Mode, "z");
  // dockerd lists a --mount tmpfs, not a --tmpfs one (that is only in HostConfig.Tmpfs).
  assert.deepEqual(
    mounts
      .filter((m: { Type: string }) => m.Type === "tmpfs")
      .map((m: { Destination: string }) => m.Destination),
    ["/t"],
  );
  assert.equal(await ok(["inspect", "-f", "{{json .HostConfig.Tmpfs}}", "mt1"]), '{"/opt":"size=1m"}\n');
  await ok(["rm", "-v", "mt1"]);
  assert.equal((await volumes()).includes(anon.Name), false);
  await ok(["volume", "rm", "h16m"]);
});

test("--volumes-from shares the volumes, read-only with :ro", async () => {
  created.push("src1");
  await ok(["run", "--name", "src1", "-v", "h16shared:/shared", "busybox", "sh", "-c", "echo s > /shared/f"]);
  assert.equal(await ok(["run", "--rm", "--volumes-from", "src1", "busybox", "cat", "/shared/f"]), "s\n");
  const ro = await d.docker(["run", "--rm", "--volumes-from", "src1:ro", "busybox", "touch", "/shared/g"]);
  assert.notEqual(ro.code, 0);
  await ok(["rm", "-v", "src1"]);
  await ok(["volume", "rm", "h16shared"]);
});
