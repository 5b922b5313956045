import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, test } from "node:test";
import { isEngineError } from "../errors.js";
import { openDatabase } from "../store/index.js";
import { fakeDeps } from "./fakeDeps.js";
import { ContainerService } from "./service.js";
import { viewState } from "./state.js";
import { ContainerStore, containersSchema } from "./store.js";
import { containerSpec, hostSpec } from "./testdata.js";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function setup() {
  const root = mkdtempSync(join(tmpdir(), "h5-svc-"));
  roots.push(root);
  const f = fakeDeps(root);
  const store = new ContainerStore(openDatabase(":memory:", [containersSchema]));
  return { ...f, root, store, svc: new ContainerService(store, f.deps) };
}

test("create, start, stop: state, bundle, and Docker's event order", async () => {
  const { svc, events, runtime, layers } = setup();
  const c = await svc.create(containerSpec({ cmd: ["sleep", "100"] }), { name: "web" });
  assert.equal(c.name, "web");
  assert.equal(c.config.hostname, c.id.slice(0, 12));
  assert.ok(existsSync(svc.paths(c.id).hosts));
  await svc.start("web");
  assert.equal(svc.get("web").state.status, "running");
  assert.ok(layers.mounted.has(c.id));
  const spec = JSON.parse(readFileSync(join(svc.paths(c.id).bundle, "config.json"), "utf8")) as {
    process: { args: string[] };
  };
  assert.deepEqual(spec.process.args, ["sleep", "100"]);
  await assert.rejects(svc.start("web"), (e) => isEngineError(e, "not-modified"));
  await svc.stop("web", {});
  const v = viewState(svc.get("web").state);
  assert.equal(v.status, "exited");
  assert.equal(v.exitCode, 143);
  assert.ok(!layers.mounted.has(c.id), "rootfs unmounted after exit");
  assert.ok(!runtime.created.has(c.id), "runtime state deleted after exit");
  assert.deepEqual(
    events.map((e) => (e.action === "kill" ? `kill ${e.attributes.signal}` : e.action)),
    ["create", "start", "kill 15", "die", "stop"],
  );
  assert.equal(events.find((e) => e.action === "die")?.attributes.exitCode, "143");
});

test("stop escalates to SIGKILL after the timeout", async () => {
  const { svc, runtime } = setup();
  runtime.ignored.add(15);
  await svc.create(containerSpec(), { name: "stubborn" });
  await svc.start("stubborn");
  await svc.stop("stubborn", { timeout: 0.05 });
  assert.equal(viewState(svc.get("stubborn").state).exitCode, 137);
  assert.deepEqual(
    runtime.calls.filter((c) => c.startsWith("kill")).map((c) => c.split(" ")[2]),
    ["15", "9"],
  );
});

test("two creates of one name: one wins, the other is 409", async () => {
  const { svc, store } = setup();
  const results = await Promise.allSettled([
    svc.create(containerSpec(), { name: "dup" }),
    svc.create(containerSpec(), { name: "dup" }),
  ]);
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  const failed = results.find((r) => r.status === "rejected");
  assert.ok(failed && isEngineError(failed.reason, "conflict"));
  assert.match((failed.reason as Error).message, /^Conflict\. The container name "\/dup" is already in use/);
  assert.equal(store.all().length, 1);
});

test("a failed create leaves no row and no layer", async () => {
  const { svc, store, layers } = setup();
  layers.failCreate = true;
  await assert.rejects(svc.create(containerSpec(), { name: "x1" }), /disk full/);
  assert.equal(store.all().length, 0);
  await assert.rejects(svc.create(containerSpec({ image: "nope" })), (e) => isEngineError(e, "not-found"));
});

test("a failed start unmounts, records the error and exit code 127", async () => {
  const { svc, runtime, layers } = setup();
  const c = await svc.create(containerSpec(), { name: "bad" });
  runtime.failCreate = new Error('exec: "nope": executable file not found in $PATH');
  await assert.rejects(svc.start("bad"));
  assert.ok(!layers.mounted.has(c.id));
  const v = viewState(svc.get("bad").state);
  assert.equal(v.exitCode, 127);
  assert.match(v.error, /executable file not found/);
});

