/**
 * Containers driven the way programs drive them with dockerode against a
 * private berthd: create with typical options, attach (hijacked, demuxed and
 * tty), wait, logs (follow, timestamps), exec with stdin and its exit code,
 * stats, archives, commit, list filters, update then inspect, and removal
 * refusals. Shapes follow Docker's swagger (moby api/swagger.yaml).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { after, before, test } from "node:test";
import type Dockerode from "dockerode";
import tar from "tar-stream";
import { leaks, startDaemon, type TestDaemon } from "./harness/daemon.js";

let d: TestDaemon;
let docker: Dockerode;
let bindDir: string;
before(async () => {
  d = await startDaemon({ busybox: true });
  docker = d.dockerode;
  bindDir = mkdtempSync(join(tmpdir(), "berth-dockerode-bind-"));
  writeFileSync(join(bindDir, "hello.txt"), "from the host\n");
});
after(async () => {
  for (const c of await docker.listContainers({ all: true }))
    await docker.getContainer(c.Id).remove({ force: true, v: true });
  await d.stop();
  rmSync(bindDir, { recursive: true, force: true });
  assert.deepEqual(leaks(d), []);
});

/** Everything a stream gives until it ends, demuxed into stdout and stderr text. */
function demuxed(stream: NodeJS.ReadableStream): Promise<{ stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on("data", (b: Buffer) => o.push(b));
  err.on("data", (b: Buffer) => e.push(b));
  docker.modem.demuxStream(stream, out, err);
  return new Promise((resolve, reject) => {
    stream.on("error", reject);
    stream.on("end", () =>
      resolve({ stdout: Buffer.concat(o).toString("utf8"), stderr: Buffer.concat(e).toString("utf8") }),
    );
  });
}

function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  return new Promise((resolve, reject) => {
    stream.on("data", (b: Buffer) => parts.push(b));
    stream.on("error", reject);
    stream.on("end", () => resolve(Buffer.concat(parts)));
  });
}

function rawRequest(
  method: string,
  path: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: d.socket, method, path }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (b: Buffer) => parts.push(b));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(parts).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

function tarOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, content);
  pack.finalize();
  return collect(pack as unknown as NodeJS.ReadableStream);
}

async function untar(buf: Buffer): Promise<Map<string, { type: string; body: string }>> {
  const out = new Map<string, { type: string; body: string }>();
  const ex = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (h, stream, next) => {
      const parts: Buffer[] = [];
      stream.on("data", (b: unknown) => parts.push(b as Buffer));
      stream.on("end", () => {
        out.set(h.name, { type: h.type ?? "file", body: Buffer.concat(parts).toString("utf8") });
        next();
      });
      stream.resume();
    });
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  ex.end(buf);
  await done;
  return out;
}

test("createContainer with Env, Cmd, Labels, Binds, Memory, RestartPolicy: inspect shows them", async () => {
  const c = await docker.createContainer({
    name: "opts",
    Image: "busybox",
    Cmd: ["sh", "-c", "echo $GREETING; cat /host/hello.txt"],
    Env: ["GREETING=hello"],
    Labels: { "com.example.app": "demo" },
    HostConfig: {
      Binds: [`${bindDir}:/host:ro`],
      Memory: 64 * 1024 * 1024,
      RestartPolicy: { Name: "on-failure", MaximumRetryCount: 2 },
      NetworkMode: "none",
    },
  });
  assert.match(c.id, /^[0-9a-f]{64}$/);
  const info = await c.inspect();
  assert.equal(info.Name, "/opts");
  assert.deepEqual(info.Config.Cmd, ["sh", "-c", "echo $GREETING; cat /host/hello.txt"]);
  assert.ok(info.Config.Env.includes("GREETING=hello"));
  assert.equal(info.Config.Labels["com.example.app"], "demo");
  assert.deepEqual(info.HostConfig.Binds, [`${bindDir}:/host:ro`]);
  assert.equal(info.HostConfig.Memory, 64 * 1024 * 1024);
  assert.deepEqual(info.HostConfig.RestartPolicy, { Name: "on-failure", MaximumRetryCount: 2 });
  assert.equal(info.State.Status, "created");
  assert.deepEqual(
    info.Mounts.map((m) => [m.Type, m.Source, m.Destination, m.RW]),
    [["bind", bindDir, "/host", false]],
  );
  await c.start();
  assert.deepEqual(await c.wait(), { StatusCode: 0, Error: null });
  const logs = await c.logs({ stdout: true, stderr: true });
  // follow: false gives the whole multiplexed body at once.
  const text = await demuxed(bufferStream(logs));
  assert.equal(text.stdout, "hello\nfrom the host\n");
  await c.remove();
});

