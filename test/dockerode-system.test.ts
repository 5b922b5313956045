/**
 * Images, networks, volumes, events, prunes and the system endpoints driven
 * with dockerode against a private berthd, the way tools and scripts use
 * them; plus a Testcontainers-like flow (a random published port on busybox
 * httpd, wait for it, GET over 127.0.0.1, stop, remove).
 */
import assert from "node:assert/strict";
import { get } from "node:http";
import { after, before, test } from "node:test";
import type Dockerode from "dockerode";
import { importBusybox, startDaemon, stopClean, type TestDaemon } from "./harness/daemon.js";

let d: TestDaemon;
let docker: Dockerode;
let busyboxId: string;
before(async () => {
  d = await startDaemon();
  docker = d.dockerode;
  busyboxId = await importBusybox(d);
});
after(async () => {
  for (const c of await docker.listContainers({ all: true }))
    await docker.getContainer(c.Id).remove({ force: true, v: true });
  await stopClean(d);
});

interface ApiErr {
  statusCode?: number;
  json?: { message?: string };
}

function apiError(status: number, message: string | RegExp) {
  return (err: ApiErr) => {
    assert.equal(err.statusCode, status);
    if (typeof message === "string") assert.equal(err.json?.message, message);
    else assert.match(err.json?.message ?? "", message);
    return true;
  };
}

test("ping, version, info", async () => {
  assert.equal(String(await docker.ping()), "OK");
  const v = await docker.version();
  assert.equal(v.ApiVersion, "1.47");
  assert.equal(v.MinAPIVersion, "1.24");
  assert.equal(v.Os, "linux");
  assert.equal(v.Arch, "amd64");
  assert.ok(v.Components?.some((c) => c.Name === "Engine"));
  const info = (await docker.info()) as Record<string, unknown>;
  for (const k of [
    "ID",
    "Containers",
    "ContainersRunning",
    "Images",
    "Driver",
    "MemTotal",
    "NCPU",
    "DockerRootDir",
  ])
    assert.ok(k in info, `info lacks ${k}`);
  assert.equal(info["DockerRootDir"], d.dataRoot);
  assert.equal(info["OSType"], "linux");
});

test("listImages, getImage().inspect/history/tag/remove", async () => {
  const list = await docker.listImages();
  assert.equal(list.length, 1);
  const s = list[0]!;
  assert.equal(s.Id, busyboxId);
  assert.deepEqual(s.RepoTags, ["busybox:latest"]);
  assert.deepEqual(s.RepoDigests, []);
  assert.equal(typeof s.Created, "number");
  assert.ok(s.Size > 0);
  assert.equal(s.Containers, -1);
  const img = docker.getImage("busybox");
  const info = await img.inspect();
  assert.equal(info.Id, busyboxId);
  assert.equal(info.Os, "linux");
  assert.equal(info.RootFS.Type, "layers");
  assert.equal(info.RootFS.Layers?.length, 1);
  const hist = await img.history();
  assert.equal(hist.length, 1);
  assert.equal(hist[0]!.Id, busyboxId);
  assert.deepEqual(hist[0]!.Tags, ["busybox:latest"]);
  await img.tag({ repo: "example.com/team/bb", tag: "v2" });
  const tagged = await docker.listImages({ filters: { reference: ["example.com/team/*"] } });
  assert.deepEqual(tagged[0]?.RepoTags, ["example.com/team/bb:v2"]);
  assert.deepEqual((await docker.getImage("example.com/team/bb:v2").inspect()).Id, busyboxId);
  const removed = await docker.getImage("example.com/team/bb:v2").remove();
  assert.deepEqual(removed, [{ Untagged: "example.com/team/bb:v2" }]);
  await assert.rejects(docker.getImage("nope:1").inspect(), apiError(404, "No such image: nope:1"));
});

