import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isEngineError } from "../errors.js";
import { cloneGitContext, cloneGitRemote, gitSubdir } from "./gitContext.js";

test("gitSubdir: the subdirectory stays inside the checkout, with Docker's texts", async () => {
  const root = mkdtempSync(join(tmpdir(), "gitctx-unit-"));
  try {
    mkdirSync(join(root, "a/b"), { recursive: true });
    writeFileSync(join(root, "file"), "x");
    symlinkSync("/", join(root, "toRoot"));
    symlinkSync("../../..", join(root, "a/up"));
    assert.equal(await gitSubdir(root, ""), root);
    assert.equal(await gitSubdir(root, "a/b"), join(root, "a/b"));
    assert.equal(await gitSubdir(root, "./a/../a/b/"), join(root, "a/b"));
    assert.equal(await gitSubdir(root, "/a"), join(root, "a"), "absolute: inside the checkout");
    // Symlinks resolve inside the checkout, as FollowSymlinkInScope does.
    assert.equal(await gitSubdir(root, "toRoot/a"), join(root, "a"));
    assert.equal(await gitSubdir(root, "a/up"), root);
    await assert.rejects(gitSubdir(root, "../etc"), {
      message: `error setting git context, "../etc" not within git root: evalSymlinksInScope: ${join(root, "../etc")} is not in ${root}`,
    });
    await assert.rejects(gitSubdir(root, "nosuch"), {
      message: `stat ${join(root, "nosuch")}: no such file or directory`,
    });
    await assert.rejects(gitSubdir(root, "file"), {
      message: `error setting git context, not a directory: ${join(root, "file")}`,
    });
    await assert.rejects(gitSubdir(root, "a/../.."), (err: unknown) => isEngineError(err, "internal"));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("cloneGitContext: refused before anything runs, nothing left behind", async () => {
  const parent = mkdtempSync(join(tmpdir(), "gitctx-unit-"));
  try {
    // 0.0.0.0 is not loopback by name, yet stays on this machine were it ever contacted.
    await assert.rejects(cloneGitContext("http://0.0.0.0:1/r.git", parent), (err: unknown) => {
      assert.ok(isEngineError(err, "invalid"));
      assert.equal(
        err.message,
        "cloning from 0.0.0.0 is not allowed: this engine only fetches from loopback addresses",
      );
      return true;
    });
    await assert.rejects(cloneGitContext("git@0.0.0.0:r.git", parent), {
      message: /^cloning from 0\.0\.0\.0 /,
    });
    await assert.rejects(cloneGitContext("http://127.0.0.1:1/r.git#-x", parent), {
      message: "invalid refspec: -x",
    });
    // A remote split by the caller (ADD's git sources): an scp-like host without a user too.
    await assert.rejects(cloneGitRemote({ remote: "0.0.0.0:r.git", ref: "v1", subdir: "" }, parent), {
      message: /^cloning from 0\.0\.0\.0 /,
    });
    assert.deepEqual(readdirSync(parent), []);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test("cloneGitContext: a failed fetch is Docker's error with git's output; the directory goes", async () => {
  const parent = mkdtempSync(join(tmpdir(), "gitctx-unit-"));
  try {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    await assert.rejects(cloneGitContext("http://127.0.0.1:1/r.git", parent), (err: unknown) => {
      assert.ok(isEngineError(err, "internal"));
      assert.match(
        err.message,
        /^error fetching: fatal: unable to access 'http:\/\/127\.0\.0\.1:1\/r\.git\/': .*\n: exit status 128$/s,
      );
      return true;
    });
    assert.deepEqual(readdirSync(parent), []);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test("cloneGitContext: the build's abort kills git mid-fetch; its timeout too", async () => {
  const parent = mkdtempSync(join(tmpdir(), "gitctx-unit-"));
  let asked = 0;
  // A loopback server that never answers: git waits until it is killed.
  const server = createServer(() => void asked++);
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/r.git`;
  try {
    const ac = new AbortController();
    const clone = cloneGitContext(url, parent, { signal: ac.signal });
    while (asked === 0) await new Promise((ok) => setTimeout(ok, 20));
    ac.abort();
    await assert.rejects(clone, { message: /^error fetching: .*: signal: killed$/s });
    await assert.rejects(cloneGitContext(url, parent, { timeoutMs: 300 }), {
      message: /^error fetching: .*: signal: killed \(the clone took more than 300ms\)$/s,
    });
    assert.deepEqual(readdirSync(parent), []);
  } finally {
    server.closeAllConnections();
    server.close();
    rmSync(parent, { recursive: true, force: true });
  }
});