function bufferStream(b: Buffer): Readable {
  const p = new PassThrough();
  p.end(b);
  return p;
}

test("attach with hijack and stdin, demuxed; wait gives the exit code", async () => {
  const c = await docker.createContainer({
    Image: "busybox",
    Cmd: ["sh", "-c", "read line; echo got:$line; echo oops >&2; exit 3"],
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: { NetworkMode: "none" },
  });
  const stream = await c.attach({
    stream: true,
    stdin: true,
    stdout: true,
    stderr: true,
    hijack: true,
  });
  const out = demuxed(stream);
  // As dockerd, a created container is already "not-running": wait for its next exit instead.
  assert.deepEqual(await c.wait(), { StatusCode: 0, Error: null });
  const waited = c.wait({ condition: "next-exit" });
  await c.start();
  stream.write("hello\n");
  stream.end();
  const { stdout, stderr } = await out;
  assert.equal(stdout, "got:hello\n");
  assert.equal(stderr, "oops\n");
  assert.deepEqual(await waited, { StatusCode: 3, Error: null });
  const info = await c.inspect();
  assert.equal(info.State.ExitCode, 3);
  await c.remove();
});

test("Tty: true: attach and logs are raw, not multiplexed", async () => {
  const c = await docker.createContainer({
    Image: "busybox",
    Cmd: ["sh", "-c", "echo tty-out; echo tty-err >&2"],
    Tty: true,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: { NetworkMode: "none" },
  });
  const stream = await c.attach({ stream: true, stdout: true, stderr: true, hijack: true });
  const raw = collect(stream);
  await c.start();
  await c.wait();
  const text = (await raw).toString("utf8");
  assert.equal(text, "tty-out\r\ntty-err\r\n");
  const logs = await c.logs({ stdout: true, stderr: true });
  assert.equal(logs.toString("utf8"), "tty-out\r\ntty-err\r\n");
  await c.remove();
});

test("logs follow with timestamps ends when the container exits", async () => {
  const c = await docker.createContainer({
    Image: "busybox",
    Cmd: ["sh", "-c", "echo one; sleep 1; echo two >&2; sleep 1; echo three"],
    HostConfig: { NetworkMode: "none" },
  });
  await c.start();
  const stream = await c.logs({ follow: true, stdout: true, stderr: true, timestamps: true });
  const { stdout, stderr } = await demuxed(stream);
  const ts = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,9}Z /;
  const outLines = stdout.trimEnd().split("\n");
  assert.equal(outLines.length, 2, stdout);
  for (const l of outLines) assert.match(l, ts);
  assert.deepEqual(
    outLines.map((l) => l.replace(ts, "")),
    ["one", "three"],
  );
  assert.match(stderr, new RegExp(`${ts.source}two\n$`));
  // stdout only, since a far-future time: nothing.
  const none = await c.logs({ stdout: true, since: Math.floor(Date.now() / 1000) + 3600 });
  assert.equal(none.length, 0);
  const tail = await demuxed(bufferStream(await c.logs({ stdout: true, stderr: true, tail: 1 })));
  assert.equal(tail.stdout, "three\n");
  await c.remove();
});

