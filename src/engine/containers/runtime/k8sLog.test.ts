import { test } from "node:test";
import assert from "node:assert/strict";
import { LineJoiner, parseK8sRecord, parseTimestampNano } from "./k8sLog.js";

test("timestamps: nanoseconds, offsets, short fractions", () => {
  assert.equal(parseTimestampNano("1970-01-01T00:00:01.000000002+00:00"), 1_000_000_002n);
  assert.equal(parseTimestampNano("1970-01-01T01:00:01.5+01:00"), 1_500_000_000n);
  assert.equal(parseTimestampNano("1970-01-01T00:00:00Z"), 0n);
  assert.equal(parseTimestampNano("1969-12-31T23:30:00-00:30"), 0n);
  assert.equal(parseTimestampNano("yesterday"), undefined);
});

test("records: F keeps its newline, P does not, bad lines are skipped", () => {
  const f = parseK8sRecord(Buffer.from("1970-01-01T00:00:01.000000000+00:00 stdout F hello world"));
  assert.deepEqual(f && { ...f, text: f.text.toString() }, {
    timeNano: 1_000_000_000n,
    stream: "stdout",
    partial: false,
    text: "hello world\n",
  });
  const p = parseK8sRecord(Buffer.from("1970-01-01T00:00:01.000000000+00:00 stderr P abc"));
  assert.equal(p?.partial, true);
  assert.equal(p?.text.toString(), "abc");
  assert.equal(parseK8sRecord(Buffer.from("1970-01-01T00:00:01Z stdout F "))?.text.toString(), "\n");
  assert.equal(parseK8sRecord(Buffer.from("1970-01-01T00:00:01Z stdout F"))?.text.toString(), "\n");
  assert.equal(parseK8sRecord(Buffer.from("garbage")), undefined);
  assert.equal(parseK8sRecord(Buffer.from("1970-01-01T00:00:01Z stdin F x")), undefined);
  assert.equal(parseK8sRecord(Buffer.from("1970-01-01T00:00:01Z stdout X x")), undefined);
});

test("joiner: pieces of one stream join, the other stream passes through", () => {
  const j = new LineJoiner();
  const rec = (stream: "stdout" | "stderr", partial: boolean, text: string, t: bigint) => ({
    stream,
    partial,
    text: Buffer.from(text),
    timeNano: t,
  });
  assert.equal(j.push(rec("stdout", true, "par", 1n)), undefined);
  const e = j.push(rec("stderr", false, "err\n", 2n));
  assert.equal(e?.text.toString(), "err\n");
  const o = j.push(rec("stdout", false, "tial\n", 3n));
  assert.equal(o?.text.toString(), "partial\n");
  assert.equal(o?.timeNano, 1n);
  j.push(rec("stdout", true, "no newline", 4n));
  const rest = j.flush();
  assert.equal(rest.length, 1);
  assert.equal(rest[0]?.text.toString(), "no newline");
  assert.deepEqual(j.flush(), []);
});
