import { after, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { LocalContentStore } from "../content/index.js";
import { isEngineError } from "../errors.js";
import { openDatabase, type Db } from "../store/index.js";
import { FakeLayers } from "./fakeLayers.js";
import {
  ImageRemover,
  ImageService,
  imagesSchema,
  importImage,
  loadImages,
  parseRepoTag,
  saveImages,
  type LoadProgress,
} from "./index.js";

const base = mkdtempSync(join(tmpdir(), "images-test-"));
after(() => rmSync(base, { recursive: true, force: true }));

async function makeTar(
  files: Record<string, string | Buffer>,
  links: Record<string, string> = {},
): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, body] of Object.entries(files))
    pack.entry({ name, mode: 0o644, mtime: new Date(0) }, body);
  for (const [name, target] of Object.entries(links)) pack.entry({ name, type: "symlink", linkname: target });
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

interface World {
  db: Db;
  layers: FakeLayers;
  svc: ImageService;
  rm: ImageRemover;
  events: { action: string; actorId: string; attributes: Record<string, string> }[];
  users: Map<string, { id: string; running: boolean }[]>;
  dir: string;
}

let n = 0;
async function world(dir = join(base, `w${n++}`), layers = new FakeLayers()): Promise<World> {
  mkdirSync(dir, { recursive: true });
  const db = openDatabase(join(dir, "db"), [imagesSchema]);
  const content = await LocalContentStore.open(join(dir, "content"));
  const events: World["events"] = [];
  const users = new Map<string, { id: string; running: boolean }[]>();
  const svc = await ImageService.open({
    db,
    content,
    layers,
    events: { publish: (e) => events.push(e) },
    users: { containersUsingImage: (id) => users.get(id) ?? [] },
    tmpDir: join(dir, "tmp"),
    engineVersion: "0.1.0",
  });
  return { db, layers, svc, rm: new ImageRemover(svc), events, users, dir };
}

let w: World;
beforeEach(async () => {
  w = await world();
});

async function imp(files: Record<string, string>, tag?: string, changes: string[] = []) {
  return importImage(w.svc, Readable.from([await makeTar(files)]), {
    tag: tag === undefined ? undefined : parseRepoTag(tag, ""),
    comment: "Imported from -",
    changes,
  });
}

test("import makes a one-layer image with Docker's history and config", async () => {
  const id = await imp({ "bin/sh": "x" }, "busybox:latest", ["CMD /bin/sh", "ENV A=1"]);
  const img = await w.svc.resolve("busybox");
  assert.equal(img.id, id);
  assert.deepEqual(img.repoTags, ["busybox:latest"]);
  assert.equal(img.config.comment, "Imported from -");
  assert.deepEqual(img.config.config?.Cmd, ["/bin/sh", "-c", "/bin/sh"]);
  assert.deepEqual(img.config.config?.Env, ["A=1"]);
  assert.equal(img.config.rootfs.diff_ids.length, 1);
  const h = w.svc.history("busybox:latest");
  assert.equal(h.length, 1);
  assert.equal(h[0]!.comment, "Imported from -");
  assert.equal(h[0]!.id, id);
  assert.deepEqual(h[0]!.tags, ["busybox:latest"]);
  assert.deepEqual(
    w.events.map((e) => e.action),
    ["tag", "import"],
  );
  assert.equal(w.layers.refs.get(img.chainId!), 1);
});

test("a bad change is refused before the tar is read, leaving nothing", async () => {
  await assert.rejects(imp({ a: "1" }, "x", ["RUN echo"]), { message: "run is not a valid change command" });
  assert.equal(w.svc.count(), 0);
  assert.equal(w.layers.layers.size, 0);
});

