import assert from "node:assert/strict";
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { LogRotation, rotatedLogs } from "./logRotation.js";

const base = mkdtempSync(join(tmpdir(), "berth-logrot-"));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

/** What conmon does at --log-size-max: a new empty file renamed over the full one. */
function conmonReplaces(path: string): void {
  writeFileSync(`${path}.tmp`, "");
  renameSync(`${path}.tmp`, path);
}

test("each replaced file becomes .1, older ones shift, the oldest beyond max-file goes", async () => {
  const dir = join(base, String(n++));
  const path = join(dir, "c-json.log");
  mkdirSync(dir);
  writeFileSync(path, "first\n");
  const r = new LogRotation(path, 3);
  await r.check();
  for (const text of ["second\n", "third\n", "fourth\n"]) {
    conmonReplaces(path);
    appendFileSync(path, text);
    await r.check();
  }
  assert.deepEqual(readdirSync(dir).sort(), [
    "c-json.log",
    "c-json.log.1",
    "c-json.log.2",
    "c-json.log.keep",
  ]);
  assert.equal(readFileSync(path, "utf8"), "fourth\n");
  assert.equal(readFileSync(`${path}.1`, "utf8"), "third\n");
  assert.equal(readFileSync(`${path}.2`, "utf8"), "second\n");
  assert.deepEqual(await rotatedLogs(path), [`${path}.2`, `${path}.1`], "oldest first");
  await r.check(); // nothing replaced: nothing moves
  assert.equal(readFileSync(`${path}.1`, "utf8"), "third\n");
});

test("started, it follows replacements by itself; stop takes a last look", async () => {
  const dir = join(base, String(n++));
  const path = join(dir, "c-json.log");
  mkdirSync(dir);
  writeFileSync(path, "a\n");
  const r = new LogRotation(path, 2);
  r.start();
  await r.check();
  conmonReplaces(path);
  appendFileSync(path, "b\n");
  for (let i = 0; i < 50 && readdirSync(dir).length < 3; i++) await new Promise((res) => setTimeout(res, 20));
  await r.check();
  assert.equal(readFileSync(`${path}.1`, "utf8"), "a\n", "rotated on the directory's event");
  conmonReplaces(path);
  await r.stop();
  assert.equal(readFileSync(`${path}.1`, "utf8"), "b\n");
  assert.deepEqual(await rotatedLogs(path), [`${path}.1`], "max-file=2 keeps one older file");
});
