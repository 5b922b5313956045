import assert from "node:assert/strict";
import bcrypt from "bcryptjs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pushBlob, pushImage, testRegistry, type TestRegistry } from "../testkit.js";
import { parseBasic, parseHtpasswd } from "./htpasswd.js";
import { covers, parseScope } from "./scope.js";
import { TokenSigner } from "./token.js";

let dir: string;
let htpasswd: string;
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "berth-registry-auth-"));
  htpasswd = join(dir, "htpasswd");
  // htpasswd -B writes $2y$; bcryptjs reads it.
  const hash = bcrypt.hashSync("s3cret", 4).replace(/^\$2[ab]\$/, "$2y$");
  await writeFile(htpasswd, `# users\nalice:${hash}\nbob:{SHA}ignored\n`);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("pieces", () => {
  test("parseHtpasswd keeps bcrypt entries only", () => {
    const users = parseHtpasswd("a:$2y$05$abc\nb:plain\n#c:$2y$05$x\n\nd:$2b$10$zz\n");
    assert.deepEqual([...users.keys()], ["a", "d"]);
  });

  test("parseBasic", () => {
    assert.deepEqual(parseBasic(basic("u", "p:w")), { user: "u", password: "p:w" });
    assert.equal(parseBasic("Bearer x"), undefined);
    assert.equal(parseBasic(undefined), undefined);
  });

  test("scopes parse, with colons in names, and cover", () => {
    assert.deepEqual(parseScope("repository:localhost:5000/a:pull,push"), {
      type: "repository",
      name: "localhost:5000/a",
      actions: ["pull", "push"],
    });
    assert.equal(parseScope("nonsense"), undefined);
    const granted = [{ type: "repository", name: "a", actions: ["pull"] }];
    assert.equal(covers(granted, { type: "repository", name: "a", actions: ["pull"] }), true);
    assert.equal(covers(granted, { type: "repository", name: "a", actions: ["pull", "push"] }), false);
    assert.equal(covers(granted, { type: "repository", name: "b", actions: ["pull"] }), false);
    assert.equal(
      covers([{ type: "repository", name: "a", actions: ["*"] }], {
        type: "repository",
        name: "a",
        actions: ["delete"],
      }),
      true,
    );
  });

  test("tokens verify only with the key, the audience and before expiry", () => {
    const signer = new TokenSigner(Buffer.alloc(32, 1));
    const other = new TokenSigner(Buffer.alloc(32, 2));
    const t = signer.issue({ sub: "alice", aud: "svc", iss: "x", access: [] }, 60);
    assert.equal(signer.verify(t, "svc")?.sub, "alice");
    assert.equal(signer.verify(t, "other"), undefined);
    assert.equal(other.verify(t, "svc"), undefined);
    const [h, , s] = t.split(".");
    const forged = Buffer.from(JSON.stringify({ sub: "eve", aud: "svc", exp: 2e9, access: [] })).toString(
      "base64url",
    );
    assert.equal(signer.verify(`${h}.${forged}.${s}`, "svc"), undefined);
    assert.equal(
      signer.verify(signer.issue({ sub: "a", aud: "svc", iss: "x", access: [] }, -1), "svc"),
      undefined,
    );
  });
});

describe("basic auth", () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await testRegistry({ mode: "basic", htpasswd });
  });
  after(async () => {
    await reg.dispose();
  });

  test("no or wrong credentials: 401 UNAUTHORIZED with a Basic challenge", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: basic("alice", "wrong") },
      { Authorization: basic("bob", "x") },
    ];
    for (const headers of attempts) {
      const res = await fetch(`${reg.url}/v2/`, { headers });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("www-authenticate"), 'Basic realm="berth-registry"');
      const body = (await res.json()) as { errors: { code: string }[] };
      assert.equal(body.errors[0]?.code, "UNAUTHORIZED");
    }
    const blob = await fetch(`${reg.url}/v2/a/blobs/uploads/`, { method: "POST" });
    assert.equal(blob.status, 401);
  });

  test("valid credentials work", async () => {
    const auth = { Authorization: basic("alice", "s3cret") };
    assert.equal((await fetch(`${reg.url}/v2/`, { headers: auth })).status, 200);
    const img = await pushImage(reg.url, "private", "v1", "p", {}, auth);
    const res = await fetch(`${reg.url}/v2/private/manifests/v1`, { headers: auth });
    assert.equal(res.headers.get("docker-content-digest"), img.digest);
    assert.ok(reg.logs.some((l) => l.includes(" - alice [")));
  });
});

