import assert from "node:assert/strict";
import { test } from "node:test";
import { isEngineError } from "../errors.js";
import { BLOCK, encodeHeader, parseHeader, parseNumeric, parsePax } from "./tarHeader.js";

test("numbers: octal with padding, GNU base-256, garbage refused", () => {
  assert.equal(parseNumeric(Buffer.from("0000755\0")), 0o755);
  assert.equal(parseNumeric(Buffer.from("  17 \0")), 0o17);
  assert.equal(parseNumeric(Buffer.alloc(8)), 0);
  const b256 = Buffer.alloc(12);
  b256[0] = 0x80;
  b256.writeUIntBE(2 ** 40, 6, 6);
  assert.equal(parseNumeric(b256), 2 ** 40);
  assert.throws(
    () => parseNumeric(Buffer.from("12a4")),
    (e) => isEngineError(e, "invalid"),
  );
});

test("PAX records keep binary values and check lengths", () => {
  const rec = (k: string, v: Buffer) => {
    const body = Buffer.concat([Buffer.from(` ${k}=`), v, Buffer.from("\n")]);
    let n = body.length + 2;
    if (String(n).length + body.length !== n) n += 1;
    return Buffer.concat([Buffer.from(String(n)), body]);
  };
  const bin = Buffer.from([0, 1, 0xff, 0x0a]);
  const pax = parsePax(Buffer.concat([rec("path", Buffer.from("a/b")), rec("SCHILY.xattr.user.x", bin)]));
  assert.equal(pax.get("path")?.toString(), "a/b");
  assert.deepEqual(pax.get("SCHILY.xattr.user.x"), bin);
  assert.throws(
    () => parsePax(Buffer.from("99 path=x\n")),
    (e) => isEngineError(e, "invalid"),
  );
});

test("encodeHeader: ustar when it fits, prefix split, PAX for long or non-ASCII names", () => {
  const base = { mode: 0o644, uid: 1, gid: 2, size: 5, mtime: 1_600_000_000, type: "0" };
  const short = encodeHeader({ ...base, name: "etc/passwd" });
  assert.equal(short.length, BLOCK);
  assert.deepEqual(parseHeader(short), {
    name: "etc/passwd",
    mode: 0o644,
    uid: 1,
    gid: 2,
    size: 5,
    mtime: 1_600_000_000,
    type: "0",
    linkname: "",
    devmajor: 0,
    devminor: 0,
  });
  const deep = `${"d".repeat(120)}/${"f".repeat(90)}`;
  const split = encodeHeader({ ...base, name: deep });
  assert.equal(split.length, BLOCK);
  assert.equal(parseHeader(split).name, deep);
  const long = encodeHeader({ ...base, name: "x".repeat(300) });
  assert.equal(parseHeader(long).type, "x");
  assert.equal(long.length, 3 * BLOCK);
  const utf = encodeHeader({ ...base, name: "café" });
  assert.equal(parseHeader(utf).type, "x");
});

test("a corrupted header fails its checksum", () => {
  const h = encodeHeader({ name: "a", mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0, type: "0" });
  h[0] = 0x62;
  assert.throws(
    () => parseHeader(h),
    (e) => isEngineError(e, "invalid") && /checksum/.test(e.message),
  );
});