test("getEvents with since/until and filters: JSON lines with Docker's fields", async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const c = await docker.createContainer({
    name: "evented",
    Image: "busybox",
    Cmd: ["true"],
    Labels: { probe: "yes" },
    HostConfig: { NetworkMode: "none" },
  });
  await c.start();
  await c.wait();
  await c.remove();
  const until = Math.floor(Date.now() / 1000) + 1;
  const stream = await docker.getEvents({
    since,
    until,
    filters: { type: ["container"], container: ["evented"] },
  });
  const text = await new Promise<string>((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on("data", (b: Buffer) => parts.push(b));
    stream.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    stream.on("error", reject);
  });
  const events = text
    .trim()
    .split("\n")
    .map(
      (l) =>
        JSON.parse(l) as Record<string, unknown> & {
          Actor: { ID: string; Attributes: Record<string, string> };
        },
    );
  assert.deepEqual(
    events.map((e) => e["Action"]),
    ["create", "start", "die", "destroy"],
  );
  for (const e of events) {
    assert.equal(e["Type"], "container");
    assert.equal(e["scope"], "local");
    assert.equal(e.Actor.ID, c.id);
    assert.equal(e["id"], c.id);
    assert.equal(e["from"], "busybox");
    assert.equal(e.Actor.Attributes["name"], "evented");
    assert.equal(e.Actor.Attributes["probe"], "yes");
    assert.equal(typeof e["time"], "number");
    assert.ok(Math.abs(Number(e["timeNano"]) / 1e9 - Number(e["time"])) < 1);
  }
  assert.equal(events[2]!.Actor.Attributes["exitCode"], "0");
  // The exact nanoseconds are on the wire (not rounded to a double's precision).
  const nanos = [...text.matchAll(/"timeNano":(\d+)/g)].map((m) => m[1]!);
  assert.equal(nanos.length, 4);
  for (const n of nanos) assert.equal(n.length, 19);
  // The berth CLI prints them exactly as received.
  const cli = await d.berth([
    "events",
    "--since",
    String(since),
    "--until",
    String(until),
    "--filter",
    "container=evented",
    "--format",
    "{{.TimeNano}}",
  ]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual(cli.stdout.trim().split("\n"), nanos);
  const dockerCli = await d.docker([
    "events",
    "--since",
    String(since),
    "--until",
    String(until),
    "--filter",
    "container=evented",
  ]);
  const berthPretty = await d.berth([
    "events",
    "--since",
    String(since),
    "--until",
    String(until),
    "--filter",
    "container=evented",
  ]);
  assert.equal(berthPretty.stdout, dockerCli.stdout);
  await assert.rejects(
    docker.getEvents({ since: until, until: since }),
    // A stream request: dockerode puts the message in the error text, not in err.json.
    (err: ApiErr & { message: string }) => {
      assert.equal(err.statusCode, 400);
      assert.ok(
        err.message.includes(`\`since\` time (${until}) cannot be after \`until\` time (${since})`),
        err.message,
      );
      return true;
    },
  );
});

