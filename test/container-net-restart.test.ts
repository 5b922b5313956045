/**
 * A daemon restart (berthd killed, then started again on the same roots)
 * keeps running containers' addresses, published ports and network DNS.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { freeTestSubnet, importBusybox, leaks, startDaemon, type TestDaemon } from "./harness/daemon.js";

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path: "/", timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    }).on("error", reject);
  });
}

async function until(fn: () => Promise<string>): Promise<string> {
  for (let i = 0; ; i++) {
    const v = await fn().catch(() => "");
    if (v !== "" || i > 50) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("running containers keep their addresses, ports and DNS across a daemon restart", async () => {
  const base = mkdtempSync(join(tmpdir(), "berth-h16-restart-"));
  const dataRoot = join(base, "data");
  const execRoot = join(base, "run");
  const rand = randomBytes(3).toString("hex");
  const network = { bridge: `bt${rand}`, chainPrefix: `BT${rand.toUpperCase()}`, bip: freeTestSubnet() };
  const extraArgs = [
    "--exec-root",
    execRoot,
    "--bridge-name",
    network.bridge,
    "--iptables-chain-prefix",
    network.chainPrefix,
    "--bip",
    network.bip,
  ];
  let d: TestDaemon = await startDaemon({ dataRoot, extraArgs });
  const killed = d; // its harness dir stays after the SIGKILL (a crash's leftovers): removed at the end
  const ok = async (args: string[]) => {
    const r = await d.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  try {
    await importBusybox(d);
    await ok(["network", "create", "h16rs"]);
    await ok([
      "run",
      "-d",
      "--name",
      "rweb",
      "-p",
      "127.0.0.1:18581:80",
      "busybox",
      "sh",
      "-c",
      "mkdir -p /www && echo up > /www/index.html && exec httpd -f -p 80 -h /www",
    ]);
    await ok(["run", "-d", "--name", "rdns", "--network", "h16rs", "busybox", "sleep", "300"]);
    await ok(["run", "-d", "--name", "rpeer", "--network", "h16rs", "busybox", "sleep", "300"]);
    const addr = async () =>
      (
        await ok(["inspect", "-f", "{{.NetworkSettings.IPAddress}} {{json .NetworkSettings.Ports}}", "rweb"])
      ).trim();
    const before = await addr();
    assert.equal(await until(() => httpGet(18581)), "up\n");

    d.process.kill("SIGKILL");
    await new Promise((r) => d.process.once("exit", r));
    await d.stop();
    d = await startDaemon({ dataRoot, extraArgs });

    assert.equal(await addr(), before);
    assert.equal(
      (await ok(["ps", "--format", "{{.Names}}"])).trim().split("\n").sort().join(","),
      "rdns,rpeer,rweb",
    );
    assert.equal(await until(() => httpGet(18581)), "up\n");
    const ping = await d.docker(["exec", "rpeer", "ping", "-c2", "-W2", "rdns"]);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    assert.match(await ok(["port", "rweb"]), /^80\/tcp -> 127\.0\.0\.1:18581$/m);
    await ok(["rm", "-f", "rweb", "rdns", "rpeer"]);
    await ok(["network", "rm", "h16rs"]);
  } finally {
    await d.docker(["rm", "-f", "rweb", "rdns", "rpeer"]);
    await d.docker(["network", "rm", "h16rs"]);
    await d.stop();
    const left = leaks({ dataRoot, execRoot, network });
    rmSync(base, { recursive: true, force: true });
    rmSync(dirname(killed.execRoot), { recursive: true, force: true });
    assert.deepEqual(left, []);
  }
});
