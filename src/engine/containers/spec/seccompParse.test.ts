import assert from "node:assert/strict";
import { test } from "node:test";
import { seccompFor } from "./seccomp.js";
import { parseSeccompProfile } from "./seccompParse.js";

test("a custom profile in Docker's format: architectures or archMap, name or names, gates", () => {
  const p = parseSeccompProfile(
    JSON.stringify({
      defaultAction: "SCMP_ACT_ALLOW",
      architectures: ["SCMP_ARCH_X86_64"],
      syscalls: [
        { name: "mkdir", action: "SCMP_ACT_ERRNO", errnoRet: 1 },
        { names: ["ptrace"], action: "SCMP_ACT_ERRNO", excludes: { caps: ["CAP_SYS_PTRACE"] } },
        { names: ["chown"], action: "SCMP_ACT_LOG", args: [{ index: 0, value: 1, op: "SCMP_CMP_EQ" }] },
      ],
    }),
  );
  const oci = seccompFor(["CAP_SYS_PTRACE"], "amd64", "6.1.0", p);
  assert.deepEqual(oci.architectures, ["SCMP_ARCH_X86_64"]);
  assert.deepEqual(oci.syscalls, [
    { names: ["mkdir"], action: "SCMP_ACT_ERRNO", errnoRet: 1 },
    { names: ["chown"], action: "SCMP_ACT_LOG", args: [{ index: 0, value: 1, op: "SCMP_CMP_EQ" }] },
  ]);
  const mapped = parseSeccompProfile(
    '{"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86"]}]}',
  );
  assert.deepEqual(seccompFor([], "amd64", "6.1.0", mapped).architectures, [
    "SCMP_ARCH_X86_64",
    "SCMP_ARCH_X86",
  ]);
});

test("malformed profiles are refused in dockerd's words", () => {
  assert.throws(() => parseSeccompProfile("{nope"), /^EngineError: decoding seccomp profile failed: /);
  assert.throws(() => parseSeccompProfile("[]"), /must be a JSON object/);
  assert.throws(() => parseSeccompProfile('{"syscalls":[]}'), /defaultAction is required/);
  assert.throws(
    () => parseSeccompProfile('{"defaultAction":"A","syscalls":[{"name":"x","names":["y"],"action":"B"}]}'),
    /'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'/,
  );
  assert.throws(
    () => parseSeccompProfile('{"defaultAction":"A","architectures":["X"],"archMap":[{"architecture":"X"}]}'),
    /both 'architectures' and 'archMap' are specified/,
  );
  assert.throws(
    () => parseSeccompProfile('{"defaultAction":"A","syscalls":[{"names":["x"]}]}'),
    /needs an action/,
  );
  assert.throws(
    () => parseSeccompProfile('{"defaultAction":"A","syscalls":[{"names":["x"],"action":"B","args":[{}]}]}'),
    /numeric index and value/,
  );
});
