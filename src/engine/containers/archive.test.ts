import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import type { ContainerId } from "../ids.js";
import { buildTar } from "../layers/testTar.js";
import { TarReader, type TarEntry } from "../layers/tarReader.js";
import { ContainerArchive, viewMounts } from "./archive.js";
import type { ContainerAccess } from "./extrasDeps.js";
import type { Container } from "./model.js";
import { containerRecord, containerSpec, hostSpec } from "./testdata.js";

interface Fixture {
  dir: string;
  root: string;
  outside: string;
  bind: string;
  archive: ContainerArchive;
  events: string[];
  mounts: number;
  unmounts: number;
  cleanup(): void;
}

/** A container whose "merged" root is a plain dir, with a bind mount at /data and hostile links. */
function fixture(over: Partial<Container> = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), "berth-archive-"));
  const root = join(dir, "root");
  const outside = join(dir, "outside");
  const bind = join(dir, "bind");
  for (const d of [
    root,
    outside,
    bind,
    join(root, "etc"),
    join(root, "tmp"),
    join(root, "data"),
    join(dir, "files"),
  ]) {
    mkdirSync(d, { recursive: true });
  }
  writeFileSync(
    join(root, "etc", "passwd"),
    "root:x:0:0:root:/root:/bin/sh\nbob:x:1000:1001::/home/bob:/bin/sh\n",
  );
  writeFileSync(join(root, "etc", "group"), "root:x:0:\nbob:x:1001:\n");
  writeFileSync(join(outside, "secret"), "host secret\n");
  symlinkSync("/etc", join(root, "tmp", "etclink"));
  symlinkSync("../../../../../..", join(root, "tmp", "up"));
  symlinkSync(outside, join(root, "tmp", "abs-out"));
  writeFileSync(join(bind, "inbind"), "bound\n");
  for (const f of ["hosts", "resolv.conf", "hostname"]) writeFileSync(join(dir, "files", f), `${f}\n`);
  const c = containerRecord("c1", "c1", {
    spec: containerSpec({
      host: hostSpec({
        mounts: [{ type: "bind", source: bind, target: "/data", readOnly: false, propagation: "rprivate" }],
      }),
    }),
    ...over,
  });
  const events: string[] = [];
  const f: Fixture = {
    dir,
    root,
    outside,
    bind,
    events,
    mounts: 0,
    unmounts: 0,
    archive: undefined as unknown as ContainerArchive,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  const access: ContainerAccess = {
    get: () => c,
    withLock: (_ref, fn) => fn(c, () => undefined),
    publish: (_c, action) => events.push(action),
    paths: (id: ContainerId) => ({
      dir,
      bundle: dir,
      hosts: join(dir, "files", "hosts"),
      resolvConf: join(dir, "files", "resolv.conf"),
      hostname: join(dir, "files", "hostname"),
      log: join(dir, `${id}.log`),
      shm: join(dir, "shm"),
    }),
  };
  f.archive = new ContainerArchive(access, {
    mount: async () => {
      f.mounts++;
      return root;
    },
    unmount: async () => {
      f.unmounts++;
    },
  });
  return f;
}

async function entries(tar: Readable): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  const reader = new TarReader({ meta: () => undefined, entry: (e) => (out.push(e), undefined) });
  for await (const chunk of tar) reader.feed(chunk as Buffer);
  reader.finish();
  return out;
}

const put = (f: Fixture, path: string, tar: Buffer, copyUidGid = false) =>
  f.archive.extractToDir("c1", path, Readable.from([tar]), { noOverwriteDirNonDir: true, copyUidGid });

test("stat follows links inside the container only and reports the resolved target", async () => {
  const f = fixture();
  try {
    const s = await f.archive.statPath("c1", "/tmp/etclink");
    assert.equal(s.name, "etclink");
    assert.equal(s.linkTarget, "/etc");
    const up = await f.archive.statPath("c1", "/tmp/up");
    assert.equal(up.linkTarget, "/");
    const abs = await f.archive.statPath("c1", "/tmp/abs-out");
    assert.equal(abs.linkTarget, f.outside, "an absolute target is a path in the container, not the host");
    await assert.rejects(
      f.archive.statPath("c1", "/tmp/abs-out/secret"),
      /Could not find the file \/tmp\/abs-out\/secret in container c1/,
    );
    await assert.rejects(f.archive.statPath("c1", "/nope"), { kind: "not-found" });
    assert.equal(f.mounts, 2 + 2 + 1, "every call mounts");
    assert.equal(f.unmounts, f.mounts, "a stopped container is unmounted after each call");
  } finally {
    f.cleanup();
  }
});

test("archive of a path through ../.. links reads the container's files, never the host's", async () => {
  const f = fixture();
  try {
    const { stat, tar } = await f.archive.archivePath("c1", "/tmp/up/etc/passwd");
    assert.equal(stat.name, "passwd");
    const list = await entries(tar);
    assert.deepEqual(
      list.map((e) => e.name),
      ["passwd"],
    );
    const dir = await f.archive.archivePath("c1", "/tmp/etclink/");
    assert.deepEqual(
      (await entries(dir.tar)).map((e) => e.name),
      ["etclink/", "etclink/group", "etclink/passwd"],
    );
    const contents = await f.archive.archivePath("c1", "/etc/.");
    assert.deepEqual(
      (await entries(contents.tar)).map((e) => e.name),
      ["./", "./group", "./passwd"],
    );
    assert.deepEqual(f.events, ["archive-path", "archive-path", "archive-path"]);
  } finally {
    f.cleanup();
  }
});

