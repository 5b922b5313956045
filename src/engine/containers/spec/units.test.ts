import assert from "node:assert/strict";
import { test } from "node:test";
import { isEngineError } from "../../errors.js";
import { applyCapabilities, defaultCapabilities } from "./caps.js";
import { parseEnvFile, processEnv, replaceOrAppendEnv } from "./env.js";
import { hostsFile, resolvConf } from "./hostFiles.js";
import { resolveUser } from "./user.js";

test("capabilities: add/drop with or without CAP_, ALL", () => {
  const c = applyCapabilities({ privileged: false, add: ["net_admin"], drop: ["CAP_CHOWN", "kill"] });
  assert.ok(c.includes("CAP_NET_ADMIN"));
  assert.ok(!c.includes("CAP_CHOWN") && !c.includes("CAP_KILL"));
  assert.deepEqual(applyCapabilities({ privileged: false, add: ["SETUID"], drop: ["all"] }), ["CAP_SETUID"]);
  const all = applyCapabilities({ privileged: false, add: ["ALL"], drop: ["sys_admin"] });
  assert.ok(all.includes("CAP_BPF") && !all.includes("CAP_SYS_ADMIN"));
  assert.deepEqual(applyCapabilities({ privileged: false, add: [], drop: [] }), defaultCapabilities);
  assert.throws(
    () => applyCapabilities({ privileged: false, add: ["bogus"], drop: [] }),
    (e) => isEngineError(e, "invalid"),
  );
});

const passwd = "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www:/var/www:/bin/false\n";
const group = "root:x:0:\nwheel:x:10:root,www\nstaff:x:50:\nwww:x:33:\n";

test("users: names, numbers, groups, --group-add", () => {
  assert.deepEqual(resolveUser("", [], passwd, group), {
    uid: 0,
    gid: 0,
    additionalGids: [0, 10],
    home: "/root",
  });
  assert.deepEqual(resolveUser("www", ["staff"], passwd, group), {
    uid: 33,
    gid: 33,
    additionalGids: [33, 10, 50],
    home: "/var/www",
  });
  assert.deepEqual(resolveUser("1000:50", [], passwd, group), {
    uid: 1000,
    gid: 50,
    additionalGids: [50],
    home: "/",
  });
  assert.deepEqual(resolveUser("www:staff", [], passwd, group).gid, 50);
  assert.deepEqual(resolveUser("", [], undefined, undefined), {
    uid: 0,
    gid: 0,
    additionalGids: [0],
    home: "/",
  });
  assert.throws(
    () => resolveUser("nobody", [], passwd, group),
    (e) =>
      isEngineError(e, "invalid") &&
      e.message === "unable to find user nobody: no matching entries in passwd file",
  );
  assert.throws(() => resolveUser("", ["nogroup"], passwd, group), /unable to find group nogroup/);
});

test("env: replace, append, remove; process env order", () => {
  assert.deepEqual(replaceOrAppendEnv(["A=1", "B=2"], ["B=3", "C=4", "A"]), ["B=3", "C=4"]);
  assert.deepEqual(processEnv(["PATH=/x", "A=1"], "h", true), ["PATH=/x", "HOSTNAME=h", "TERM=xterm", "A=1"]);
  assert.deepEqual(
    parseEnvFile("# c\nA=1\n\nHOME\nNOPE\n", (k) => (k === "HOME" ? "/h" : undefined)),
    ["A=1", "HOME=/h"],
  );
});

test("hosts and resolv.conf", () => {
  const h = hostsFile({
    addresses: ["172.17.0.2"],
    hostname: "abc",
    domainname: "",
    extraHosts: ["db:10.0.0.1"],
  });
  assert.match(h, /^127\.0\.0\.1\tlocalhost\n/);
  assert.match(h, /10\.0\.0\.1\tdb\n172\.17\.0\.2\tabc\n$/);
  const host = "search lan\nnameserver 127.0.0.53\nnameserver 10.0.0.1\noptions edns0\n";
  assert.equal(
    resolvConf(host, { dns: [], dnsSearch: [], dnsOptions: [], hostNetwork: false }),
    "search lan\nnameserver 10.0.0.1\noptions edns0\n",
  );
  assert.equal(
    resolvConf("nameserver 127.0.0.1\n", { dns: [], dnsSearch: [], dnsOptions: [], hostNetwork: false }),
    "nameserver 8.8.8.8\nnameserver 8.8.4.4\n",
  );
  assert.equal(
    resolvConf(host, { dns: ["1.1.1.1"], dnsSearch: ["x"], dnsOptions: ["ndots:2"], hostNetwork: false }),
    "search x\nnameserver 1.1.1.1\noptions ndots:2\n",
  );
});
