import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BuildEvent } from "./events.js";
import { StageOutput } from "./stageOutput.js";

const out = (stage: number, text: string): BuildEvent => ({
  type: "output",
  stream: "stdout",
  data: Buffer.from(`${stage}:${text}`),
});
const texts = (events: BuildEvent[]) => events.map((e) => (e.type === "output" ? e.data.toString() : e.type));

describe("StageOutput", () => {
  it("streams the first unfinished stage live and holds later ones until it is done", () => {
    const seen: BuildEvent[] = [];
    const o = new StageOutput([0, 2, 5], (e) => seen.push(e));
    const [a, b, c] = [o.emitterFor(0), o.emitterFor(2), o.emitterFor(5)];
    c(out(5, "x"));
    b(out(2, "par")); // a partial line: must stay next to its end
    a(out(0, "one\n"));
    b(out(2, "tial\n"));
    assert.deepEqual(texts(seen), ["0:one\n"]);
    o.done(5); // finished early: still waits for 0 and 2
    assert.deepEqual(texts(seen), ["0:one\n"]);
    a(out(0, "two\n"));
    o.done(0);
    assert.deepEqual(texts(seen), ["0:one\n", "0:two\n", "2:par", "2:tial\n"]);
    b(out(2, "live\n")); // 2 is now the current stage: no holding
    assert.equal(texts(seen).at(-1), "2:live\n");
    o.done(2);
    assert.deepEqual(texts(seen).slice(-1), ["5:x"]);
  });

  it("shows a later stage's output when the earlier stage ends, even if that later stage failed", () => {
    const seen: BuildEvent[] = [];
    const o = new StageOutput([0, 1], (e) => seen.push(e));
    o.emitterFor(1)(out(1, "error: exit 3\n")); // stage 1 fails: done(1) is never called
    o.done(0);
    assert.deepEqual(texts(seen), ["1:error: exit 3\n"]);
  });
});
