import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContextMirrors } from "./contextMirror.js";
import { buildSecrets } from "./secrets.js";
import { BuildSessions } from "./session.js";

const noSecrets = () => buildSecrets([], []);
const file = { path: "f", type: "file", mode: 0o644, uid: 0, gid: 0, mtime: 0, size: 1, sig: "s" };

describe("build sessions", () => {
  it("answers the files to send, is claimed once, and gives its mirror back when it expires", async () => {
    const root = mkdtempSync(join(tmpdir(), "berth-session-"));
    try {
      const mirrors = new ContextMirrors(root);
      const sessions = new BuildSessions(mirrors, 30);
      const s = await sessions.open({ key: "k", manifest: [file], secrets: noSecrets() });
      assert.deepEqual(s.need, ["f"]);
      assert.equal(s.files, 1);
      const claimed = sessions.claim(s.id);
      assert.ok(claimed.context);
      claimed.context.lease.abandon();
      assert.throws(() => sessions.claim(s.id), /not found: it expired or a build used it already/);

      const secret = Buffer.from("hunter2");
      const late = await sessions.open({
        key: "k",
        secrets: buildSecrets([{ id: "tok", data: secret }], []),
      });
      assert.equal(late.need.length, 0);
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(sessions.size, 0);
      assert.throws(() => sessions.claim(late.id), /not found/);
      assert.equal(secret.toString(), "\0".repeat(7), "an expired session's secrets are wiped");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("checks the manifest and the secrets before leasing anything", async () => {
    const sessions = new BuildSessions(new ContextMirrors("/nonexistent/never-created"), 30);
    await assert.rejects(
      sessions.open({ key: "k", manifest: [{ ...file, path: "../x" }], secrets: noSecrets() }),
      /invalid build context manifest: unsafe path/,
    );
    assert.throws(() => buildSecrets([{ id: "a b", data: Buffer.alloc(1) }], []), /invalid secret id/);
    assert.throws(() => buildSecrets([{ id: "a", data: Buffer.alloc(500 * 1024 + 1) }], []), /too big/);
    assert.throws(
      () =>
        buildSecrets(
          [
            { id: "a", data: Buffer.alloc(1) },
            { id: "a", data: Buffer.alloc(1) },
          ],
          [],
        ),
      /given twice/,
    );
    assert.throws(() => buildSecrets([], [{ id: "default", path: "relative.sock" }]), /absolute path/);
  });
});
