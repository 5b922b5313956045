import { test } from "node:test";
import assert from "node:assert/strict";
import { EventBus } from "./bus.js";

test("subscribers get live events and since replays past ones", async () => {
  const bus = new EventBus();
  const first = bus.publish({ type: "image", action: "tag", actorId: "a", attributes: {} });
  const ac = new AbortController();
  const seen: string[] = [];
  const done = (async () => {
    for await (const e of bus.subscribe({ sinceNano: first.timeNano, signal: ac.signal })) {
      seen.push(e.actorId);
      if (seen.length === 2) ac.abort();
    }
  })();
  await new Promise((r) => setImmediate(r));
  bus.publish({ type: "image", action: "tag", actorId: "b", attributes: {} });
  await done;
  assert.deepEqual(seen, ["a", "b"]);
});

test("until ends the stream", async () => {
  const bus = new EventBus();
  const e = bus.publish({ type: "container", action: "start", actorId: "x", attributes: {} });
  const got = [];
  for await (const ev of bus.subscribe({
    sinceNano: 0n,
    untilNano: e.timeNano,
    filter: (x) => x.type === "container",
  }))
    got.push(ev);
  assert.equal(got.length, 1);
});