test("rm: refused while running, -f kills, events die then destroy", async () => {
  const { svc, events, layers } = setup();
  const c = await svc.create(containerSpec(), { name: "rr" });
  await svc.start("rr");
  await assert.rejects(
    svc.remove("rr", { force: false }),
    (e) =>
      isEngineError(e, "conflict") &&
      e.message ===
        'cannot remove container "/rr": container is running: stop the container before removing or force remove',
  );
  await svc.remove("rr", { force: true });
  assert.throws(
    () => svc.get("rr"),
    (e) => isEngineError(e, "not-found"),
  );
  assert.ok(!layers.dirs.has(c.id));
  assert.deepEqual(events.map((e) => e.action).slice(-3), ["kill", "die", "destroy"]);
});

test("wait next-exit, --rm removes after exit, pause/unpause, rename", async () => {
  const { svc, runtime, events } = setup();
  const c = await svc.create(containerSpec({ host: hostSpec({ autoRemove: true }) }), { name: "ww" });
  const removed = svc.wait("ww", "removed");
  const next = svc.wait("ww", "next-exit");
  await svc.start("ww");
  await svc.pause("ww");
  await assert.rejects(svc.pause("ww"), /is already paused/);
  await svc.unpause("ww");
  await svc.rename("ww", "w2");
  runtime.exit(c.id, 3);
  assert.deepEqual(await next, { exitCode: 3 });
  assert.deepEqual(await removed, { exitCode: 3 });
  assert.throws(() => svc.get("w2"));
  assert.deepEqual(
    events.map((e) => e.action),
    ["create", "start", "pause", "unpause", "rename", "die", "destroy"],
  );
  assert.equal(events.find((e) => e.action === "rename")?.attributes.oldName, "/ww");
});

test("kill needs a running container; bad signals are 400", async () => {
  const { svc } = setup();
  await svc.create(containerSpec(), { name: "kk" });
  await assert.rejects(
    svc.kill("kk", "KILL"),
    (e) => isEngineError(e, "conflict") && /is not running/.test(e.message),
  );
  await svc.start("kk");
  await assert.rejects(
    svc.kill("kk", "BOGUS"),
    (e) => isEngineError(e, "invalid") && e.message === "Invalid signal: BOGUS",
  );
  await svc.kill("kk", "SIGKILL");
  assert.equal(viewState(svc.get("kk").state).exitCode, 137);
});

test("--rm: removal answers once the record is gone; the rootfs and dirs go after, settle() waits", async () => {
  const { svc, runtime, layers, store } = setup();
  let finish = () => {};
  const gate = new Promise<void>((r) => (finish = r));
  layers.release = async (id) => ({ files: gate.then(() => layers.remove(id)) });
  const c = await svc.create(containerSpec({ host: hostSpec({ autoRemove: true }) }), { name: "bg" });
  const removed = svc.wait("bg", "removed");
  await svc.start("bg");
  runtime.exit(c.id, 0);
  assert.deepEqual(await removed, { exitCode: 0 });
  assert.equal(store.get(c.id), undefined);
  await svc.create(containerSpec(), { name: "bg" }); // the name is free
  assert.ok(layers.mounted.has(c.id), "the removal, not the exit, unmounts a --rm container's rootfs");
  let settled = false;
  const s = svc.settle().then(() => (settled = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(settled, false);
  finish();
  await s;
  assert.ok(!layers.dirs.has(c.id) && !layers.mounted.has(c.id));
  assert.ok(!existsSync(svc.paths(c.id).dir));
});

test("recover removes container dirs without a record (a removal cut short)", async () => {
  const { svc, root } = setup();
  const kept = await svc.create(containerSpec(), { name: "kept" });
  const orphan = join(root, "c".repeat(64));
  mkdirSync(join(orphan, "bundle"), { recursive: true });
  await svc.recover();
  assert.ok(!existsSync(orphan));
  assert.ok(existsSync(svc.paths(kept.id).dir));
});
