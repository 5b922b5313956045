import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isEngineError } from "../errors.js";
import { resolveAddGit } from "./addGitSource.js";

const a = "a".repeat(40);

test("resolveAddGit: a commit needs no ls-remote; remotes off loopback are refused before git runs", async () => {
  const scratchDir = mkdtempSync(join(tmpdir(), "addgit-unit-"));
  try {
    // Port 1 on loopback: nothing listens, and nothing is asked.
    assert.deepEqual(
      await resolveAddGit({ remote: "http://127.0.0.1:1/r.git", ref: a, subdir: "" }, { scratchDir }),
      {
        sha: a,
        ref: a,
      },
    );
    await assert.rejects(
      resolveAddGit({ remote: "http://0.0.0.0:1/r.git", ref: "v1", subdir: "" }, { scratchDir }),
      (err: unknown) => {
        assert.ok(isEngineError(err, "invalid"));
        assert.equal(
          err.message,
          "cloning from 0.0.0.0 is not allowed: this engine only fetches from loopback addresses",
        );
        return true;
      },
    );
    await assert.rejects(resolveAddGit({ remote: "host:r.git", ref: "", subdir: "" }, { scratchDir }), {
      message: /^cloning from host /,
    });
    assert.deepEqual(readdirSync(scratchDir), []);
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
});

test("resolveAddGit: ls-remote's failure is BuildKit's text with git's output", async () => {
  const scratchDir = mkdtempSync(join(tmpdir(), "addgit-unit-"));
  try {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    await assert.rejects(
      resolveAddGit({ remote: "http://127.0.0.1:1/r.git", ref: "main", subdir: "" }, { scratchDir }),
      {
        message:
          /^failed to fetch remote http:\/\/127\.0\.0\.1:1\/r\.git: fatal: unable to access .*: exit status 128$/s,
      },
    );
    await assert.rejects(
      resolveAddGit({ remote: "http://127.0.0.1:1/r.git", ref: "", subdir: "" }, { scratchDir }),
      {
        message: /^error fetching default branch for repository http:\/\/127\.0\.0\.1:1\/r\.git: fatal: /,
      },
    );
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
});
