/**
 * A real client against the server: skopeo (containers/image) copies an OCI
 * layout into the registry and back, anonymously, with Basic auth and with
 * the Bearer token flow. Skipped when skopeo is not installed.
 */
import assert from "node:assert/strict";
import bcrypt from "bcryptjs";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { runCommand } from "../engine/host/command.js";
import { testRegistry, type TestRegistry } from "./testkit.js";

const skopeo = ["/usr/bin/skopeo", "/usr/local/bin/skopeo"].find((p) => existsSync(p));

let dir: string;
let layout: string;
let htpasswd: string;
let manifestDigest: string;

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** A one-file tar (ustar header + data + end blocks). */
function tarOf(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(data.length.toString(8).padStart(11, "0") + "\0", 124);
  header.write("00000000000\0", 136);
  header.write("        ", 148);
  header.write("0", 156);
  header.write("ustar\0", 257);
  header.write("00", 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, pad, Buffer.alloc(1024)]);
}

async function writeBlob(root: string, b: Buffer): Promise<string> {
  const hex = sha(b);
  await writeFile(join(root, "blobs", "sha256", hex), b);
  return `sha256:${hex}`;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "berth-registry-skopeo-"));
  layout = join(dir, "src");
  await mkdir(join(layout, "blobs", "sha256"), { recursive: true });
  await writeFile(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const tar = tarOf("hello.txt", "hello from berth\n");
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: [`sha256:${sha(tar)}`] },
      config: {},
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: await writeBlob(layout, config),
        size: config.length,
      },
      layers: [
        {
          mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
          digest: await writeBlob(layout, layer),
          size: layer.length,
        },
      ],
    }),
  );
  manifestDigest = await writeBlob(layout, manifest);
  await writeFile(
    join(layout, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: manifestDigest,
          size: manifest.length,
          annotations: { "org.opencontainers.image.ref.name": "v1" },
        },
      ],
    }),
  );
  htpasswd = join(dir, "htpasswd");
  await writeFile(htpasswd, `alice:${bcrypt.hashSync("s3cret", 4)}\n`);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function copy(from: string, to: string, extra: string[] = []): Promise<unknown> {
  return runCommand([skopeo!, "--insecure-policy", "copy", ...extra, from, to], { timeoutMs: 60_000 });
}

async function roundTrip(reg: TestRegistry, repo: string, creds?: string): Promise<void> {
  const host = new URL(reg.url).host;
  const dest = creds ? ["--dest-creds", creds] : [];
  const src = creds ? ["--src-creds", creds] : [];
  await copy(`oci:${layout}:v1`, `docker://${host}/${repo}:v1`, ["--dest-tls-verify=false", ...dest]);
  const pushed = new RegExp(`"PUT /v2/${repo}/manifests/v1 HTTP/1.1" 201 `);
  assert.ok(
    reg.logs.some((l) => pushed.test(l)),
    reg.logs.join("\n"),
  );
  const res = await fetch(`${reg.url}/v2/${repo}/manifests/v1`, { method: "HEAD" });
  assert.equal(res.status, creds ? 401 : 200);
  if (process.env.BERTH_TEST_REGISTRY_LOG) console.log(reg.logs.join("\n"));
  const out = join(dir, `out-${repo.replace(/\//g, "-")}`);
  await copy(`docker://${host}/${repo}:v1`, `oci:${out}:v1`, ["--src-tls-verify=false", ...src]);
  const index = JSON.parse(await readFile(join(out, "index.json"), "utf8")) as {
    manifests: { digest: string }[];
  };
  assert.equal(index.manifests[0]?.digest, manifestDigest, "the image comes back byte for byte");
}

describe("skopeo", { skip: skopeo === undefined ? "skopeo is not installed" : false }, () => {
  test("copies an OCI layout into the registry and back", async () => {
    const reg = await testRegistry();
    try {
      await roundTrip(reg, "skopeo/anon");
      // A second repository gets the blobs by cross-repository mount or a plain upload; either way it works.
      await roundTrip(reg, "skopeo/again");
    } finally {
      await reg.dispose();
    }
  });

  test("with Basic auth", async () => {
    const reg = await testRegistry({ mode: "basic", htpasswd });
    try {
      await roundTrip(reg, "skopeo/basic", "alice:s3cret");
      await assert.rejects(
        copy(`oci:${layout}:v1`, `docker://${new URL(reg.url).host}/skopeo/basic:v2`, [
          "--dest-tls-verify=false",
          "--dest-creds",
          "alice:wrong",
        ]),
      );
    } finally {
      await reg.dispose();
    }
  });

  test("with the Bearer token flow", async () => {
    const reg = await testRegistry({ mode: "token", htpasswd });
    try {
      await roundTrip(reg, "skopeo/token", "alice:s3cret");
      assert.ok(reg.logs.some((l) => l.includes('"GET /token HTTP/1.1" 200')));
    } finally {
      await reg.dispose();
    }
  });
});