test("lookup by ID, short ID, prefix, and Docker's not-found texts", async () => {
  const id = await imp({ a: "1" }, "zz:1");
  const hex = String(id).slice(7);
  for (const ref of [id, hex, hex.slice(0, 12), hex.slice(0, 1), `sha256:${hex.slice(0, 5)}`, "zz:1"]) {
    assert.equal((await w.svc.resolve(ref)).id, id, ref);
  }
  // "zz" is no hex prefix, so only the name could match (Docker tries the ID prefix too).
  await assert.rejects(w.svc.resolve("zz"), { message: "No such image: zz:latest" });
  await assert.rejects(w.svc.resolve("nope:1"), { message: "No such image: nope:1" });
  await assert.rejects(w.svc.resolve(`sha256:${"0".repeat(64)}`), {
    message: `No such image: sha256:${"0".repeat(64)}`,
  });
  await assert.rejects(w.svc.resolve("Upper"), /must be lowercase/);
});

test("an ambiguous prefix is not found", async () => {
  const ids = [];
  for (let i = 0; i < 40; i++) ids.push(await imp({ f: String(i) }));
  const firsts = ids.map((id) => String(id).slice(7, 8));
  const dup = firsts.find((c, i) => firsts.indexOf(c) !== i)!;
  await assert.rejects(w.svc.resolve(dup), (e) => isEngineError(e, "not-found"));
});

test("tag moves names; list filters dangling, reference, label, before/since", async () => {
  const a = await imp({ a: "1" }, "app:1", ["LABEL team=x"]);
  await new Promise((r) => setTimeout(r, 5));
  const b = await imp({ b: "1" }, "app:2");
  await w.svc.tag("app:1", "me/app:v1");
  await w.svc.tag(b, "app:1");
  const base = { all: false, labels: [], references: [], sharedSize: false, containerCount: false };
  let l = w.svc.list(base);
  assert.deepEqual(
    l.map((s) => [s.image.id, s.repoTags]),
    [
      [b, ["app:1", "app:2"]],
      [a, ["me/app:v1"]],
    ],
  );
  assert.deepEqual(
    w.svc.list({ ...base, references: ["app"] }).map((s) => s.repoTags),
    [["app:1", "app:2"]],
  );
  assert.deepEqual(
    w.svc.list({ ...base, labels: ["team=x"] }).map((s) => s.image.id),
    [a],
  );
  assert.deepEqual(
    w.svc.list({ ...base, before: "app:2" }).map((s) => s.image.id),
    [a],
  );
  assert.deepEqual(
    w.svc.list({ ...base, since: "me/app:v1" }).map((s) => s.image.id),
    [b],
  );
  await w.rm.remove("me/app:v1", { force: false, prune: true });
  l = w.svc.list({ ...base, dangling: true });
  assert.equal(l.length, 0, "the last untag deleted the image");
  const c = await imp({ c: "1" }, "c:1");
  await w.svc.tag("app:2", "c:1");
  assert.deepEqual(
    w.svc.list({ ...base, dangling: true }).map((s) => [s.image.id, s.repoTags]),
    [[c, []]],
  );
});

test("rmi: untag versus delete, Docker's conflicts", async () => {
  const id = await imp({ a: "1" }, "x:1");
  await w.svc.tag("x:1", "y:1");
  await assert.rejects(w.rm.remove(String(id).slice(7, 19), { force: false, prune: true }), {
    message: `conflict: unable to delete ${String(id).slice(7, 19)} (must be forced) - image is referenced in multiple repositories`,
  });
  assert.deepEqual(await w.rm.remove("y:1", { force: false, prune: true }), [{ untagged: "y:1" }]);
  w.users.set(id, [{ id: "c".repeat(64), running: false }]);
  await assert.rejects(w.rm.remove("x:1", { force: false, prune: true }), {
    message: `conflict: unable to remove repository reference "x:1" (must force) - container cccccccccccc is using its referenced image ${String(id).slice(7, 19)}`,
  });
  await assert.rejects(w.rm.remove(id, { force: false, prune: true }), {
    message: `conflict: unable to delete ${String(id).slice(7, 19)} (must be forced) - image is being used by stopped container cccccccccccc`,
  });
  w.users.set(id, [{ id: "d".repeat(64), running: true }]);
  await assert.rejects(w.rm.remove(id, { force: true, prune: true }), {
    message: `conflict: unable to delete ${String(id).slice(7, 19)} (cannot be forced) - image is being used by running container dddddddddddd`,
  });
  w.users.clear();
  const chain = (await w.svc.resolve(id)).chainId!;
  const out = await w.rm.remove("x:1", { force: false, prune: true });
  assert.deepEqual(out, [{ untagged: "x:1" }, { deleted: id }, { deleted: chain }]);
  assert.equal(w.layers.layers.size, 0);
  assert.deepEqual(
    w.events.slice(-3).map((e) => e.action),
    ["untag", "untag", "delete"].slice(-3),
  );
});

