import assert from "node:assert/strict";
import { test } from "node:test";
import { isEngineError } from "../errors.js";
import { messages } from "../messages.js";
import { openDatabase } from "../store/index.js";
import { ContainerStore, containersSchema, resolveRef } from "./store.js";
import { containerRecord } from "./testdata.js";

test("records survive a reopen, with the create body bytes", () => {
  const db = openDatabase(":memory:", [containersSchema]);
  const s = new ContainerStore(db);
  const body = Buffer.from('{"Image":"busybox", "Cmd":["sh"]}');
  s.insert(containerRecord("abc", "web", { createBody: body }));
  const again = new ContainerStore(db);
  const c = again.resolve("web");
  assert.equal(c.name, "web");
  assert.deepEqual(c.createBody, body);
  assert.deepEqual(c.state, { status: "created", error: "" });
});

test("a second create of one name is Docker's 409", () => {
  const s = new ContainerStore(openDatabase(":memory:", [containersSchema]));
  const first = containerRecord("abc", "web");
  s.insert(first);
  assert.throws(
    () => s.insert(containerRecord("def", "web")),
    (e) => isEngineError(e, "conflict") && e.message === messages.containerNameInUse("web", first.id),
  );
  assert.equal(s.all().length, 1);
});

test("rename onto a taken name is refused and changes nothing", () => {
  const s = new ContainerStore(openDatabase(":memory:", [containersSchema]));
  s.insert(containerRecord("abc", "a1"));
  const b = containerRecord("def", "b1");
  s.insert(b);
  assert.throws(
    () => s.update({ ...b, name: "a1" }),
    (e) => isEngineError(e, "conflict"),
  );
  assert.equal(s.resolve("b1").id, b.id);
});

test("resolution: full ID, then name, then unique prefix", () => {
  const a = containerRecord("abc1", "x");
  const b = containerRecord("abc2", "abc1");
  const all = [a, b];
  assert.equal(resolveRef(all, a.id), a);
  assert.equal(resolveRef(all, "abc1"), b); // a name beats a prefix
  assert.equal(resolveRef(all, "/x"), a);
  assert.equal(resolveRef(all, "abc2"), b);
  assert.equal(resolveRef(all, "zzz"), undefined);
  assert.throws(
    () => resolveRef(all, "abc"),
    (e) => isEngineError(e, "invalid") && e.message === messages.ambiguousContainer("abc"),
  );
  const s = new ContainerStore(openDatabase(":memory:", [containersSchema]));
  assert.throws(
    () => s.resolve("nope"),
    (e) => isEngineError(e, "not-found") && e.message === "No such container: nope",
  );
});
