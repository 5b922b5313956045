import { test } from "node:test";
import assert from "node:assert/strict";
import { KeyedLock } from "./keyedLock.js";

test("one key runs in order, other keys in parallel, failures do not block the queue", async () => {
  const lock = new KeyedLock();
  const order: string[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const a1 = lock.run("a", async () => {
    await sleep(20);
    order.push("a1");
  });
  const a2 = lock.run("a", async () => {
    order.push("a2");
    throw new Error("boom");
  });
  const a3 = lock.run("a", async () => order.push("a3"));
  const b = lock.run("b", async () => order.push("b"));
  await Promise.allSettled([a1, a2, a3, b]);
  assert.deepEqual(order, ["b", "a1", "a2", "a3"]);
  await assert.rejects(a2, /boom/);
});