test("archive crosses into bind mounts and the generated /etc files", async () => {
  const f = fixture();
  try {
    const { tar } = await f.archive.archivePath("c1", "/data");
    assert.deepEqual(
      (await entries(tar)).map((e) => e.name),
      ["data/", "data/inbind"],
    );
    const hosts = await f.archive.archivePath("c1", "/etc/hosts");
    const [e] = await entries(hosts.tar);
    assert.equal(e?.name, "hosts");
    assert.equal(e?.size, "hosts\n".length);
  } finally {
    f.cleanup();
  }
});

test("extract through hostile links lands inside the container", async () => {
  const f = fixture();
  try {
    await put(f, "/tmp/up", buildTar([{ name: "escaped", content: "x" }]));
    assert.ok(existsSync(join(f.root, "escaped")));
    await put(f, "/tmp/etclink", buildTar([{ name: "new", content: "y" }]));
    assert.equal(readFileSync(join(f.root, "etc", "new"), "utf8"), "y");
    await put(f, "/tmp/abs-out", buildTar([{ name: "z", content: "z" }])).catch(() => undefined);
    assert.equal(existsSync(join(f.outside, "z")), false, "never written through a link to a host path");
    // An archive that plants a link and then writes through it.
    await put(
      f,
      "/tmp",
      buildTar([
        { name: "evil", type: "2", linkname: "/" },
        { name: "evil/planted", content: "p" },
      ]),
    );
    assert.ok(existsSync(join(f.root, "planted")));
    assert.equal(readlinkSync(join(f.root, "tmp", "evil")), "/");
    await assert.rejects(put(f, "/tmp", buildTar([{ name: "../../x", content: "x" }])), { kind: "invalid" });
    await assert.rejects(
      put(f, "/tmp", buildTar([{ name: "rel", type: "2", linkname: "../../../../etc" }])),
      /invalid symlink/,
    );
    assert.deepEqual(f.events.filter((e) => e === "extract-to-dir").length, 3);
  } finally {
    f.cleanup();
  }
});

test("extract: errors and ownership as dockerd gives them", async () => {
  const f = fixture({ config: { ...containerRecord("c1", "c1").config, user: "bob" } });
  try {
    await assert.rejects(put(f, "/nope", buildTar([])), /Could not find the file \/nope in container c1/);
    await assert.rejects(put(f, "/etc/passwd", buildTar([])), /extraction point is not a directory/);
    await assert.rejects(
      put(f, "/", buildTar([{ name: "etc", content: "file over dir" }])),
      /cannot overwrite directory/,
    );
    await put(f, "/data", buildTar([{ name: "viaBind", content: "b", uid: 7, gid: 8 }]));
    assert.ok(existsSync(join(f.bind, "viaBind")), "a path in a bind mount goes to its source");
    await put(f, "/tmp", buildTar([{ name: "owned", content: "o", uid: 7, gid: 8 }]), true);
    const { lstatSync } = await import("node:fs");
    assert.equal(lstatSync(join(f.root, "tmp", "owned")).uid, 1000, "-a gives the container user's ids");
    assert.equal(lstatSync(join(f.bind, "viaBind")).uid, 7, "otherwise the header's");
  } finally {
    f.cleanup();
  }
});

test("read-only targets are refused", async () => {
  const f = fixture({ spec: containerSpec({ host: hostSpec({ readonlyRootfs: true }) }) });
  try {
    await assert.rejects(put(f, "/tmp", buildTar([])), /container rootfs is marked read-only/);
  } finally {
    f.cleanup();
  }
});

test("viewMounts: volumes are seen at their target like binds, tmpfs is not", () => {
  const paths = {
    dir: "/c",
    bundle: "/c/b",
    hosts: "/c/hosts",
    resolvConf: "/c/resolv",
    hostname: "/c/hn",
    log: "/c/log",
    shm: "/c/shm",
  };
  const c = containerRecord("v1", "v", {
    spec: containerSpec({
      host: hostSpec({
        mounts: [
          { type: "bind", source: "/srv/b", target: "/b", readOnly: true, propagation: "rprivate" },
          {
            type: "volume",
            name: "data",
            source: "/var/lib/berth/volumes/data/_data",
            target: "/data/./x/",
            readOnly: false,
            anonymous: false,
            noCopy: false,
            mode: "z",
          },
          { type: "tmpfs", target: "/run", options: [] },
        ],
      }),
    }),
  });
  const m = viewMounts(c, paths);
  assert.deepEqual(
    m.map((v) => [v.target.join("/"), v.source, v.readOnly]),
    [
      ["b", "/srv/b", true],
      ["data/x", "/var/lib/berth/volumes/data/_data", false],
      ["etc/resolv.conf", "/c/resolv", false],
      ["etc/hostname", "/c/hn", false],
      ["etc/hosts", "/c/hosts", false],
    ],
  );
});