describe("token auth", () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await testRegistry({ mode: "token", htpasswd, service: "test-registry" });
  });
  after(async () => {
    await reg.dispose();
  });

  async function token(scope: string, auth = basic("alice", "s3cret")): Promise<Response> {
    const q = new URLSearchParams({ service: "test-registry", scope });
    return fetch(`${reg.url}/token?${q.toString()}`, { headers: { Authorization: auth } });
  }

  test("a request without a token gets a Bearer challenge naming the scope", async () => {
    const host = new URL(reg.url).host;
    const base = await fetch(`${reg.url}/v2/`);
    assert.equal(base.status, 401);
    assert.equal(
      base.headers.get("www-authenticate"),
      `Bearer realm="http://${host}/token",service="test-registry"`,
    );
    const pull = await fetch(`${reg.url}/v2/team/app/manifests/latest`);
    assert.equal(pull.status, 401);
    assert.equal(
      pull.headers.get("www-authenticate"),
      `Bearer realm="http://${host}/token",service="test-registry",scope="repository:team/app:pull"`,
    );
    const push = await fetch(`${reg.url}/v2/team/app/blobs/uploads/`, { method: "POST" });
    assert.match(push.headers.get("www-authenticate") ?? "", /scope="repository:team\/app:pull,push"$/);
  });

  test("the token endpoint needs valid credentials", async () => {
    const res = await token("repository:team/app:pull", basic("alice", "bad"));
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), 'Basic realm="berth-registry"');
  });

  test("a token for the challenged scope lets the request through, and only that scope", async () => {
    const res = await token("repository:team/app:pull,push");
    assert.equal(res.status, 200);
    const body = (await res.json()) as { token: string; access_token: string; expires_in: number };
    assert.equal(body.token, body.access_token);
    assert.equal(body.expires_in, 300);
    const auth = { Authorization: `Bearer ${body.token}` };
    assert.equal((await fetch(`${reg.url}/v2/`, { headers: auth })).status, 200);
    const d = await pushBlob(reg.url, "team/app", "with a token", auth);
    assert.equal((await fetch(`${reg.url}/v2/team/app/blobs/${d}`, { headers: auth })).status, 200);
    const elsewhere = await fetch(`${reg.url}/v2/team/other/blobs/${d}`, { headers: auth });
    assert.equal(elsewhere.status, 401);
    assert.match(elsewhere.headers.get("www-authenticate") ?? "", /error="insufficient_scope"/);
    // Mounting from a repository the token cannot pull falls back to an upload.
    const pullOther = (await (await token("repository:team/other:pull,push")).json()) as { token: string };
    const mount = await fetch(`${reg.url}/v2/team/other/blobs/uploads/?mount=${d}&from=team/app`, {
      method: "POST",
      headers: { Authorization: `Bearer ${pullOther.token}` },
    });
    assert.equal(mount.status, 202);
    const both = (await (
      await fetch(
        `${reg.url}/token?service=test-registry&scope=repository:team/other:pull,push&scope=repository:team/app:pull`,
        { headers: { Authorization: basic("alice", "s3cret") } },
      )
    ).json()) as { token: string };
    const mount2 = await fetch(`${reg.url}/v2/team/other/blobs/uploads/?mount=${d}&from=team/app`, {
      method: "POST",
      headers: { Authorization: `Bearer ${both.token}` },
    });
    assert.equal(mount2.status, 201);
  });

  test("a pull-only token cannot push", async () => {
    const { token: t } = (await (await token("repository:ro:pull")).json()) as { token: string };
    const res = await fetch(`${reg.url}/v2/ro/blobs/uploads/`, {
      method: "POST",
      headers: { Authorization: `Bearer ${t}` },
    });
    assert.equal(res.status, 401);
  });
});
