import assert from "node:assert/strict";
import { test } from "node:test";
import {
  bytesSize,
  ellipsis,
  fromHumanSize,
  humanDuration,
  humanSize,
  ramInBytes,
  shortId,
  timeAgo,
} from "./units.js";

const KB = 1000;
const MB = 1000 * KB;
const GB = 1000 * MB;
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

test("humanSize with go-units' precision 4 (units.HumanSize)", () => {
  const cases: [number, string][] = [
    [1000, "1kB"],
    [1024, "1.024kB"],
    [1000000, "1MB"],
    [1048576, "1.049MB"],
    [2 * MB, "2MB"],
    [3.42 * GB, "3.42GB"],
    [5.372 * GB * 1000, "5.372TB"],
    [2.22 * GB * 1e6, "2.22PB"],
    [1e13 * 1e15, "1e+04YB"],
  ];
  for (const [n, want] of cases) assert.equal(humanSize(n, 4), want, String(n));
});

test("humanSize defaults to docker images' precision 3", () => {
  const cases: [number, string][] = [
    [0, "0B"],
    [999, "999B"],
    [1200, "1.2kB"],
    [5_120_000, "5.12MB"],
    [120 * MB, "120MB"],
    [7_654_321, "7.65MB"],
    // %.3g of 999.999 rounds to 1e+03, exactly as Go prints it.
    [999_999, "1e+03kB"],
    // Ties round to even on the exact binary value (1.125 is exact).
    [1125, "1.12kB"],
    [1135, "1.14kB"],
  ];
  for (const [n, want] of cases) assert.equal(humanSize(n), want, String(n));
});

test("bytesSize is units.BytesSize", () => {
  const cases: [number, string][] = [
    [0, "0B"],
    [1024, "1KiB"],
    [1024 * 1024, "1MiB"],
    [2 * MiB, "2MiB"],
    [1.5 * MiB, "1.5MiB"],
    [3.42 * GiB, "3.42GiB"],
    [5.372 * GiB * 1024, "5.372TiB"],
    [25_193_398_272, "23.46GiB"],
    [KiB ** 10, "1.049e+06YiB"],
  ];
  for (const [n, want] of cases) assert.equal(bytesSize(n), want, String(n));
});

test("humanDuration follows go-units' table", () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const day = 24 * h;
  const week = 7 * day;
  const month = 30 * day;
  const year = 365 * day;
  const cases: [number, string][] = [
    [450, "Less than a second"],
    [-5000, "Less than a second"],
    [1 * s, "1 second"],
    [45 * s, "45 seconds"],
    [59 * s, "59 seconds"],
    [60 * s, "About a minute"],
    [3 * m, "3 minutes"],
    [35 * m + 40 * s, "35 minutes"],
    [59 * m, "59 minutes"],
    [1 * h, "About an hour"],
    [1 * h + 29 * m, "About an hour"],
    [1 * h + 31 * m, "2 hours"],
    [3 * h + 59 * m, "4 hours"],
    [24 * h, "24 hours"],
    [1 * day + 12 * h, "36 hours"],
    [2 * day, "2 days"],
    [13 * day + 5 * h, "13 days"],
    [2 * week, "2 weeks"],
    [4 * week + 3 * day, "4 weeks"],
    [1 * month + 2 * week, "6 weeks"],
    [2 * month, "2 months"],
    [3 * month + 1 * week, "3 months"],
    [24 * month, "24 months"],
    [24 * month + 2 * week, "2 years"],
    [3 * year + 2 * month, "3 years"],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms));
});

test("timeAgo appends ago", () => {
  const now = Date.parse("2024-05-01T12:00:00Z");
  assert.equal(timeAgo("2024-05-01T11:59:00Z", now), "About a minute ago");
  assert.equal(timeAgo(new Date(now - 3 * 86400_000), now), "3 days ago");
  assert.equal(timeAgo(now - 10_000, now), "10 seconds ago");
});

test("ramInBytes parses binary sizes like go-units v0.5", () => {
  const ok: [string, number][] = [
    ["32", 32],
    ["32b", 32],
    ["32B", 32],
    ["32k", 32 * KiB],
    ["32K", 32 * KiB],
    ["32kb", 32 * KiB],
    ["32Kib", 32 * KiB],
    ["32KIB", 32 * KiB],
    ["512k", 512 * KiB],
    ["5M", 5 * MiB],
    ["1g", GiB],
    ["32Tb", 32 * 1024 ** 4],
    ["32P", 32 * 1024 ** 5],
    ["32.3", 32],
    ["32.3 mb", Math.trunc(32.3 * MiB)],
    ["0.3MB", Math.trunc(0.3 * MiB)],
  ];
  for (const [s, want] of ok) assert.equal(ramInBytes(s), want, s);
  const bad: [string, string][] = [
    ["", "invalid size: ''"],
    ["hello", "invalid size: 'hello'"],
    ["-32", "invalid size: '-32'"],
    [" 32 ", 'strconv.ParseFloat: parsing " 32": invalid syntax'],
    ["32m b", 'strconv.ParseFloat: parsing "32m": invalid syntax'],
    ["32bm", "invalid suffix: 'bm'"],
    ["5x", "invalid suffix: 'x'"],
    ["5ki", "invalid suffix: 'ki'"],
    ["5kibb", "invalid suffix: 'kibb'"],
  ];
  for (const [s, msg] of bad) assert.throws(() => ramInBytes(s), { message: msg }, s);
});

test("fromHumanSize parses decimal sizes", () => {
  assert.equal(fromHumanSize("32k"), 32 * KB);
  assert.equal(fromHumanSize("32Mb"), 32 * MB);
  assert.equal(fromHumanSize("32.5 kB"), 32_500);
  assert.equal(fromHumanSize("32.5 B"), 32);
  assert.equal(fromHumanSize("0.3 K"), 300);
  assert.throws(() => fromHumanSize("32m b"));
});

test("ellipsis is docker's formatter.Ellipsis", () => {
  const cases: [string, number, string][] = [
    ["sh -c 'while true; do sleep 1; done'", 20, "sh -c 'while true; …"],
    ["short", 20, "short"],
    ["exactly20characters!", 20, "exactly20characters!"],
    ["abc", 1, "a"],
    ["abc", 0, ""],
    ["abc", -1, ""],
    ["", 1, ""],
    ["你好世界abc", 5, "你好…"],
    ["你好世界abc", 6, "你好…"],
    ["你好世界abc", 11, "你好世界abc"],
    ["日本語", 2, "日本語"],
  ];
  for (const [s, w, want] of cases) assert.equal(ellipsis(s, w), want, `${s}/${w}`);
});

test("shortId keeps 12 characters after any algorithm prefix", () => {
  assert.equal(shortId("sha256:0123456789abcdef0123"), "0123456789ab");
  assert.equal(shortId("0123456789abcdef"), "0123456789ab");
  assert.equal(shortId("abc"), "abc");
});
