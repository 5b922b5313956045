import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeCommitConfig } from "./commit.js";
import { withoutInitPaths } from "./export.js";
import { cleanComps } from "./fsView.js";
import { parseNetDev } from "./stats.js";
import { parsePsOutput, validatePsArgs } from "./top.js";
import { mergeUpdate, parseCpuset, runtimeResources, validateUpdate, type UpdateSpec } from "./update.js";
import { hostSpec } from "./testdata.js";

const none: UpdateSpec = {
  memory: 0,
  memorySwap: 0,
  cpuShares: 0,
  cpuQuota: 0,
  cpuPeriod: 0,
  nanoCpus: 0,
  cpusetCpus: "",
};

test("top: ps lines of the container's pids, thread lines kept, PID renames refused", () => {
  const out = "UID PID PPID CMD\nroot 10 1 sleep 100\nroot 11 10 sh -c x y\nroot 12 1 other\n";
  assert.deepEqual(parsePsOutput(out, [10, 11]), {
    titles: ["UID", "PID", "PPID", "CMD"],
    processes: [
      ["root", "10", "1", "sleep 100"],
      ["root", "11", "10", "sh -c x y"],
    ],
  });
  const threads = "PID TID CMD\n10 - sleep\n- 10 -\n12 - other\n- 12 -\n";
  assert.deepEqual(parsePsOutput(threads, [10]).processes, [
    ["10", "-", "sleep"],
    ["-", "10", "-"],
  ]);
  assert.throws(() => parsePsOutput("UID CMD\n", []), /Couldn't find PID field/);
  assert.throws(() => validatePsArgs("-o user=PID"), /specifying "user=PID" is not allowed/);
  validatePsArgs("-o pid=PID");
});

test("update: dockerd's checks and merge", () => {
  assert.throws(() => validateUpdate({ ...none, memory: 1024 }, 2), /Minimum memory limit allowed is 6MB/);
  assert.throws(() => validateUpdate({ ...none, nanoCpus: 3e9 }, 2), /Range of CPUs is from 0.01 to 2.00/);
  assert.throws(() => validateUpdate({ ...none, cpusetCpus: "0-3" }, 2), /requested 0-3, available: 0-1/);
  assert.throws(
    () => validateUpdate({ ...none, restartPolicy: { name: "no", maximumRetryCount: 2 } }, 2),
    /only be used with 'on-failure'/,
  );
  const h = hostSpec({ memory: 64 << 20 });
  assert.throws(() => mergeUpdate(h, { ...none, memory: 200 << 20 }), /memoryswap limit/);
  const ok = mergeUpdate(h, { ...none, memory: 100 << 20 });
  assert.equal(ok.memory, 100 << 20);
  assert.equal(ok.memorySwap, 128 << 20, "the implicit 2x swap becomes explicit");
  assert.throws(
    () => mergeUpdate(hostSpec({ nanoCpus: 1e9 }), { ...none, cpuQuota: 50000 }),
    /CPU Quota cannot be updated/,
  );
  assert.throws(
    () =>
      mergeUpdate(hostSpec({ autoRemove: true }), {
        ...none,
        restartPolicy: { name: "always", maximumRetryCount: 0 },
      }),
    /AutoRemove/,
  );
  assert.deepEqual(runtimeResources({ ...none, nanoCpus: 1.5e9, pidsLimit: 0 }), {
    cpuPeriod: 100000,
    cpuQuota: 150000,
    pidsLimit: -1,
  });
  assert.deepEqual(parseCpuset("0-2,4"), [0, 1, 2, 4]);
  assert.equal(parseCpuset("2-1"), undefined);
});

test("commit: moby's merge of the user config over the container's", () => {
  const merged = mergeCommitConfig(
    { Cmd: ["cat"], Env: ["A=1"], Labels: { x: "1" } },
    {
      User: "bob",
      Env: ["A=0", "B=2"],
      Cmd: ["sh"],
      Entrypoint: null,
      Labels: { x: "0", y: "2" },
      WorkingDir: "/w",
    },
  );
  assert.deepEqual(merged.Cmd, ["cat"]);
  assert.deepEqual(merged.Env, ["A=1", "B=2"]);
  assert.deepEqual(merged.Labels, { x: "1", y: "2" });
  assert.equal(merged.User, "bob");
  assert.equal(merged.WorkingDir, "/w");
});

test("diff leaves out the runtime's mount points", () => {
  assert.deepEqual(
    withoutInitPaths([
      { path: "/etc", kind: 0 },
      { path: "/etc/hosts", kind: 1 },
      { path: "/tmp", kind: 0 },
      { path: "/tmp/x", kind: 1 },
    ]),
    [
      { path: "/tmp", kind: 0 },
      { path: "/tmp/x", kind: 1 },
    ],
  );
  const kept = withoutInitPaths([
    { path: "/etc", kind: 0 },
    { path: "/etc/hosts", kind: 1 },
    { path: "/etc/motd", kind: 1 },
  ]);
  assert.deepEqual(
    kept.map((c) => c.path),
    ["/etc", "/etc/motd"],
  );
});

test("stats: /proc/net/dev without loopback; paths cleaned as Docker does", () => {
  const text =
    "Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed\n" +
    "    lo:  100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0\n  eth0: 1296 16 1 2 0 0 0 0 656 8 3 4 0 0 0 0\n";
  assert.deepEqual(parseNetDev(text), {
    eth0: {
      rxBytes: 1296,
      rxPackets: 16,
      rxErrors: 1,
      rxDropped: 2,
      txBytes: 656,
      txPackets: 8,
      txErrors: 3,
      txDropped: 4,
    },
  });
  assert.deepEqual(cleanComps("/a/./b/../c/"), ["a", "c"]);
  assert.deepEqual(cleanComps("../../x"), ["x"]);
});
