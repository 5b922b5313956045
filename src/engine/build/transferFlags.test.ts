import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDockerfile, type AddInstruction, type CopyInstruction } from "./dockerfile/index.js";
import { flagWords, withFlagWords } from "./transferFlags.js";

const instr = (line: string) =>
  parseDockerfile(`FROM scratch\n${line}\n`).stages[0]?.instructions[0] as CopyInstruction | AddInstruction;

test("flags become words of the history text, so they key the cache", () => {
  assert.deepEqual(flagWords(instr("COPY a /b")), []);
  assert.deepEqual(flagWords(instr("COPY --link=false --parents=false a /b")), []);
  assert.deepEqual(flagWords(instr("COPY --exclude=*.md --link --parents --exclude=x a /b")), [
    "--link",
    "--parents",
    "--exclude=*.md",
    "--exclude=x",
  ]);
  assert.deepEqual(flagWords(instr(`ADD --unpack=false --checksum=sha256:${"a".repeat(64)} a /b`)), [
    "--unpack=false",
    `--checksum=sha256:${"a".repeat(64)}`,
  ]);
  assert.equal(withFlagWords(instr("COPY a /b"), "file:h"), "file:h");
  assert.equal(withFlagWords(instr("COPY --link a /b"), "file:h"), "--link file:h");
  // dockerd's --chown=x has no space after it: the words bring one.
  assert.equal(withFlagWords(instr("COPY --chown=1:1 --link a /b"), "file:h"), " --link file:h");
  assert.equal(withFlagWords(instr("COPY --chown=1:1 --chmod=600 --link a /b"), "file:h"), "--link file:h");
});