test("networks: create, list, inspect, connect, disconnect, remove", async () => {
  const net = await docker.createNetwork({
    Name: "appnet",
    Driver: "bridge",
    Labels: { team: "a" },
    Options: {},
  });
  assert.match(net.id, /^[0-9a-f]{64}$/);
  const info = (await net.inspect()) as unknown as Record<string, unknown> & {
    IPAM: { Driver: string; Config: { Subnet?: string; Gateway?: string }[] };
    Containers: Record<string, { Name: string; IPv4Address: string }>;
  };
  assert.equal(info["Name"], "appnet");
  assert.equal(info["Driver"], "bridge");
  assert.equal(info["Scope"], "local");
  assert.deepEqual(info["Labels"], { team: "a" });
  assert.equal(info.IPAM.Driver, "default");
  assert.match(info.IPAM.Config[0]?.Subnet ?? "", /^\d+\.\d+\.\d+\.\d+\/\d+$/);
  const list = await docker.listNetworks({ filters: { label: ["team=a"] } });
  assert.deepEqual(
    list.map((n) => n.Name),
    ["appnet"],
  );
  const all = (await docker.listNetworks()).map((n) => n.Name).sort();
  assert.deepEqual(all, ["appnet", "bridge", "host", "none"]);
  await assert.rejects(
    docker.createNetwork({ Name: "appnet", CheckDuplicate: true }),
    apiError(409, "network with name appnet already exists"),
  );

  const c = await docker.createContainer({ name: "netted", Image: "busybox", Cmd: ["sleep", "1000"] });
  await c.start();
  await net.connect({ Container: "netted", EndpointConfig: { Aliases: ["web"] } });
  const withC = (await net.inspect()) as unknown as typeof info;
  const ep = withC.Containers[c.id];
  assert.equal(ep?.Name, "netted");
  assert.match(ep?.IPv4Address ?? "", /^\d+\.\d+\.\d+\.\d+\/\d+$/);
  const cinfo = await c.inspect();
  assert.ok("appnet" in cinfo.NetworkSettings.Networks);
  assert.ok(cinfo.NetworkSettings.Networks["appnet"]?.Aliases?.includes("web"));
  await assert.rejects(net.remove(), apiError(403, /has active endpoints/));
  await net.disconnect({ Container: "netted" });
  assert.deepEqual(((await net.inspect()) as unknown as typeof info).Containers, {});
  await c.remove({ force: true });
  await net.remove();
  await assert.rejects(docker.getNetwork("appnet").inspect(), apiError(404, "network appnet not found"));
});

test("volumes: create, list, inspect, remove", async () => {
  // dockerode resolves createVolume to a Volume handle; the body is what inspect gives.
  const handle = (await docker.createVolume({
    Name: "data1",
    Labels: { keep: "no" },
  })) as unknown as Dockerode.Volume;
  const v = (await handle.inspect()) as unknown as Record<string, unknown>;
  assert.equal(v["Name"], "data1");
  assert.equal(v["Driver"], "local");
  assert.equal(v["Scope"], "local");
  assert.match(String(v["Mountpoint"]), /\/volumes\/data1\/_data$/);
  assert.match(String(v["CreatedAt"]), /^\d{4}-\d\d-\d\dT/);
  const anon = (await docker.createVolume({})) as unknown as Dockerode.Volume;
  assert.match(anon.name, /^[0-9a-f]{64}$/);
  const list = await docker.listVolumes({ filters: { label: ["keep"] } });
  assert.deepEqual(
    list.Volumes.map((x) => x.Name),
    ["data1"],
  );
  assert.equal(list.Warnings, null);
  const info = await docker.getVolume("data1").inspect();
  assert.deepEqual(info.Labels, { keep: "no" });
  assert.deepEqual(info.Options, null);
  await docker.getVolume("data1").remove();
  await anon.remove();
  await assert.rejects(docker.getVolume("data1").inspect(), apiError(404, "get data1: no such volume"));
});

