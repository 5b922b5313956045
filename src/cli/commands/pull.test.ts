import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import type { JsonMessageWire } from "../../api/types/images.js";
import { displayMessages, progressText } from "./pull.js";

function sink(tty: boolean): Writable & { isTTY: boolean; columns: number; text: () => string } {
  let buf = "";
  const w = new Writable({
    write(chunk: Buffer, _e, cb) {
      buf += chunk.toString();
      cb();
    },
  });
  return Object.assign(w, { isTTY: tty, columns: 120, text: () => buf });
}

async function* from(ms: JsonMessageWire[]): AsyncGenerator<JsonMessageWire> {
  yield* ms;
}

const pull: JsonMessageWire[] = [
  { status: "Pulling from library/busybox", id: "latest" },
  { status: "Pulling fs layer", progressDetail: {}, id: "aaa" },
  { status: "Downloading", progressDetail: { current: 5, total: 10 }, progress: "x", id: "aaa" },
  { status: "Pull complete", progressDetail: {}, id: "aaa" },
  { status: "Digest: sha256:1" },
  { progressDetail: {}, aux: { Tag: "latest" } },
];

test("plain output: no progress bars, one line per message, aux to the callback", async () => {
  const out = sink(false);
  const aux: unknown[] = [];
  await displayMessages(from(pull), out, (a) => aux.push(a));
  assert.equal(
    out.text(),
    "latest: Pulling from library/busybox\naaa: Pulling fs layer\naaa: Pull complete\nDigest: sha256:1\n",
  );
  assert.deepEqual(aux, [{ Tag: "latest" }]);
});

test("terminal output: a layer's line is redrawn in place", async () => {
  const out = sink(true);
  await displayMessages(from(pull), out);
  assert.equal(
    out.text(),
    "latest: Pulling from library/busybox\n" +
      "\n\x1b[1A\x1b[2K\raaa: Pulling fs layer \r\x1b[1B" +
      `\x1b[1A\x1b[2K\raaa: Downloading [=========================>                         ]       5B/10B\r\x1b[1B` +
      "\x1b[1A\x1b[2K\raaa: Pull complete \r\x1b[1B" +
      "Digest: sha256:1\n",
  );
});

test("errors in the stream end the command", async () => {
  await assert.rejects(
    displayMessages(from([{ errorDetail: { message: "boom" }, error: "boom" }]), sink(false)),
    /boom/,
  );
});

test("progress text as jsonmessage prints it", () => {
  assert.equal(progressText({}, 120), "");
  assert.equal(progressText({ current: 2048 }, 80), " 2.048kB");
  assert.equal(progressText({ current: 10, total: 20 }, 80), "     10B/20B");
});
