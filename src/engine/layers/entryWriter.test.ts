/** Needs root (chown of a file to another owner). */
import assert from "node:assert/strict";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { isEngineError } from "../errors.js";
import { nativeSys } from "../host/native.js";
import { createFileSink, DirTimes, EntryWriter, setEntryXattrs } from "./entryWriter.js";
import type { ContentSink, TarEntry } from "./tarReader.js";

const base = mkdtempSync(join(tmpdir(), "berth-entry-writer-"));
after(() => rmSync(base, { recursive: true, force: true }));

function entry(over: Partial<TarEntry> = {}): TarEntry {
  return {
    name: "a/b",
    linkname: "",
    type: "0",
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: 0,
    mtime: 1_000_000,
    atime: undefined,
    devmajor: 0,
    devminor: 0,
    xattrs: new Map(),
    ...over,
  };
}

const errno = (code: string) => Object.assign(new Error(`${code}: failed`), { code });

/** Throws what it is told to; records a directory time for "dir". */
class Probe extends EntryWriter {
  thrown: unknown;
  override meta(): void {}
  protected override place(e: TarEntry): ContentSink | undefined {
    if (e.type === "5") this.dirTimes.add(e.name, 100, e.mtime);
    else if (this.thrown !== undefined) throw this.thrown;
    return undefined;
  }
}

test("EntryWriter: a listed errno becomes invalid with the caller's verb, others pass through", () => {
  const probe = new Probe("unpack", ["ENOTDIR"]);
  const err = errno("ENOTDIR");
  probe.thrown = err;
  assert.throws(
    () => probe.entry(entry()),
    (got: unknown) =>
      isEngineError(got, "invalid") &&
      got.message === 'cannot unpack "a/b": ENOTDIR: failed' &&
      got.cause === err,
  );
  for (const other of [errno("EPERM"), new Error("boom")]) {
    probe.thrown = other;
    assert.throws(
      () => probe.entry(entry()),
      (got: unknown) => got === other,
    );
  }
});

test("EntryWriter: directory times are set by finish, not before", () => {
  const dir = join(base, "finish");
  mkdirSync(dir);
  const probe = new Probe("extract", []);
  probe.entry(entry({ name: dir, type: "5", mtime: 400 }));
  assert.notEqual(lstatSync(dir).mtimeMs, 400_000);
  probe.finish();
  assert.equal(lstatSync(dir).mtimeMs, 400_000);
});

test("DirTimes: applies the kept times, skips forgotten and vanished directories", () => {
  const top = join(base, "times");
  for (const d of ["kept", "gone", "gone/sub", "gonex"]) mkdirSync(join(top, d), { recursive: true });
  const times = new DirTimes();
  times.add(join(top, "kept"), 100, 200);
  times.add(join(top, "gone"), 100, 200);
  times.add(join(top, "gone/sub"), 100, 200);
  times.add(join(top, "gonex"), 100, 300);
  times.add(join(top, "vanished"), 100, 200);
  times.forget(join(top, "gone"));
  times.apply();
  assert.equal(lstatSync(join(top, "kept")).mtimeMs, 200_000);
  assert.equal(lstatSync(join(top, "gonex")).mtimeMs, 300_000, "a sibling sharing the prefix is kept");
  assert.notEqual(lstatSync(join(top, "gone")).mtimeMs, 200_000);
  assert.notEqual(lstatSync(join(top, "gone/sub")).mtimeMs, 200_000);
});

test("createFileSink: content, then owner, mode with setuid, xattrs and times; never through a symlink", () => {
  const dir = join(base, "file");
  mkdirSync(dir);
  const abs = join(dir, "f");
  let xattrsAt = -1;
  const sink = createFileSink(abs, 0o4755, { uid: 1234, gid: 5678 }, { atime: 50, mtime: 60 }, () => {
    xattrsAt = lstatSync(abs).mode & 0o7777;
  });
  sink.write(Buffer.from("hello "));
  sink.write(Buffer.from("world"));
  sink.end();
  const st = lstatSync(abs);
  assert.equal(readFileSync(abs, "utf8"), "hello world");
  assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [1234, 5678, 0o4755]);
  assert.equal(xattrsAt, 0o4755, "xattrs come after chmod");
  assert.deepEqual([st.atimeMs, st.mtimeMs], [50_000, 60_000]);
  symlinkSync("/etc/passwd", join(dir, "link"));
  assert.throws(
    () => createFileSink(join(dir, "link"), 0o644, { uid: 0, gid: 0 }, { atime: 0, mtime: 0 }, () => {}),
    { code: "EEXIST" },
  );
});

test("setEntryXattrs: sets the entry's xattrs but overlay's own", () => {
  const abs = join(base, "x");
  mkdirSync(abs);
  const refused: string[] = [];
  const xattrs = new Map([
    ["trusted.overlay.opaque", Buffer.from("y")],
    ["user.berth", Buffer.from("v")],
  ]);
  setEntryXattrs(abs, entry({ xattrs }), (name) => refused.push(name));
  assert.deepEqual(refused, []);
  assert.equal(nativeSys().lgetxattr(abs, "trusted.overlay.opaque"), null);
  assert.deepEqual(nativeSys().lgetxattr(abs, "user.berth"), Buffer.from("v"));
});