test("prune: dangling only by default, all with dangling=false, labels", async () => {
  const keep = await imp({ k: "1" }, "keep:1");
  const d = await imp({ d: "1" });
  const r1 = await w.rm.prune({ danglingOnly: true, labels: [], notLabels: [] });
  assert.deepEqual(
    r1.deleted.filter((x) => "deleted" in x).map((x) => ("deleted" in x ? x.deleted : ""))[0],
    d,
  );
  assert.ok(r1.spaceReclaimed > 0);
  assert.ok(w.svc.get(keep));
  const r2 = await w.rm.prune({ danglingOnly: false, labels: ["nope"], notLabels: [] });
  assert.equal(r2.deleted.length, 0);
  const r3 = await w.rm.prune({ danglingOnly: false, labels: [], notLabels: [] });
  assert.deepEqual(r3.deleted[0], { untagged: "keep:1" });
  assert.equal(w.svc.count(), 0);
});

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

test("save then load into another store gives the same image ID and tags", async () => {
  const id = await imp({ "etc/hostname": "x" }, "busybox:latest");
  const id2 = await imp({ other: "y" }, "other:2");
  const { tar: out } = await saveImages(w.svc, ["busybox", "other:2"]);
  const bytes = await collect(out);
  const names = await tarNames(bytes);
  assert.ok(names.includes("manifest.json") && names.includes("index.json") && names.includes("oci-layout"));
  assert.ok(names.includes("repositories"));
  assert.ok(names.includes(`blobs/sha256/${String(id).slice(7)}`));
  const other = await world();
  const progress: LoadProgress[] = [];
  const ids = await loadImages(other.svc, Readable.from([gzipSync(bytes)]), (p) => progress.push(p));
  assert.deepEqual(new Set(ids), new Set([id, id2]));
  assert.deepEqual((await other.svc.resolve("busybox:latest")).id, id);
  assert.deepEqual(
    progress
      .filter((p) => p.kind === "loaded")
      .map((p) => (p.kind === "loaded" ? p.ref : ""))
      .sort(),
    ["busybox:latest", "other:2"],
  );
  assert.deepEqual(other.events.filter((e) => e.action === "load").length, 2);
  // Loading again is idempotent and keeps one retain per image.
  await loadImages(other.svc, Readable.from([bytes]), () => undefined);
  assert.equal(other.svc.count(), 2);
  assert.equal(other.layers.refs.get((await other.svc.resolve(id)).chainId!), 1);
});

test("an OCI layout alone loads, with the name from its annotations", async () => {
  await imp({ a: "1" }, "localhost:5000/app:v1");
  const bytes = await collect((await saveImages(w.svc, ["localhost:5000/app:v1"])).tar);
  const onlyOci = await filterTar(bytes, (n) => n !== "manifest.json" && n !== "repositories");
  const other = await world();
  await loadImages(other.svc, Readable.from([onlyOci]), () => undefined);
  assert.deepEqual((await other.svc.resolve("localhost:5000/app:v1")).repoTags, ["localhost:5000/app:v1"]);
});