test("exec with hijacked stdin; exec.inspect gives the exit code", async () => {
  const c = await docker.createContainer({
    name: "execer",
    Image: "busybox",
    Cmd: ["sleep", "1000"],
    HostConfig: { NetworkMode: "none" },
  });
  await c.start();
  const exec = await c.exec({
    Cmd: ["sh", "-c", "cat; echo err >&2; exit 7"],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = (await exec.start({ hijack: true, stdin: true })) as NodeJS.ReadWriteStream;
  const out = demuxed(stream);
  stream.write("piped in\n");
  stream.end();
  const { stdout, stderr } = await out;
  assert.equal(stdout, "piped in\n");
  assert.equal(stderr, "err\n");
  let ins = await exec.inspect();
  for (let i = 0; ins.Running && i < 50; i++) {
    await new Promise((r) => setTimeout(r, 50));
    ins = await exec.inspect();
  }
  assert.equal(ins.Running, false);
  assert.equal(ins.ExitCode, 7);
  assert.equal(ins.ContainerID, c.id);
  assert.deepEqual(
    [ins.ProcessConfig.entrypoint, ins.ProcessConfig.arguments],
    ["sh", ["-c", "cat; echo err >&2; exit 7"]],
  );

  // Detached exec without stdin, then a non-hijacked start that streams the output.
  const e2 = await c.exec({ Cmd: ["echo", "plain"], AttachStdout: true, AttachStderr: true });
  const s2 = await e2.start({});
  assert.deepEqual(await demuxed(s2), { stdout: "plain\n", stderr: "" });
  assert.equal((await e2.inspect()).ExitCode, 0);
});

test("stats({stream: false}) has Docker's fields with real numbers", async () => {
  const c = docker.getContainer("execer");
  const s = (await c.stats({ stream: false })) as unknown as Record<string, unknown> & {
    memory_stats: { usage?: number; limit?: number };
    cpu_stats: { cpu_usage: { total_usage: number }; online_cpus?: number };
    precpu_stats: unknown;
    pids_stats: { current?: number };
    name: string;
    id: string;
    read: string;
  };
  assert.equal(s.id, (await c.inspect()).Id);
  assert.equal(s.name, "/execer");
  assert.match(s.read, /^\d{4}-/);
  assert.ok((s.memory_stats.usage ?? 0) > 0, JSON.stringify(s.memory_stats));
  assert.ok((s.memory_stats.limit ?? 0) > 0);
  assert.ok(s.cpu_stats.cpu_usage.total_usage > 0);
  assert.ok((s.pids_stats.current ?? 0) >= 1);
  assert.ok("precpu_stats" in s && "blkio_stats" in s && "num_procs" in s);
});

test("putArchive / getArchive round-trip files; a missing path is a 404", async () => {
  const c = docker.getContainer("execer");
  await c.putArchive(await tarOf({ "a.txt": "alpha\n", "sub/b.txt": "beta\n" }), { path: "/tmp" });
  const exec = await c.exec({ Cmd: ["cat", "/tmp/a.txt", "/tmp/sub/b.txt"], AttachStdout: true });
  assert.deepEqual(await demuxed(await exec.start({})), { stdout: "alpha\nbeta\n", stderr: "" });
  const archive = await c.getArchive({ path: "/tmp/sub" });
  const files = await untar(await collect(archive));
  assert.equal(files.get("sub/b.txt")?.body, "beta\n");
  assert.equal(files.get("sub/")?.type ?? files.get("sub")?.type, "directory");
  // HEAD: the stat header, base64 JSON as docker cp reads it.
  const head = await rawRequest(
    "HEAD",
    `/containers/execer/archive?path=${encodeURIComponent("/tmp/a.txt")}`,
  );
  assert.equal(head.status, 200);
  const stat = JSON.parse(
    Buffer.from(String(head.headers["x-docker-container-path-stat"]), "base64").toString("utf8"),
  ) as { name: string; size: number; mode: number };
  assert.deepEqual([stat.name, stat.size, stat.mode], ["a.txt", 6, 0o644]);
  await assert.rejects(c.getArchive({ path: "/nope" }), (err: { statusCode?: number; message: string }) => {
    assert.equal(err.statusCode, 404);
    return true;
  });
});

test("commit makes an image with the container's changes and the given config", async () => {
  const c = docker.getContainer("execer");
  const res = (await c.commit({
    repo: "committed",
    tag: "v1",
    comment: "from dockerode",
    author: "tester",
    changes: ["ENV COMMITTED=yes", 'CMD ["cat", "/tmp/a.txt"]'],
  })) as { Id: string };
  assert.match(res.Id, /^sha256:[0-9a-f]{64}$/);
  const img = await docker.getImage("committed:v1").inspect();
  assert.equal(img.Id, res.Id);
  assert.equal(img.Comment, "from dockerode");
  assert.equal(img.Author, "tester");
  assert.ok(img.Config.Env.includes("COMMITTED=yes"));
  assert.deepEqual(img.Config.Cmd, ["cat", "/tmp/a.txt"]);
  const run = await docker.createContainer({ Image: "committed:v1", HostConfig: { NetworkMode: "none" } });
  await run.start();
  await run.wait();
  assert.equal((await demuxed(bufferStream(await run.logs({ stdout: true })))).stdout, "alpha\n");
  await run.remove();
});

test("listContainers: all, filters (label, status, name, ancestor), shapes", async () => {
  const a = await docker.createContainer({
    name: "list-a",
    Image: "busybox",
    Labels: { tier: "front" },
    Cmd: ["true"],
    HostConfig: { NetworkMode: "none" },
  });
  const running = await docker.listContainers();
  assert.deepEqual(
    running.map((c) => c.Names),
    [["/execer"]],
  );
  const all = await docker.listContainers({ all: true });
  assert.ok(all.some((c) => c.Id === a.id));
  const byLabel = await docker.listContainers({ all: true, filters: { label: ["tier=front"] } });
  assert.deepEqual(
    byLabel.map((c) => c.Id),
    [a.id],
  );
  const byStatus = await docker.listContainers({ filters: JSON.stringify({ status: ["created"] }) });
  assert.deepEqual(
    byStatus.map((c) => c.Names[0]),
    ["/list-a"],
  );
  const byName = await docker.listContainers({ all: true, filters: { name: ["execer"] } });
  assert.equal(byName.length, 1);
  const byAncestor = await docker.listContainers({ all: true, filters: { ancestor: ["busybox"] } });
  assert.ok(byAncestor.length >= 2);
  const s = byName[0]!;
  assert.equal(s.State, "running");
  assert.match(s.Status, /^Up /);
  assert.equal(s.Image, "busybox");
  assert.match(s.ImageID, /^sha256:/);
  assert.equal(s.Command, "sleep 1000");
  assert.equal(typeof s.Created, "number");
  assert.deepEqual(s.Ports, []);
  assert.deepEqual(s.HostConfig, { NetworkMode: "none" });
  assert.ok("none" in s.NetworkSettings.Networks);
  // Health arrives with API 1.52; berthd answers 1.47 at most.
  assert.equal("Health" in s, false);
  await assert.rejects(docker.listContainers({ filters: { bogus: ["x"] } }), /invalid filter 'bogus'/);
  await a.remove();
});

test("update changes limits and restart policy; inspect shows the new values", async () => {
  const c = await docker.createContainer({
    Image: "busybox",
    Cmd: ["sleep", "1000"],
    HostConfig: { NetworkMode: "none", CpuQuota: 50_000, CpuPeriod: 100_000, Memory: 64 * 1024 * 1024 },
  });
  await c.start();
  const res = await c.update({
    CpuQuota: 20_000,
    CpuPeriod: 50_000,
    CpusetCpus: "0",
    Memory: 32 * 1024 * 1024,
    MemorySwap: 64 * 1024 * 1024,
    RestartPolicy: { Name: "unless-stopped" },
  });
  assert.deepEqual(res, { Warnings: null });
  const h = (await c.inspect()).HostConfig;
  assert.deepEqual(
    [h.CpuQuota, h.CpuPeriod, h.CpusetCpus, h.Memory, h.MemorySwap, h.RestartPolicy?.Name],
    [20_000, 50_000, "0", 32 * 1024 * 1024, 64 * 1024 * 1024, "unless-stopped"],
  );
  await c.remove({ force: true });
});

test("remove without force: Docker's refusals for running and paused containers", async () => {
  const c = await docker.createContainer({
    name: "busy",
    Image: "busybox",
    Cmd: ["sleep", "1000"],
    HostConfig: { NetworkMode: "none" },
  });
  await c.start();
  await assert.rejects(c.remove(), (err: { statusCode?: number; json?: { message?: string } }) => {
    assert.equal(err.statusCode, 409);
    assert.equal(
      err.json?.message,
      'cannot remove container "/busy": container is running: stop the container before removing or force remove',
    );
    return true;
  });
  await c.pause();
  await assert.rejects(c.remove(), (err: { statusCode?: number; json?: { message?: string } }) => {
    assert.equal(err.statusCode, 409);
    assert.equal(
      err.json?.message,
      'cannot remove container "/busy": container is paused and must be unpaused first',
    );
    return true;
  });
  await c.unpause();
  await c.stop({ t: 1 });
  await c.remove();
  await assert.rejects(c.inspect(), (err: { statusCode?: number; json?: { message?: string } }) => {
    assert.equal(err.statusCode, 404);
    assert.equal(err.json?.message, `No such container: ${c.id}`);
    return true;
  });
});

test("remove without force of a restarting container says it is restarting", async () => {
  const c = await docker.createContainer({
    name: "flappy",
    Image: "busybox",
    Cmd: ["sh", "-c", "exit 1"],
    HostConfig: { NetworkMode: "none", RestartPolicy: { Name: "always" } },
  });
  await c.start();
  let status = "";
  for (let i = 0; i < 100 && status !== "restarting"; i++) {
    status = (await c.inspect()).State.Status;
    if (status !== "restarting") await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(status, "restarting");
  await assert.rejects(c.remove(), (err: { statusCode?: number; json?: { message?: string } }) => {
    assert.equal(err.statusCode, 409);
    assert.equal(
      err.json?.message,
      'cannot remove container "/flappy": container is restarting: stop the container before removing or force remove',
    );
    return true;
  });
  await c.remove({ force: true });
});

test("putArchive / getArchive reach a named volume mounted in the container (docker cp)", async () => {
  await docker.createVolume({ Name: "cpvol" });
  const c = await docker.createContainer({
    Image: "busybox",
    Cmd: ["sleep", "1000"],
    HostConfig: { NetworkMode: "none", Binds: ["cpvol:/data"] },
  });
  await c.start();
  await c.putArchive(await tarOf({ "in-volume.txt": "kept\n" }), { path: "/data" });
  const exec = await c.exec({ Cmd: ["cat", "/data/in-volume.txt"], AttachStdout: true, AttachStderr: true });
  assert.deepEqual(await demuxed(await exec.start({})), { stdout: "kept\n", stderr: "" });
  const w = await c.exec({ Cmd: ["sh", "-c", "echo made-inside > /data/inside.txt"] });
  await demuxed(await w.start({}));
  const files = await untar(await collect(await c.getArchive({ path: "/data/inside.txt" })));
  assert.equal(files.get("inside.txt")?.body, "made-inside\n");
  await c.remove({ force: true });
  // The file outlives the container: it went to the volume, not the container's layer.
  const c2 = await docker.createContainer({
    Image: "busybox",
    Cmd: ["cat", "/data/in-volume.txt"],
    HostConfig: { NetworkMode: "none", Binds: ["cpvol:/data"] },
  });
  await c2.start();
  await c2.wait();
  assert.equal((await demuxed(bufferStream(await c2.logs({ stdout: true })))).stdout, "kept\n");
  await c2.remove();
  await docker.getVolume("cpvol").remove();
});

test("docker.run helper: attach without hijack, start, wait; tty by default, demuxed into two streams", async () => {
  const runOnce = async (tty: boolean) => {
    const out = new PassThrough();
    const err = new PassThrough();
    const o: Buffer[] = [];
    const e: Buffer[] = [];
    out.on("data", (b: Buffer) => o.push(b));
    err.on("data", (b: Buffer) => e.push(b));
    // Given one stream, run pipes the raw body; given two, it demuxes (dockerode's own rule).
    const [result, c] = (await docker.run(
      "busybox",
      ["sh", "-c", "echo run-out; echo run-err >&2; exit 4"],
      tty ? out : [out, err],
      { Tty: tty, HostConfig: { NetworkMode: "none" } },
    )) as [{ StatusCode: number }, Dockerode.Container];
    await c.remove();
    return {
      code: result.StatusCode,
      out: Buffer.concat(o).toString("utf8"),
      err: Buffer.concat(e).toString("utf8"),
    };
  };
  // dockerode's run creates with Tty: true unless told otherwise: the terminal's line endings.
  assert.deepEqual(await runOnce(true), { code: 4, out: "run-out\r\nrun-err\r\n", err: "" });
  assert.deepEqual(await runOnce(false), { code: 4, out: "run-out\n", err: "run-err\n" });
});
