import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { after, before, test } from "node:test";
import { cli } from "../main.js";
import { durationMs } from "./registry.js";

// Never let these tests start the default daemon.
process.env.BERTH_HOST = "unix:///nonexistent/berth-registry-test.sock";

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "berth-registry-cli-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

function sink(onData?: (s: string) => void): Writable & { text: () => string } {
  let text = "";
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      onData?.(text);
      done();
    },
  });
  return Object.assign(w, { text: () => text });
}

test("durationMs reads Go durations", () => {
  assert.equal(durationMs("1h", "grace"), 3600_000);
  assert.equal(durationMs("1h30m", "grace"), 5400_000);
  assert.equal(durationMs("45s", "grace"), 45_000);
  assert.equal(durationMs("0", "grace"), 0);
  assert.throws(() => durationMs("soon", "grace"), /invalid --grace "soon"/);
});

test("registry serve starts, answers, and stops on SIGINT", async () => {
  let resolveUrl: (u: string) => void = () => undefined;
  const url = new Promise<string>((r) => (resolveUrl = r));
  const stderr = sink((t) => {
    const m = /listening on (http:\/\/\S+)/.exec(t);
    if (m) resolveUrl(m[1]!);
  });
  const stdout = sink();
  const done = cli(["registry", "serve", "--addr", "127.0.0.1:0", "--root", join(root, "serve")], {
    stdout,
    stderr,
    stdin: new PassThrough(),
  });
  const base = await url;
  const res = await fetch(`${base}/v2/`);
  assert.equal(res.status, 200);
  await new Promise((r) => setTimeout(r, 20));
  assert.match(stderr.text(), /"GET \/v2\/ HTTP\/1\.1" 200 2 /);
  process.emit("SIGINT");
  assert.equal(await done, 0);
});

test("registry serve refuses bad flags", async () => {
  const cases: [string[], RegExp][] = [
    [["--addr", "0.0.0.0:0"], /without TLS/],
    [["--auth", "basic"], /needs --htpasswd/],
    [["--auth", "magic"], /invalid --auth/],
    [["--token-realm", "http://127.0.0.1/t"], /need --auth token/],
    [["--tls-cert", "x.pem"], /go together/],
  ];
  for (const [flags, message] of cases) {
    const stderr = sink();
    const code = await cli(["registry", "serve", "--root", join(root, "bad"), ...flags], {
      stdout: sink(),
      stderr,
      stdin: new PassThrough(),
    });
    assert.equal(code, 1, flags.join(" "));
    assert.match(stderr.text(), message);
  }
  const stderr = sink();
  assert.equal(await cli(["registry", "serve"], { stdout: sink(), stderr, stdin: new PassThrough() }), 1);
  assert.match(stderr.text(), /--root is required/);
});

test("registry garbage-collect reports what it did", async () => {
  const stdout = sink();
  const code = await cli(["registry", "garbage-collect", "--root", join(root, "gc"), "--grace", "0"], {
    stdout,
    stderr: sink(),
    stdin: new PassThrough(),
  });
  assert.equal(code, 0);
  assert.match(stdout.text(), /^0 blobs marked, 0 blobs deleted \(0 bytes\)/);
});
