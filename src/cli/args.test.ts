import { test } from "node:test";
import assert from "node:assert/strict";
import { parseArgs, UsageError } from "./args.js";
import type { FlagSpec } from "./spec.js";

const flags: FlagSpec[] = [
  { name: "interactive", short: "i", kind: "bool", description: "" },
  { name: "tty", short: "t", kind: "bool", description: "" },
  { name: "detach", short: "d", kind: "bool", description: "" },
  { name: "memory", short: "m", kind: "string", description: "" },
  { name: "publish", short: "p", kind: "list", description: "" },
  { name: "name", kind: "string", description: "" },
  { name: "tail", short: "n", kind: "int", description: "" },
];

test("bundled shorthands and inline values", () => {
  const a = parseArgs({ flags }, ["-itd", "-m=5M", "-p80:80", "-p", "81:81", "--name=web", "img"]);
  assert.equal(a.bools.get("interactive"), true);
  assert.equal(a.bools.get("tty"), true);
  assert.equal(a.bools.get("detach"), true);
  assert.equal(a.strings.get("memory"), "5M");
  assert.deepEqual(a.lists.get("publish"), ["80:80", "81:81"]);
  assert.equal(a.strings.get("name"), "web");
  assert.deepEqual(a.positionals, ["img"]);
});

test("flags after positionals, unless the command stops at the first", () => {
  assert.deepEqual(parseArgs({ flags }, ["img", "-d"]).bools.get("detach"), true);
  const run = parseArgs({ flags, interspersed: false }, ["-d", "img", "sh", "-c", "echo -d"]);
  assert.equal(run.bools.get("detach"), true);
  assert.deepEqual(run.positionals, ["img", "sh", "-c", "echo -d"]);
});

test("bool =false, ints, -- and errors", () => {
  const a = parseArgs({ flags }, ["--tty=false", "-n", "5", "--", "-x"]);
  assert.equal(a.bools.get("tty"), false);
  assert.equal(a.ints.get("tail"), 5);
  assert.deepEqual(a.positionals, ["-x"]);
  assert.throws(
    () => parseArgs({ flags }, ["--nope"]),
    (e: Error) => e instanceof UsageError && e.message === "unknown flag: --nope",
  );
  assert.throws(() => parseArgs({ flags }, ["-z"]), /unknown shorthand flag: 'z' in -z/);
  assert.throws(() => parseArgs({ flags }, ["--name"]), /flag needs an argument: --name/);
  assert.throws(() => parseArgs({ flags }, ["-n", "x"]), /invalid argument "x"/);
});
