/**
 * The registry client against a scripted registry on 127.0.0.1: blobs that
 * lie about their digest, a multi-platform index, a transfer cut halfway
 * (resumed with Range), docker.io through a configured mirror, zstd layers,
 * distribution inspect and search.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import { hasZstd } from "../src/engine/distribution/index.js";
import { busyboxTar, startDaemon, stopClean, type RunResult, type TestDaemon } from "./harness/daemon.js";

const sha = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** An in-memory registry with knobs for misbehaving. */
class FakeRegistry {
  blobs = new Map<string, Buffer>();
  manifests = new Map<string, { type: string; bytes: Buffer }>();
  /** Digests served with other bytes. */
  tampered = new Set<string>();
  /** Digests whose first GET is cut after this many bytes. */
  cutOnce = new Map<string, number>();
  requests: { method: string; url: string; range?: string }[] = [];
  server: Server;
  port = 0;

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as { port: number }).port;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  addBlob(b: Buffer): { digest: string; size: number } {
    const digest = sha(b);
    this.blobs.set(digest, b);
    return { digest, size: b.length };
  }

  addManifest(repo: string, tags: string[], type: string, body: object): { digest: string; size: number } {
    const bytes = Buffer.from(JSON.stringify(body));
    const digest = sha(bytes);
    for (const t of [...tags, digest]) this.manifests.set(`${repo}:${t}`, { type, bytes });
    return { digest, size: bytes.length };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const range = req.headers.range;
    this.requests.push({ method: req.method ?? "", url: req.url ?? "", ...(range ? { range } : {}) });
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/v2/") return void res.writeHead(200).end("{}");
    if (url.pathname === "/v1/search") {
      const q = url.searchParams.get("q");
      const results =
        q === "busybox"
          ? [
              {
                name: "library/busybox",
                description: "tiny",
                star_count: 3,
                is_official: true,
                is_automated: false,
              },
            ]
          : [];
      return void res
        .writeHead(200, { "Content-Type": "application/json" })
        .end(JSON.stringify({ query: q, results }));
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (m === null) return void res.writeHead(404).end();
    const [, repo, kind, ref] = m as unknown as [string, string, string, string];
    if (kind === "manifests") {
      const man = this.manifests.get(`${repo}:${ref}`);
      if (!man) {
        res.writeHead(404, { "Content-Type": "application/json" });
        return void res.end(
          JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }),
        );
      }
      res.writeHead(200, {
        "Content-Type": man.type,
        "Docker-Content-Digest": sha(man.bytes),
        "Content-Length": man.bytes.length,
      });
      return void res.end(req.method === "HEAD" ? undefined : man.bytes);
    }
    let blob = this.blobs.get(ref);
    if (!blob) return void res.writeHead(404).end();
    if (this.tampered.has(ref)) blob = Buffer.from(blob.map((x) => x ^ 1));
    const start = range ? Number(/bytes=(\d+)-/.exec(range)?.[1] ?? 0) : 0;
    const body = blob.subarray(start);
    const headers: Record<string, string | number> = {
      "Content-Type": "application/octet-stream",
      "Content-Length": body.length,
    };
    if (start > 0) headers["Content-Range"] = `bytes ${start}-${blob.length - 1}/${blob.length}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    const cut = this.cutOnce.get(ref);
    if (cut !== undefined && req.method === "GET") {
      this.cutOnce.delete(ref);
      res.write(body.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body);
  }
}

const fake = new FakeRegistry();
let d: TestDaemon;
let layerTar: Buffer;
let layer: { digest: string; size: number };
const configs: Record<string, { digest: string; size: number; bytes: Buffer }> = {};

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what}: ${r.stdout}\n${r.stderr}`);
  return r;
}

function imageConfig(arch: string, variant?: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: arch,
      ...(variant ? { variant } : {}),
      os: "linux",
      created: "2024-01-01T00:00:00Z",
      config: { Cmd: ["sh"], Env: [`ARCH=${arch}`] },
      rootfs: { type: "layers", diff_ids: [sha(layerTar)] },
      history: [{ created: "2024-01-01T00:00:00Z", created_by: "import" }],
    }),
  );
}