test("prunes and df", async () => {
  // Something for each prune to find.
  const stopped = await docker.createContainer({
    Image: "busybox",
    Cmd: ["true"],
    HostConfig: { NetworkMode: "none" },
  });
  await stopped.start();
  await stopped.wait();
  await docker.createVolume({ Name: "loose" });
  await docker.createNetwork({ Name: "loosenet" });
  const keep = await docker.createContainer({
    name: "keeper",
    Image: "busybox",
    Cmd: ["sleep", "1000"],
    HostConfig: { NetworkMode: "none", Binds: ["kept:/kept"] },
  });
  await keep.start();
  const dangling = await docker.getImage("busybox").tag({ repo: "dangle", tag: "x" });
  assert.ok(dangling !== undefined);

  const df = await docker.df();
  assert.ok(df.LayersSize > 0);
  assert.equal(df.Images.length, 1);
  assert.equal(df.Images[0].Containers, 2);
  assert.equal(df.Containers.length, 2);
  for (const c of df.Containers) assert.equal(typeof c.SizeRw, "number");
  const vols = new Map(
    (df.Volumes as { Name: string; UsageData: { Size: number; RefCount: number } }[]).map((v) => [
      v.Name,
      v.UsageData,
    ]),
  );
  assert.deepEqual(vols.get("loose"), { Size: 0, RefCount: 0 });
  assert.equal(vols.get("kept")?.RefCount, 1);
  assert.deepEqual(df.BuildCache, []);
  const sdf = await d.berth(["system", "df"]);
  const ddf = await d.docker(["system", "df"]);
  assert.equal(sdf.stdout, ddf.stdout);
  assert.match(ddf.stdout, /^Local Volumes\s+2\s+1\s/m);
  assert.match(ddf.stdout, /^Containers\s+2\s+1\s/m);

  const pc = await docker.pruneContainers();
  assert.deepEqual(pc.ContainersDeleted, [stopped.id]);
  assert.equal(typeof pc.SpaceReclaimed, "number");
  const pv = await docker.pruneVolumes();
  // Docker 23+ prunes only anonymous volumes unless all=true.
  assert.deepEqual(pv, { VolumesDeleted: [], SpaceReclaimed: 0 });
  const pvAll = await docker.pruneVolumes({ filters: { all: ["true"] } });
  assert.deepEqual(pvAll.VolumesDeleted, ["loose"]);
  const pn = await docker.pruneNetworks();
  assert.deepEqual(pn, { NetworksDeleted: ["loosenet"] });
  const pi = await docker.pruneImages();
  assert.deepEqual(pi, { ImagesDeleted: null, SpaceReclaimed: 0 });
  await keep.remove({ force: true, v: true });
  await docker.getVolume("kept").remove();
  await docker.getImage("dangle:x").remove();
});

/** GET http://127.0.0.1:port/path with Node's http client. */
function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: "127.0.0.1", port, path, timeout: 2000 }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (b: Buffer) => parts.push(b));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString("utf8") }),
      );
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

test("Testcontainers-like flow: random host port, wait for the log line and the port, GET, stop, remove", async () => {
  const c = await docker.createContainer({
    Image: "busybox",
    Cmd: [
      "sh",
      "-c",
      "mkdir -p /www && echo hello-from-httpd > /www/index.html && echo ready && exec httpd -f -v -p 80 -h /www",
    ],
    ExposedPorts: { "80/tcp": {} },
    Labels: { "org.testcontainers": "true" },
    HostConfig: { PortBindings: { "80/tcp": [{ HostPort: "" }] } },
  });
  await c.start();
  const info = await c.inspect();
  const binding = info.NetworkSettings.Ports["80/tcp"];
  assert.ok(binding && binding.length > 0, JSON.stringify(info.NetworkSettings.Ports));
  const port = Number(binding[0]!.HostPort);
  assert.ok(port > 1024, `ephemeral port ${port}`);
  assert.equal(binding[0]!.HostIp, "0.0.0.0");
  const summary = (await docker.listContainers({ filters: { id: [c.id] } }))[0];
  assert.ok(summary?.Ports.some((p) => p.PrivatePort === 80 && p.PublicPort === port && p.Type === "tcp"));

  // Wait for the log line, as Wait.forLogMessage does: follow the logs until it shows.
  const logs = await c.logs({ follow: true, stdout: true, stderr: true });
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no "ready" in ${seen}`)), 10_000);
    logs.on("data", (b: Buffer) => {
      seen += b.toString("latin1");
      if (seen.includes("ready\n")) {
        clearTimeout(timer);
        (logs as unknown as { destroy(): void }).destroy();
        resolve();
      }
    });
  });
  // Then for the port, as Wait.forListeningPort does.
  let res: { status: number; body: string } | undefined;
  for (let i = 0; i < 50 && res === undefined; i++) {
    res = await httpGet(port, "/").catch(() => undefined);
    if (res === undefined) await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(res, { status: 200, body: "hello-from-httpd\n" });
  await c.stop({ t: 2 });
  const stopped = await c.inspect();
  assert.equal(stopped.State.Running, false);
  await c.remove({ v: true });
  await assert.rejects(httpGet(port, "/"));
});
