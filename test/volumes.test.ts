/**
 * Volumes through the real docker CLI, the berth CLI and dockerode against a
 * private berthd: create (named, anonymous, tmpfs and bind options), ls with
 * filters and formats, inspect, rm, prune, system df, events, and a daemon
 * restart on the same data root. Outputs are compared with what Docker prints.
 * Mounting devices needs a container; src/engine/volumes/realMounts.test.ts
 * covers it on the real kernel.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDaemon, stopClean, type TestDaemon } from "./harness/daemon.js";

const isRoot = process.getuid?.() === 0;
let d: TestDaemon;
let dataRoot: string;
let base: string;

before(async () => {
  if (!isRoot) return;
  base = mkdtempSync(join(tmpdir(), "berth-volumes-it-"));
  dataRoot = join(base, "data");
  d = await startDaemon({ dataRoot });
});

after(async () => {
  if (!isRoot) return;
  await stopClean(d);
  rmSync(base, { recursive: true, force: true });
});

async function ok(args: string[], input?: string): Promise<string> {
  const r = await d.docker(args, input === undefined ? undefined : { input });
  assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

test("create, ls, inspect and rm with docker's output", { skip: !isRoot }, async () => {
  assert.equal(await ok(["volume", "create", "vol1"]), "vol1\n");
  assert.equal(
    await ok(["volume", "create", "--name", "vol10", "--label", "a=b", "--label", "flag"]),
    "vol10\n",
  );
  assert.equal(
    await ok(["volume", "create", "vol2", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=100m"]),
    "vol2\n",
  );
  // Same name again: Docker returns the existing volume, whatever options were asked.
  assert.equal(await ok(["volume", "create", "vol1", "-o", "type=tmpfs", "-o", "device=tmpfs"]), "vol1\n");
  assert.equal(
    await ok(["volume", "ls"]),
    "DRIVER    VOLUME NAME\nlocal     vol1\nlocal     vol2\nlocal     vol10\n",
  );
  assert.equal(await ok(["volume", "ls", "-q"]), "vol1\nvol2\nvol10\n");
  // docker prints .Labels in Go map order, which is random: compare the set.
  const labelled = await ok([
    "volume",
    "ls",
    "-f",
    "label=a=b",
    "--format",
    '{{.Name}} {{.Labels}} {{.Label "a"}}',
  ]);
  assert.match(labelled, /^vol10 (a=b,flag=|flag=,a=b) b\n$/);
  assert.equal(await ok(["volume", "ls", "-f", "name=ol1", "-q"]), "vol1\nvol10\n");
  assert.equal(
    await ok(["volume", "ls", "-f", "dangling=true", "-f", "driver=local", "-q"]),
    "vol1\nvol2\nvol10\n",
  );
  const json = JSON.parse((await ok(["volume", "ls", "-f", "name=^vol1$", "--format", "json"])).trim());
  assert.deepEqual(json, {
    Availability: "N/A",
    Driver: "local",
    Group: "N/A",
    Labels: "",
    Links: "N/A",
    Mountpoint: join(dataRoot, "volumes", "vol1", "_data"),
    Name: "vol1",
    Scope: "local",
    Size: "N/A",
    Status: "N/A",
  });

  const text = await ok(["volume", "inspect", "vol1", "vol2"]);
  const created = JSON.parse(text)[0].CreatedAt as string;
  assert.match(created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
  const expected = [
    {
      CreatedAt: created,
      Driver: "local",
      Labels: null,
      Mountpoint: join(dataRoot, "volumes", "vol1", "_data"),
      Name: "vol1",
      Options: null,
      Scope: "local",
    },
    {
      CreatedAt: JSON.parse(text)[1].CreatedAt,
      Driver: "local",
      Labels: null,
      Mountpoint: join(dataRoot, "volumes", "vol2", "_data"),
      Name: "vol2",
      Options: { device: "tmpfs", o: "size=100m", type: "tmpfs" },
      Scope: "local",
    },
  ];
  // The docker CLI prints the array indented by four spaces, keys in Go's field order.
  assert.equal(text, JSON.stringify(expected, null, 4) + "\n");
  assert.ok(statSync(join(dataRoot, "volumes", "vol1", "_data")).isDirectory());
  assert.equal(
    await ok(["volume", "inspect", "-f", "{{.Name}} {{.Scope}} {{.Driver}}", "vol2"]),
    "vol2 local local\n",
  );

  const missing = await d.docker(["volume", "inspect", "vol1", "nope"]);
  assert.equal(missing.code, 1);
  assert.equal(JSON.parse(missing.stdout).length, 1);
  assert.equal(missing.stderr, "Error response from daemon: get nope: no such volume\n");

  const rm = await d.docker(["volume", "rm", "nope", "vol1"]);
  assert.equal(rm.code, 1);
  assert.equal(rm.stdout, "vol1\n");
  assert.equal(rm.stderr, "Error response from daemon: get nope: no such volume\n");
  assert.equal(existsSync(join(dataRoot, "volumes", "vol1")), false);
  assert.equal(await ok(["volume", "rm", "-f", "nope", "vol2"]), "nope\nvol2\n");
  await ok(["volume", "rm", "vol10"]);
  assert.equal(await ok(["volume", "ls", "-q"]), "");
});

test("names, options and drivers are validated with Docker's texts", { skip: !isRoot }, async () => {
  const cases: [string[], string][] = [
    [["a"], "create a: volume name is too short, names should be at least two alphanumeric characters"],
    [
      ["b@d"],
      'create b@d: "b@d" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path',
    ],
    [["-o", "foo=bar", "v1"], 'create v1: invalid option: "foo"'],
    [["-o", "type=tmpfs", "v1"], 'create v1: missing required option: "device"'],
    [["-o", "size=10m", "v1"], "create v1: quota size requested but no quota support"],
    [["-d", "other", "v1"], 'create v1: error looking up volume plugin other: plugin "other" not found'],
  ];
  for (const [args, message] of cases) {
    const r = await d.docker(["volume", "create", ...args]);
    assert.equal(r.code, 1, args.join(" "));
    assert.equal(r.stderr, `Error response from daemon: ${message}\n`);
  }
  const nfs = await d.docker([
    "volume",
    "create",
    "-o",
    "type=nfs",
    "-o",
    "device=:/x",
    "-o",
    "o=addr=127.0.0.1",
    "v1",
  ]);
  assert.equal(nfs.code, 1);
  assert.match(nfs.stderr, /create v1: volume type "nfs" is a network filesystem/);
  const bad = await d.docker(["volume", "ls", "-f", "foo=bar"]);
  assert.deepEqual([bad.code, bad.stderr], [1, "Error response from daemon: invalid filter 'foo'\n"]);
  assert.equal(await ok(["volume", "ls", "-q"]), "");
});

test(
  "prune removes anonymous volumes, -a all unused, with docker's prompt and report",
  { skip: !isRoot },
  async () => {
    const anon = (await ok(["volume", "create"])).trim();
    assert.match(anon, /^[a-f0-9]{64}$/);
    writeFileSync(join(dataRoot, "volumes", anon, "_data", "blob"), Buffer.alloc(2000));
    await ok(["volume", "create", "named"]);
    await ok(["volume", "create", "kept", "--label", "keep=1"]);
    await ok(["volume", "create", "tmpvol", "-o", "type=tmpfs", "-o", "device=tmpfs"]);

    const no = await d.docker(["volume", "prune"], { input: "n\n" });
    assert.equal(no.code, 0);
    assert.equal(
      no.stdout,
      "WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ",
    );
    const yes = await ok(["volume", "prune"], "y\n");
    assert.equal(
      yes,
      "WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] " +
        `Deleted Volumes:\n${anon}\n\nTotal reclaimed space: 2kB\n`,
    );
    assert.equal(await ok(["volume", "prune", "-f"]), "Total reclaimed space: 0B\n");
    assert.equal(
      await ok(["volume", "prune", "-a", "-f", "--filter", "label!=keep"]),
      "Deleted Volumes:\nnamed\n\nTotal reclaimed space: 0B\n",
    );
    // Volumes with options are never pruned (Docker: no space to reclaim).
    assert.equal(await ok(["volume", "ls", "-q"]), "kept\ntmpvol\n");
    await ok(["volume", "rm", "kept", "tmpvol"]);
  },
);

test("berth CLI prints what docker prints", { skip: !isRoot }, async () => {
  for (const args of [
    ["volume", "create", "bv1", "--label", "x=y"],
    ["volume", "create", "bv2"],
  ]) {
    const r = await d.berth(args);
    assert.equal(r.code, 0, r.stderr);
  }
  for (const args of [
    ["volume", "ls"],
    ["volume", "ls", "-q", "-f", "label=x"],
    ["volume", "ls", "--format", "{{.Name}}\t{{.Labels}}\t{{.Links}}"],
    ["volume", "inspect", "bv1", "bv2"],
    ["volume", "inspect", "-f", "{{json .Labels}}", "bv1"],
  ]) {
    const b = await d.berth(args);
    const k = await d.docker(args);
    assert.deepEqual([b.code, b.stdout, b.stderr], [k.code, k.stdout, k.stderr], args.join(" "));
  }
  const b = await d.berth(["volume", "rm", "bv1", "nope", "bv2"]);
  assert.deepEqual(
    [b.code, b.stdout, b.stderr],
    [1, "bv1\nbv2\n", "Error response from daemon: get nope: no such volume\n"],
  );
  const p = await d.berth(["volume", "prune", "-f"]);
  assert.deepEqual([p.code, p.stdout], [0, "Total reclaimed space: 0B\n"]);
});

test("dockerode, system df and events", { skip: !isRoot }, async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  await d.dockerode.createVolume({ Name: "dv", Labels: { a: "b" } });
  writeFileSync(join(dataRoot, "volumes", "dv", "_data", "f"), "12345");
  const list = await d.dockerode.listVolumes({ filters: JSON.stringify({ label: ["a=b"] }) });
  assert.deepEqual(
    list.Volumes.map((v) => v.Name),
    ["dv"],
  );
  assert.equal(list.Warnings, null);
  const info = await d.dockerode.getVolume("dv").inspect();
  assert.deepEqual(info.Labels, { a: "b" });
  const df = await ok([
    "system",
    "df",
    "-v",
    "--format",
    "{{range .Volumes}}{{.Name}} {{.Links}} {{.Size}}{{end}}",
  ]);
  assert.equal(df.trim(), "dv 0 5B");
  await d.dockerode.getVolume("dv").remove();
  const pr = await d.dockerode.pruneVolumes();
  assert.deepEqual(pr, { VolumesDeleted: [], SpaceReclaimed: 0 });
  const until = Math.floor(Date.now() / 1000) + 1;
  const ev = await ok([
    "events",
    "--since",
    String(since),
    "--until",
    String(until),
    "--filter",
    "type=volume",
    "--format",
    "{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.driver}}",
  ]);
  assert.match(ev, /^create dv local\ndestroy dv local\nprune {2}/m);
});

test("volumes survive a daemon restart on the same data root", { skip: !isRoot }, async () => {
  await ok(["volume", "create", "persist", "--label", "k=v", "-o", "type=tmpfs", "-o", "device=tmpfs"]);
  const before = await ok(["volume", "inspect", "persist"]);
  await d.stop();
  d = await startDaemon({ dataRoot });
  assert.equal(await ok(["volume", "inspect", "persist"]), before);
  await ok(["volume", "rm", "persist"]);
});
