import assert from "node:assert/strict";
import { access, readdir } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pushBlob, sha256, testRegistry, type TestRegistry } from "../testkit.js";

let reg: TestRegistry;
before(async () => {
  reg = await testRegistry();
});
after(async () => {
  await reg.dispose();
});

async function errorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { errors?: { code: string }[] };
  return body.errors?.[0]?.code;
}

async function startUpload(repo: string): Promise<string> {
  const res = await fetch(`${reg.url}/v2/${repo}/blobs/uploads/`, { method: "POST" });
  assert.equal(res.status, 202);
  assert.equal(res.headers.get("range"), "0-0");
  assert.ok(res.headers.get("docker-upload-uuid"));
  const loc = res.headers.get("location");
  assert.match(loc ?? "", new RegExp(`^/v2/${repo}/blobs/uploads/[0-9a-f-]{36}$`));
  return new URL(loc!, reg.url).href;
}

describe("base and names", () => {
  test("/v2/ answers 200 with the API version header", async () => {
    const res = await fetch(`${reg.url}/v2/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("docker-distribution-api-version"), "registry/2.0");
    assert.deepEqual(await res.json(), {});
  });

  test("invalid and path-escaping names are NAME_INVALID", async () => {
    for (const name of ["Upper", "a/%2E%2E%2Fb", "a//b", "-a", "x".repeat(256)]) {
      const res = await fetch(`${reg.url}/v2/${name}/blobs/uploads/`, { method: "POST" });
      assert.equal(res.status, 400, name);
      assert.equal(await errorCode(res), "NAME_INVALID");
    }
  });

  test("a method a route lacks is 405 UNSUPPORTED", async () => {
    const res = await fetch(`${reg.url}/v2/a/tags/list`, { method: "DELETE" });
    assert.equal(res.status, 405);
    assert.equal(await errorCode(res), "UNSUPPORTED");
  });
});

describe("uploads", () => {
  test("monolithic POST ?digest= stores the blob", async () => {
    const data = "hello monolithic";
    const digest = sha256(data);
    const res = await fetch(`${reg.url}/v2/mono/blobs/uploads/?digest=${digest}`, {
      method: "POST",
      body: data,
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get("location"), `/v2/mono/blobs/${digest}`);
    assert.equal(res.headers.get("docker-content-digest"), digest);
    const head = await fetch(`${reg.url}/v2/mono/blobs/${digest}`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(data.length));
    assert.equal(head.headers.get("docker-content-digest"), digest);
    const get = await fetch(`${reg.url}/v2/mono/blobs/${digest}`);
    assert.equal(await get.text(), data);
    const hex = digest.slice(7);
    await access(join(reg.root, "blobs", "sha256", hex.slice(0, 2), hex));
  });

  test("chunked PATCH with Content-Range, then PUT ?digest=", async () => {
    const loc = await startUpload("chunked");
    const p1 = await fetch(loc, { method: "PATCH", headers: { "Content-Range": "0-4" }, body: "hello" });
    assert.equal(p1.status, 202);
    assert.equal(p1.headers.get("range"), "0-4");
    const loc2 = new URL(p1.headers.get("location")!, reg.url).href;
    const p2 = await fetch(loc2, { method: "PATCH", headers: { "Content-Range": "5-10" }, body: " world" });
    assert.equal(p2.status, 202);
    assert.equal(p2.headers.get("range"), "0-10");
    const status = await fetch(loc2);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get("range"), "0-10");
    const digest = sha256("hello world!");
    const put = await fetch(`${loc2}?digest=${digest}`, { method: "PUT", body: "!" });
    assert.equal(put.status, 201);
    assert.equal(put.headers.get("docker-content-digest"), digest);
    assert.equal(await (await fetch(`${reg.url}/v2/chunked/blobs/${digest}`)).text(), "hello world!");
    assert.equal((await fetch(loc2)).status, 404, "the finished session is gone");
  });

  test("an out-of-order chunk is 416 with the current Range", async () => {
    const loc = await startUpload("order");
    await fetch(loc, { method: "PATCH", headers: { "Content-Range": "0-2" }, body: "abc" });
    const res = await fetch(loc, { method: "PATCH", headers: { "Content-Range": "5-7" }, body: "xyz" });
    assert.equal(res.status, 416);
    assert.equal(res.headers.get("range"), "0-2");
    const bad = await fetch(loc, { method: "PATCH", headers: { "Content-Range": "3-9" }, body: "xyz" });
    assert.equal(bad.status, 400, "Content-Range longer than the body");
    assert.equal(await errorCode(bad), "SIZE_INVALID");
  });

  test("a wrong digest is 400 DIGEST_INVALID and nothing is stored", async () => {
    const before = await blobCount();
    const wrong = sha256("something else");
    const res = await fetch(`${reg.url}/v2/wrong/blobs/uploads/?digest=${wrong}`, {
      method: "POST",
      body: "data",
    });
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), "DIGEST_INVALID");
    const loc = await startUpload("wrong");
    await fetch(loc, { method: "PATCH", body: "chunk" });
    const put = await fetch(`${loc}?digest=${wrong}`, { method: "PUT" });
    assert.equal(put.status, 400);
    assert.equal(await errorCode(put), "DIGEST_INVALID");
    assert.equal(await blobCount(), before);
    assert.equal((await fetch(`${reg.url}/v2/wrong/blobs/${wrong}`, { method: "HEAD" })).status, 404);
    assert.equal(
      (await fetch(`${reg.url}/v2/wrong/blobs/${sha256("data")}`, { method: "HEAD" })).status,
      404,
    );
    assert.deepEqual(
      await readdir(join(reg.root, "uploads")).then((l) => l.filter((id) => loc.endsWith(id))),
      [],
    );
  });

  test("a malformed digest is DIGEST_INVALID", async () => {
    const res = await fetch(`${reg.url}/v2/wrong/blobs/uploads/?digest=sha256:xyz`, {
      method: "POST",
      body: "d",
    });
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), "DIGEST_INVALID");
  });

  test("an interrupted chunk is resumed from the upload status", async () => {
    const data = Buffer.alloc(256 * 1024, 7);
    data.write("resume me");
    const loc = await startUpload("resume");
    const first = data.subarray(0, 100 * 1024);
    // Send part of a chunk, then drop the connection.
    const req = request(loc, { method: "PATCH", headers: { "Content-Length": String(data.length) } });
    req.on("error", () => undefined);
    req.write(first);
    let size = 0;
    for (let i = 0; i < 200 && size < first.length; i++) {
      await new Promise((r) => setTimeout(r, 10));
      const st = await fetch(loc);
      size = Number(st.headers.get("range")!.split("-")[1]) + 1;
    }
    req.destroy();
    assert.equal(size, first.length);
    await new Promise((r) => setTimeout(r, 50));
    // A server restart in between must not matter: the file is the state.
    const status = await fetch(loc);
    assert.equal(status.status, 204);
    const offset = Number(status.headers.get("range")!.split("-")[1]) + 1;
    assert.equal(offset, first.length);
    const rest = data.subarray(offset);
    const p = await fetch(loc, {
      method: "PATCH",
      headers: { "Content-Range": `${offset}-${data.length - 1}` },
      body: rest,
    });
    assert.equal(p.status, 202);
    const digest = sha256(data);
    const put = await fetch(`${loc}?digest=${digest}`, { method: "PUT" });
    assert.equal(put.status, 201);
    const got = Buffer.from(await (await fetch(`${reg.url}/v2/resume/blobs/${digest}`)).arrayBuffer());
    assert.ok(got.equals(data));
  });

  test("an upload survives a server restart", async () => {
    const other = await testRegistry(undefined);
    const loc = new URL(
      (await fetch(`${other.url}/v2/restart/blobs/uploads/`, { method: "POST" })).headers.get("location")!,
      other.url,
    ).pathname;
    await fetch(`${other.url}${loc}`, { method: "PATCH", body: "first half," });
    await other.close();
    const again = await testRegistry(undefined, other.root);
    try {
      const st = await fetch(`${again.url}${loc}`);
      assert.equal(st.headers.get("range"), "0-10");
      await fetch(`${again.url}${loc}`, {
        method: "PATCH",
        headers: { "Content-Range": "11-21" },
        body: "second half",
      });
      const digest = sha256("first half,second half");
      const put = await fetch(`${again.url}${loc}?digest=${digest}`, { method: "PUT" });
      assert.equal(put.status, 201);
    } finally {
      await again.dispose();
    }
  });

  test("DELETE cancels an upload", async () => {
    const loc = await startUpload("cancel");
    await fetch(loc, { method: "PATCH", body: "abc" });
    assert.equal((await fetch(loc, { method: "DELETE" })).status, 204);
    const res = await fetch(loc);
    assert.equal(res.status, 404);
    assert.equal(await errorCode(res), "BLOB_UPLOAD_UNKNOWN");
  });

  test("an upload belongs to its repository", async () => {
    const loc = await startUpload("owner");
    const res = await fetch(loc.replace("/owner/", "/thief/"));
    assert.equal(res.status, 404);
    assert.equal(await errorCode(res), "BLOB_UPLOAD_UNKNOWN");
  });

  test("concurrent uploads of the same blob all succeed", async () => {
    const data = Buffer.alloc(512 * 1024, 3);
    const digests = await Promise.all([1, 2, 3, 4].map((i) => pushBlob(reg.url, `same${i}`, data)));
    for (const [i, d] of digests.entries()) {
      const got = Buffer.from(await (await fetch(`${reg.url}/v2/same${i + 1}/blobs/${d}`)).arrayBuffer());
      assert.ok(got.equals(data));
    }
  });
});

async function blobCount(): Promise<number> {
  let n = 0;
  const base = join(reg.root, "blobs", "sha256");
  for (const p of await readdir(base).catch(() => [])) n += (await readdir(join(base, p))).length;
  return n;
}