function schema2(
  config: { digest: string; size: number },
  layers: { digest: string; size: number; mediaType?: string }[],
) {
  return {
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { mediaType: "application/vnd.docker.container.image.v1+json", ...config },
    layers: layers.map((l) => ({ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", ...l })),
  };
}

before(async () => {
  await fake.start();
  layerTar = busyboxTar();
  layer = fake.addBlob(gzipSync(layerTar));
  for (const [arch, variant] of [["amd64"], ["arm64", "v8"]] as [string, string | undefined][]) {
    const bytes = imageConfig(arch, variant);
    configs[arch] = { ...fake.addBlob(bytes), bytes };
  }
  const amd = fake.addManifest(
    "multi/bb",
    [],
    "application/vnd.docker.distribution.manifest.v2+json",
    schema2(configs.amd64!, [layer]),
  );
  const arm = fake.addManifest(
    "multi/bb",
    [],
    "application/vnd.docker.distribution.manifest.v2+json",
    schema2(configs.arm64!, [layer]),
  );
  fake.addManifest("multi/bb", ["latest"], "application/vnd.oci.image.index.v1+json", {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [
      {
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        ...arm,
        platform: { architecture: "arm64", os: "linux", variant: "v8" },
      },
      {
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        ...amd,
        platform: { architecture: "amd64", os: "linux" },
      },
    ],
  });
  for (const repo of ["plain/bb", "library/busybox", "cut/bb", "bad/bb"]) {
    fake.addManifest(
      repo,
      ["latest"],
      "application/vnd.docker.distribution.manifest.v2+json",
      schema2(configs.amd64!, [layer]),
    );
  }
  fake.addManifest("zstd/bb", ["latest"], "application/vnd.oci.image.manifest.v1+json", {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...configs.amd64! },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+zstd", ...layer }],
  });
  d = await startDaemon({ extraArgs: ["--registry-mirror", `http://${fake.host}`] });
});

after(async () => {
  await stopClean(d);
  await new Promise((r) => fake.server.close(r));
});

/** Removes every image so the next pull downloads the layer again. */
async function clean(): Promise<void> {
  const ids = ok(await d.docker(["images", "-q", "--no-trunc"]), "images").stdout.trim();
  if (ids !== "") ok(await d.docker(["rmi", "-f", ...new Set(ids.split("\n"))]), "rmi");
}

test("a blob that does not match its digest is refused", async () => {
  await clean();
  fake.tampered.add(layer.digest);
  try {
    const r = await d.berth(["pull", `${fake.host}/bad/bb`]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, new RegExp(`filesystem layer verification failed for digest ${layer.digest}`));
    const images = ok(await d.docker(["images", "-q"]), "images");
    assert.equal(images.stdout, "");
  } finally {
    fake.tampered.delete(layer.digest);
  }
});

test("a multi-platform index: the host's platform by default, --platform for another", async () => {
  await clean();
  const r = ok(await d.berth(["pull", `${fake.host}/multi/bb`]), "pull");
  const index = fake.manifests.get("multi/bb:latest")!;
  assert.match(r.stdout, new RegExp(`Digest: ${sha(index.bytes)}\\n`));
  const id = ok(
    await d.docker(["image", "inspect", "-f", "{{.Id}} {{.Architecture}}", `${fake.host}/multi/bb`]),
    "inspect",
  );
  assert.equal(id.stdout, `${configs.amd64!.digest} amd64\n`);
  const digests = ok(
    await d.docker(["image", "inspect", "-f", "{{json .RepoDigests}}", `${fake.host}/multi/bb`]),
    "digests",
  );
  assert.deepEqual(JSON.parse(digests.stdout), [`${fake.host}/multi/bb@${sha(index.bytes)}`]);

  const arm = ok(await d.berth(["pull", "--platform", "linux/arm64", `${fake.host}/multi/bb`]), "pull arm64");
  assert.match(arm.stdout, /Already exists/);
  const armId = ok(
    await d.docker(["image", "inspect", "-f", "{{.Id}} {{.Architecture}}", `${fake.host}/multi/bb`]),
    "inspect",
  );
  assert.equal(armId.stdout, `${configs.arm64!.digest} arm64\n`);

  const none = await d.berth(["pull", "--platform", "linux/s390x", `${fake.host}/multi/bb`]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no matching manifest for linux\/s390x in the manifest list entries/);
});

test("distribution inspect lists the index's platforms", async () => {
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(
      { socketPath: d.socket, path: `/v1.41/distribution/${fake.host}/multi/bb/json`, method: "GET" },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve(text));
      },
    );
    req.on("error", reject);
    req.end();
  });
  const parsed = JSON.parse(body) as {
    Descriptor: { digest: string; mediaType: string };
    Platforms: { architecture: string }[];
  };
  assert.equal(parsed.Descriptor.digest, sha(fake.manifests.get("multi/bb:latest")!.bytes));
  assert.equal(parsed.Descriptor.mediaType, "application/vnd.oci.image.index.v1+json");
  assert.deepEqual(
    parsed.Platforms.map((p) => p.architecture),
    ["arm64", "amd64"],
  );
});

test("a download cut halfway is resumed with Range", async () => {
  await clean();
  fake.cutOnce.set(layer.digest, Math.floor(layer.size / 3));
  const before = fake.requests.length;
  const r = ok(await d.berth(["pull", `${fake.host}/cut/bb`]), "pull");
  assert.match(r.stdout, /: Pull complete\n/);
  const gets = fake.requests.slice(before).filter((q) => q.url.endsWith(`/blobs/${layer.digest}`));
  assert.equal(gets.length, 2, JSON.stringify(gets));
  assert.equal(gets[1]!.range, `bytes=${Math.floor(layer.size / 3)}-`);
  const id = ok(await d.docker(["image", "inspect", "-f", "{{.Id}}", `${fake.host}/cut/bb`]), "inspect");
  assert.equal(id.stdout.trim(), configs.amd64!.digest);
});

test("docker.io names go to the configured mirror", async () => {
  await clean();
  const before = fake.requests.length;
  const r = ok(await d.docker(["pull", "busybox"]), "docker pull busybox");
  assert.match(r.stdout, /latest: Pulling from library\/busybox\n/);
  assert.match(r.stdout, /docker\.io\/library\/busybox:latest\n$/);
  assert.ok(fake.requests.slice(before).some((q) => q.url === "/v2/library/busybox/manifests/latest"));
  const push = await d.berth(["push", "busybox"]);
  assert.equal(push.code, 1);
  assert.match(push.stderr, /docker\.io is not reachable from this engine/);
});

test(
  "zstd layers get a clear error on a Node.js without a zstd decoder",
  { skip: hasZstd() && "this Node.js has zstd" },
  async () => {
    await clean();
    const r = await d.berth(["pull", `${fake.host}/zstd/bb`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /zstd-compressed layers cannot be unpacked/);
  },
);

test("search uses the registry's v1 search API", async () => {
  const r = ok(await d.berth(["search", `${fake.host}/busybox`]), "search");
  assert.match(r.stdout, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL\nlibrary\/busybox\s+tiny\s+3\s+\[OK\]\n$/);
  const dk = ok(
    await d.docker(["search", "--format", "{{.Name}} {{.StarCount}}", `${fake.host}/busybox`]),
    "docker search",
  );
  assert.equal(dk.stdout, "library/busybox 3\n");
});
