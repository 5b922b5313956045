import assert from "node:assert/strict";
import { test } from "node:test";
import { Demuxer, frame } from "./stdcopy.js";

test("frames carry stream and length; the demuxer joins split chunks", () => {
  const f = frame(2, Buffer.from("oops\n"));
  assert.deepEqual([...f.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 5]);
  const all = Buffer.concat([frame(1, Buffer.from("hi\n")), f]);
  const d = new Demuxer();
  const got = [...d.push(all.subarray(0, 5)), ...d.push(all.subarray(5, 13)), ...d.push(all.subarray(13))];
  assert.deepEqual(
    got.map((g) => [g.stream, g.data.toString()]),
    [
      [1, "hi\n"],
      [2, "oops\n"],
    ],
  );
  assert.equal(d.pending, 0);
});
