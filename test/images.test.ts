/** Images through the real docker CLI, the berth CLI and dockerode against a private berthd. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { ImageInspectWire } from "../src/api/types/images.js";
import { busyboxTar, leaks, startDaemon, stopClean, type TestDaemon } from "./harness/daemon.js";

let d: TestDaemon;
let busybox: Buffer;
const scratch = mkdtempSync(join(tmpdir(), "berth-images-"));

before(async () => {
  d = await startDaemon();
  busybox = busyboxTar();
});
after(async () => {
  await stopClean(d);
  rmSync(scratch, { recursive: true, force: true });
});

function layerDirs(dataRoot: string): string[] {
  const dir = join(dataRoot, "overlay2", "layers");
  return existsSync(dir) ? readdirSync(dir) : [];
}

test("quick start: berth import - busybox:latest, then berth images and docker images", async () => {
  const imp = await d.berth(["import", "-", "busybox:latest"], { input: busybox });
  assert.equal(imp.code, 0, imp.stderr);
  assert.match(imp.stdout, /^sha256:[a-f0-9]{64}\n$/);
  const id = imp.stdout.trim();
  const b = await d.berth(["images"]);
  assert.equal(b.code, 0, b.stderr);
  const lines = b.stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^REPOSITORY {3}TAG {7}IMAGE ID {7}CREATED {2,}SIZE$/);
  assert.match(
    lines[1]!,
    new RegExp(`^busybox {6}latest {4}${id.slice(7, 19)} {3}\\S.* ago {3}\\d+(\\.\\d+)?MB$`),
  );
  const dk = await d.docker(["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"]);
  assert.equal(dk.code, 0, dk.stderr);
  assert.equal(dk.stdout, `busybox:latest ${id.slice(7, 19)}\n`);
});

test("docker import with --change and -m, inspect and history show them", async () => {
  const r = await d.docker(
    [
      "import",
      "-c",
      'CMD ["/bin/sh"]',
      "-c",
      "ENV A=1",
      "-c",
      "EXPOSE 80",
      "-c",
      "LABEL team=core",
      "-m",
      "hello",
      "-",
      "withcfg:1",
    ],
    { input: busybox },
  );
  assert.equal(r.code, 0, r.stderr);
  const inspect = await d.docker(["image", "inspect", "withcfg:1"]);
  assert.equal(inspect.code, 0, inspect.stderr);
  const [img] = JSON.parse(inspect.stdout) as ImageInspectWire[];
  assert.ok(img);
  assert.deepEqual(img.RepoTags, ["withcfg:1"]);
  assert.deepEqual(img.RepoDigests, []);
  assert.equal(img.Comment, "hello");
  assert.deepEqual(img.Config?.Cmd, ["/bin/sh"]);
  assert.deepEqual(img.Config?.Env, ["A=1"]);
  assert.deepEqual(img.Config?.ExposedPorts, { "80/tcp": {} });
  assert.deepEqual(img.Config?.Labels, { team: "core" });
  assert.equal(img.Os, "linux");
  assert.equal(img.GraphDriver.Name, "overlay2");
  assert.equal(img.RootFS.Type, "layers");
  assert.equal(img.RootFS.Layers?.length, 1);
  assert.ok(img.Size > 1_000_000);
  assert.notEqual(img.Metadata.LastTagTime, "0001-01-01T00:00:00Z");
  const h = await d.docker(["history", "withcfg:1"]);
  assert.equal(h.code, 0, h.stderr);
  const hl = h.stdout.trimEnd().split("\n");
  assert.match(hl[0]!, /^IMAGE {10}CREATED +CREATED BY {3}SIZE {6}COMMENT$/);
  assert.match(hl[1]!, /hello$/);
  const bad = await d.docker(["import", "-c", "RUN echo", "-", "x:1"], { input: busybox });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /run is not a valid change command/);
});

test("docker import from a URL on 127.0.0.1", async () => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Length": busybox.length });
    res.end(busybox);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  try {
    const r = await d.docker(["import", `http://127.0.0.1:${port}/rootfs.tar`, "fromurl:1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /sha256:[a-f0-9]{64}/);
    const h = await d.docker(["history", "--format", "{{.Comment}}", "fromurl:1"]);
    assert.equal(h.stdout, `Imported from http://127.0.0.1:${port}/rootfs.tar\n`);
  } finally {
    server.close();
  }
});

test("docker tag, images filters and formats, rmi untag versus delete", async () => {
  assert.equal((await d.docker(["tag", "busybox", "me/app:v1"])).code, 0);
  assert.equal((await d.docker(["tag", "busybox:latest", "localhost:5000/app"])).code, 0);
  const bad = await d.docker(["tag", "busybox", "Bad"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid reference format: repository name \(library\/Bad\) must be lowercase/);
  const ref = await d.docker([
    "images",
    "--filter",
    "reference=me/*",
    "--format",
    "{{.Repository}}:{{.Tag}}",
  ]);
  assert.equal(ref.stdout, "me/app:v1\n");
  const label = await d.docker(["images", "-f", "label=team=core", "--format", "{{.Repository}}"]);
  assert.equal(label.stdout, "withcfg\n");
  const pos = await d.docker(["images", "localhost:5000/app", "--format", "{{.Repository}} {{.Tag}}"]);
  assert.equal(pos.stdout, "localhost:5000/app latest\n");
  const q = await d.docker(["images", "-q", "busybox"]);
  assert.match(q.stdout, /^[a-f0-9]{12}\n$/);
  const json = await d.docker(["images", "--format", "json", "withcfg"]);
  assert.equal(JSON.parse(json.stdout).Repository, "withcfg");
  const badFilter = await d.docker(["images", "-f", "nope=1"]);
  assert.equal(badFilter.code, 1);
  assert.match(badFilter.stderr, /invalid filter 'nope'/);

  const id = (await d.docker(["image", "inspect", "-f", "{{.Id}}", "busybox"])).stdout.trim();
  const conflict = await d.docker(["rmi", id.slice(7, 19)]);
  assert.equal(conflict.code, 1);
  assert.match(
    conflict.stderr,
    new RegExp(
      `conflict: unable to delete ${id.slice(7, 19)} \\(must be forced\\) - image is referenced in multiple repositories`,
    ),
  );
  const untag = await d.docker(["rmi", "me/app:v1"]);
  assert.equal(untag.code, 0, untag.stderr);
  assert.equal(untag.stdout, "Untagged: me/app:v1\n");
  const missing = await d.docker(["rmi", "nope"]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, "Error response from daemon: No such image: nope:latest\n");
  const missingInspect = await d.docker(["image", "inspect", "nope:1"]);
  assert.equal(missingInspect.code, 1);
  assert.match(missingInspect.stderr, /No such image: nope:1/);

  const other = await d.docker(["import", "-", "gone:1"], {
    input: Buffer.concat([busybox.subarray(0, 512), Buffer.alloc(1024)]),
  });
  assert.equal(other.code, 0, other.stderr);
  const del = await d.docker(["rmi", "gone:1"]);
  assert.equal(del.code, 0, del.stderr);
  assert.match(
    del.stdout,
    /^Untagged: gone:1\nDeleted: sha256:[a-f0-9]{64}\nDeleted: sha256:[a-f0-9]{64}\n$/,
  );
});

test("docker save and load round trip into a second berthd keeps the image ID", async () => {
  const id = (await d.docker(["image", "inspect", "-f", "{{.Id}}", "busybox"])).stdout.trim();
  const tar = join(scratch, "saved.tar");
  const s = await d.docker(["save", "-o", tar, "busybox", "withcfg:1"]);
  assert.equal(s.code, 0, s.stderr);
  const d2 = await startDaemon();
  try {
    const l = await d2.docker(["load", "-i", tar]);
    assert.equal(l.code, 0, l.stderr);
    assert.equal(
      l.stdout
        .split("\n")
        .filter((x) => x.startsWith("Loaded image: "))
        .sort()
        .join("\n"),
      "Loaded image: busybox:latest\nLoaded image: withcfg:1",
    );
    const id2 = (await d2.docker(["image", "inspect", "-f", "{{.Id}}", "busybox"])).stdout.trim();
    assert.equal(id2, id);
    // The loaded image saves byte-identical layers again.
    const again = await d2.docker(["save", "busybox"]);
    assert.equal(again.code, 0);
    // dockerode sees the same list.
    const list = await d2.dockerode.listImages();
    assert.equal(list.length, 2);
    // Loading from stdin, quiet.
    assert.equal((await d2.docker(["rmi", "busybox"])).code, 0);
    const l2 = await d2.docker(["load", "-q"], { input: readFileSync(tar) });
    assert.equal(l2.code, 0, l2.stderr);
    assert.match(l2.stdout, /Loaded image: busybox:latest/);
  } finally {
    await d2.stop();
    assert.deepEqual(leaks(d2), []);
  }
});

test("hostile archives are refused with clear errors and leave nothing", async () => {
  const d2 = await startDaemon();
  try {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from("not a tar at all, just text padding".repeat(40)), /invalid|archive|tar/i],
      [makeTar([["../evil", "x"]]), /escapes the archive/],
      [
        makeTar([["manifest.json", JSON.stringify([{ Config: "c.json", Layers: ["l.tar"] }])]]),
        /not found in archive/,
      ],
      [makeTar([["manifest.json", " ".repeat(9 * 1024 * 1024)]]), /too large/],
    ];
    for (const [bytes, err] of cases) {
      const r = await d2.docker(["load"], { input: bytes });
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, err);
    }
    // (A layer not matching its diffID is covered by the engine's unit tests.)
    assert.equal((await d2.docker(["images", "-q"])).stdout, "");
    assert.deepEqual(layerDirs(d2.dataRoot), []);
  } finally {
    await d2.stop();
  }
});

test("kill -9 during load leaves a coherent store after restart", async () => {
  const tar = join(scratch, "saved.tar");
  const bytes = readFileSync(tar);
  const dataRoot = join(scratch, "crash-root");
  for (const delay of [0, 150]) {
    let d2 = await startDaemon({ dataRoot });
    const http = await import("node:http");
    const req = http.request({ socketPath: d2.socket, path: "/v1.44/images/load?quiet=1", method: "POST" });
    req.on("error", () => undefined);
    req.on("response", (res) => res.resume());
    if (delay === 0) req.write(bytes.subarray(0, bytes.length >> 1));
    else req.end(bytes);
    await new Promise((r) => setTimeout(r, delay === 0 ? 300 : delay));
    d2.process.kill("SIGKILL");
    await new Promise((r) => d2.process.once("exit", r));
    await d2.stop();
    d2 = await startDaemon({ restartOf: d2 });
    try {
      const list = await d2.dockerode.listImages();
      for (const img of list) {
        const ins = await d2.dockerode.getImage(img.Id).inspect();
        assert.equal(ins.Id, img.Id);
      }
      const dirs = layerDirs(dataRoot);
      if (list.length === 0) assert.deepEqual(dirs, [], "no orphan layers");
      else assert.ok(dirs.length >= 1);
      assert.deepEqual(
        existsSync(join(dataRoot, "tmp", "images")) ? readdirSync(join(dataRoot, "tmp", "images")) : [],
        [],
      );
    } finally {
      await d2.stop();
      rmSync(dirname(d2.execRoot), { recursive: true, force: true });
    }
  }
  rmSync(dataRoot, { recursive: true, force: true });
});

test("image prune and system df", async () => {
  const dangling = await d.docker(["import", "-"], { input: makeTar([["f", "dangling"]]) });
  assert.equal(dangling.code, 0, dangling.stderr);
  const dl = await d.docker(["images", "-f", "dangling=true", "--format", "{{.Repository}}:{{.Tag}}"]);
  assert.equal(dl.stdout, "<none>:<none>\n");
  const df = await d.docker(["system", "df"]);
  assert.equal(df.code, 0, df.stderr);
  assert.match(df.stdout, /^TYPE {12}TOTAL {5}ACTIVE {4}SIZE {6}RECLAIMABLE\nImages {10}\d+ /);
  const p = await d.docker(["image", "prune", "-f"]);
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /^Deleted Images:\ndeleted: sha256:[a-f0-9]{64}\n/);
  assert.match(p.stdout, /Total reclaimed space: /);
  const none = await d.docker(["images", "-f", "dangling=true", "-q"]);
  assert.equal(none.stdout, "");
  const bp = await d.berth(["image", "prune", "-f"]);
  assert.equal(bp.stdout, "Total reclaimed space: 0B\n");
});

/** A ustar archive from (name, content) pairs, without any library, for hostile inputs. */
function makeTar(files: [string, string][]): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of files) {
    const body = Buffer.from(content);
    const h = Buffer.alloc(512);
    h.write(name, 0, 100);
    h.write("0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(body.length.toString(8).padStart(11, "0") + "\0", 124);
    h.write("00000000000\0", 136);
    h.write("        ", 148);
    h.write("0", 156);
    h.write("ustar\0", 257);
    h.write("00", 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
