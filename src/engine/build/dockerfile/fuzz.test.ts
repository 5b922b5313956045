import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseDockerfile } from "./dockerfile.js";
import { DockerfileError } from "./errors.js";
import { expandInstruction, expandWord } from "./expand.js";
import { parseRunMount } from "./runMount.js";
import { stageDependencies } from "./stages.js";

/** Small seeded PRNG (mulberry32) so a failure can be replayed from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const corpus = [
  "# syntax=docker/dockerfile:1\n# escape=`\nARG B=alpine\nFROM ${B} AS base\nRUN echo a `\n  b\n",
  'FROM busybox\nENV a=1 b="x y" c=\\$d\nLABEL "k"="v" \\\n  k2=v2\nCOPY --from=base --chown=1:1 ["a b", "/c/"]\n',
  "FROM a AS b\nRUN --mount=type=cache,target=/x <<-EOF cat\n\thello $X\n\tEOF\nCOPY <<A <<'B' /d/\nx\nA\ny\nB\n",
  'FROM scratch\nHEALTHCHECK --interval=5s --retries=3 CMD ["true"]\nONBUILD RUN x\nSHELL ["/bin/sh","-c"]\nEXPOSE 80/tcp 443\n',
  'FROM x\nWORKDIR ${a:-${b:?no}}/${c#*/}\nUSER $U:${G%%:*}\nVOLUME ["/v"]\nSTOPSIGNAL SIGTERM\nARG q w="2"\n',
];
const alphabet = [
  "\\",
  "`",
  "$",
  "{",
  "}",
  '"',
  "'",
  "<<",
  "<<-",
  "#",
  "\n",
  " ",
  "\t",
  "\r",
  "=",
  "--",
  "[",
  "]",
  ",",
  ":",
  "-",
  "?",
  "%",
  "#",
  "/",
  "*",
  "EOF",
  "RUN ",
  "FROM ",
  "COPY ",
  "ONBUILD ",
  "\u00a0",
  "é",
  "\u0000",
];

function mutate(text: string, r: () => number): string {
  let s = text;
  const n = 1 + Math.floor(r() * 6);
  for (let k = 0; k < n; k++) {
    const pos = Math.floor(r() * (s.length + 1));
    const op = r();
    if (op < 0.4) s = s.slice(0, pos) + (alphabet[Math.floor(r() * alphabet.length)] ?? "") + s.slice(pos);
    else if (op < 0.7) s = s.slice(0, pos) + s.slice(pos + 1 + Math.floor(r() * 5));
    else s = s.slice(0, pos) + s.slice(Math.floor(r() * s.length), Math.floor(r() * s.length)) + s.slice(pos);
  }
  return s;
}

function randomBytes(r: () => number): string {
  const len = Math.floor(r() * 200);
  let s = "";
  for (let i = 0; i < len; i++)
    s +=
      r() < 0.7
        ? String.fromCharCode(32 + Math.floor(r() * 95))
        : (alphabet[Math.floor(r() * alphabet.length)] ?? "");
  return s;
}

/** Everything a builder would do with a parsed file; only DockerfileError may escape. */
function exercise(text: string) {
  try {
    const df = parseDockerfile(text);
    for (const stage of df.stages)
      for (const instr of [stage.from, ...stage.instructions]) {
        try {
          expandInstruction(instr, { a: "1", B: "alpine", c: "x/y/z" }, { escapeChar: df.escapeChar });
          if (instr.kind === "run") for (const m of instr.mounts) parseRunMount(m, (w) => expandWord(w, {}));
        } catch (err) {
          if (!(err instanceof DockerfileError) && !(err instanceof Error && err.name === "SyntaxProblem"))
            throw err;
        }
      }
    stageDependencies(df);
  } catch (err) {
    if (!(err instanceof DockerfileError)) throw err;
  }
}

describe("fuzz: hostile input never crashes or hangs the parser", () => {
  it("survives random mutations of valid Dockerfiles and random text", () => {
    const seed = Date.now() >>> 0;
    const r = rng(seed);
    const deadline = Date.now() + 1500;
    let runs = 0;
    while (Date.now() < deadline && runs < 20000) {
      const text = r() < 0.7 ? mutate(corpus[Math.floor(r() * corpus.length)] ?? "", r) : randomBytes(r);
      try {
        exercise(text);
      } catch (err) {
        assert.fail(`seed ${seed}, input ${JSON.stringify(text)}: ${String(err)}`);
      }
      runs++;
    }
    assert.ok(runs > 100, `only ${runs} runs`);
  });

  it("stays fast on pathological inputs", () => {
    const cases = [
      "FROM a\nRUN " + "\\\n".repeat(20000) + "x",
      "# a=" + " ".repeat(60000) + "x\nFROM a",
      "FROM a\nRUN <<" + " ".repeat(60000) + "<",
      "FROM a\n" + "ONBUILD ".repeat(7000) + "RUN x",
      "FROM a\nENV x=" + "${a:-".repeat(5000) + "}".repeat(5000),
      "FROM a\nRUN " + "<<E ".repeat(3000) + "\n" + "E\n".repeat(3000),
      "FROM a\n" + "#\n".repeat(50000) + "RUN x",
      "FROM a\nCOPY " + "x ".repeat(30000) + "/d",
    ];
    for (const text of cases) {
      const t0 = Date.now();
      exercise(text);
      assert.ok(Date.now() - t0 < 2000, `slow on ${JSON.stringify(text.slice(0, 40))}`);
    }
    const t0 = Date.now();
    assert.equal(expandWord("${v%%" + "*a".repeat(40) + "*b}", { v: "a".repeat(3000) }), "a".repeat(3000));
    assert.equal(expandWord("${v//" + "*a".repeat(20) + "/x}", { v: "a".repeat(2000) }), "x");
    assert.ok(Date.now() - t0 < 2000, "glob patterns must not backtrack exponentially");
    assert.throws(() => expandWord("${a:-".repeat(1000) + "}".repeat(1000), {}), DockerfileError);
  });
});
