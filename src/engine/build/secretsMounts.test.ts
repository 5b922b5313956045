import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { lstatSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRunMount } from "./dockerfile/index.js";
import { buildSecrets } from "./secrets.js";
import { secretMount, sshMount } from "./secretsMounts.js";

const mount = (spec: string) => parseRunMount(spec, (w) => w);

describe("secret and ssh mounts", () => {
  it("binds a secret read-only at /run/secrets/<id> (0400, root) or sets an env variable", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "berth-secret-"));
    try {
      const secrets = buildSecrets([{ id: "tok", data: Buffer.from("s3cret") }], []);
      const r = await secretMount(mount("type=secret,id=tok"), secrets, "/", scratch);
      assert.ok(r?.mount?.type === "bind");
      assert.equal(r.mount.target, "/run/secrets/tok");
      assert.equal(r.mount.readOnly, true);
      assert.equal(readFileSync(r.mount.source, "utf8"), "s3cret");
      const st = lstatSync(r.mount.source);
      assert.equal(st.mode & 0o7777, 0o400);
      assert.equal(st.uid, 0);
      assert.ok(!r.key.includes("s3cret"), "the value is not in the cache key");
      const source = r.mount.source;
      await r.cleanup?.();
      assert.throws(() => lstatSync(source), /ENOENT/);

      const custom = await secretMount(
        mount("type=secret,id=tok,target=rel/t,mode=0440,uid=7,gid=8"),
        secrets,
        "/work",
        scratch,
      );
      assert.equal(custom?.mount?.target, "/work/rel/t");
      const cst = lstatSync(custom?.mount?.type === "bind" ? custom.mount.source : "");
      assert.deepEqual([cst.mode & 0o7777, cst.uid, cst.gid], [0o440, 7, 8]);
      await custom?.cleanup?.();

      const env = await secretMount(mount("type=secret,id=tok,env=TOKEN"), secrets, "/", scratch);
      assert.equal(env?.env, "TOKEN=s3cret");
      assert.equal(env?.mount, undefined, "env= without target: no file");
      const byTarget = await secretMount(mount("type=secret,target=/x/tok"), secrets, "/", scratch);
      assert.equal(byTarget?.mount?.target, "/x/tok", "the id defaults to the target's base name");
      await byTarget?.cleanup?.();

      assert.equal(await secretMount(mount("type=secret,id=missing"), secrets, "/", scratch), undefined);
      await assert.rejects(
        secretMount(mount("type=secret,id=missing,required"), secrets, "/", scratch),
        /secret missing: not found/,
      );
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("forwards an ssh agent socket through a proxy with the mount's mode", async () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-agent-"));
    const agentPath = join(dir, "agent.sock");
    const agent = createServer((c) =>
      c.on("data", (b) => c.write(Buffer.concat([Buffer.from("agent:"), b]))),
    );
    await new Promise<void>((r) => agent.listen(agentPath, r));
    try {
      const secrets = buildSecrets([], [{ id: "default", path: agentPath }]);
      const r = await sshMount(mount("type=ssh"), secrets, "/", 0);
      assert.ok(r?.mount?.type === "bind");
      assert.equal(r.mount.target, "/run/buildkit/ssh_agent.0");
      assert.equal(r.env, "SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0");
      assert.equal(lstatSync(r.mount.source).mode & 0o777, 0o600);
      const reply = await new Promise<string>((res, rej) => {
        const c = createConnection(r.mount?.type === "bind" ? r.mount.source : "");
        c.on("error", rej).on("data", (b) => {
          res(b.toString());
          c.end();
        });
        c.write("hello");
      });
      assert.equal(reply, "agent:hello");
      await r.cleanup?.();
      assert.throws(() => lstatSync(r.mount?.type === "bind" ? r.mount.source : ""), /ENOENT/);

      const second = await sshMount(mount("type=ssh,target=/agent"), secrets, "/", 1);
      assert.equal(second?.env, undefined, "only the first ssh mount sets SSH_AUTH_SOCK");
      await second?.cleanup?.();
      assert.equal(await sshMount(mount("type=ssh,id=other"), secrets, "/", 0), undefined);
      await assert.rejects(
        sshMount(mount("type=ssh,id=other,required"), secrets, "/", 0),
        /no SSH key "other"/,
      );
      const notSock = buildSecrets([], [{ id: "default", path: dir }]);
      await assert.rejects(sshMount(mount("type=ssh"), notSock, "/", 0), /is not a socket/);
    } finally {
      agent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