test("hostile or broken archives are refused and leave nothing", async () => {
  const id = await imp({ a: "1" }, "a:1");
  const good = await collect((await saveImages(w.svc, ["a:1"])).tar);
  const other = await world();
  const cases: [string, Buffer, RegExp][] = [
    ["escaping path", await makeTar({ "../x": "1", "manifest.json": "[]" }), /escapes the archive/],
    ["absolute path", await makeTar({ "/etc/x": "1" }), /absolute path/],
    ["no manifest", await makeTar({ x: "1" }), /neither manifest.json nor index.json/],
    ["empty manifest", await makeTar({ "manifest.json": "[]" }), /no images/],
    ["bad json", await makeTar({ "manifest.json": "{" }), /manifest/],
    ["huge manifest", await makeTar({ "manifest.json": Buffer.alloc(9 * 1024 * 1024, 32) }), /too large/],
    [
      "missing config",
      await makeTar({ "manifest.json": JSON.stringify([{ Config: "c.json", Layers: [] }]) }),
      /config "c.json" not found/,
    ],
    [
      "link escaping",
      await makeTar({ "manifest.json": "[]" }, { "x/layer.tar": "../../etc/passwd" }),
      /points outside the archive/,
    ],
    ["empty input", Buffer.alloc(0), /empty input/],
    ["garbage", Buffer.from("hello world"), /./],
  ];
  for (const [what, bytes, err] of cases) {
    await assert.rejects(
      loadImages(other.svc, Readable.from([bytes]), () => undefined),
      err,
      what,
    );
  }
  // A layer whose content does not match the config's diffID.
  const tampered = await replaceLayer(good, await makeTar({ evil: "2" }));
  await assert.rejects(
    loadImages(other.svc, Readable.from([tampered]), () => undefined),
    /invalid diffID for layer 0|does not match its digest/,
  );
  assert.equal(other.svc.count(), 0);
  assert.equal(other.layers.layers.size, 0);
  void id;
});

test("records survive a reopen; layer references are not taken twice", async () => {
  const layers = new FakeLayers();
  const dir = join(base, "reopen");
  const w1 = await world(dir, layers);
  const id = await importImage(w1.svc, Readable.from([await makeTar({ a: "1" })]), {
    tag: parseRepoTag("r", "1"),
    comment: "c",
    changes: [],
  });
  w1.db.close();
  const w2 = await world(dir, layers);
  assert.equal((await w2.svc.resolve("r:1")).id, id);
  assert.equal(layers.refs.get((await w2.svc.resolve(id)).chainId!), 1);
});

async function tarNames(bytes: Buffer): Promise<string[]> {
  const names: string[] = [];
  const ex = tar.extract();
  const done = (async () => {
    for await (const e of ex) {
      names.push(e.header.name);
      e.resume();
    }
  })();
  ex.end(bytes);
  await done;
  return names;
}

async function filterTar(
  bytes: Buffer,
  keep: (name: string) => boolean,
  replace?: (name: string, body: Buffer) => Buffer,
) {
  const pack = tar.pack();
  const ex = tar.extract();
  const done = (async () => {
    for await (const e of ex) {
      const body = await collect(e as unknown as Readable);
      if (!keep(e.header.name)) continue;
      const out = replace ? replace(e.header.name, body) : body;
      pack.entry({ ...e.header, size: out.length }, out);
    }
    pack.finalize();
  })();
  ex.end(bytes);
  const result = collect(pack as unknown as Readable);
  await done;
  return result;
}

async function replaceLayer(archive: Buffer, layer: Buffer): Promise<Buffer> {
  let manifest: { Layers: string[] }[] = [];
  await filterTar(
    archive,
    (n) => {
      return n === "manifest.json";
    },
    (_n, body) => {
      manifest = JSON.parse(body.toString()) as { Layers: string[] }[];
      return body;
    },
  );
  const target = manifest[0]!.Layers[0]!;
  return filterTar(
    archive,
    () => true,
    (n, body) => (n === target ? layer : body),
  );
}
