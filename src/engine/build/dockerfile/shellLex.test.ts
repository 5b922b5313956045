import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { SyntaxProblem } from "./errors.js";
import { lex, type LexOptions } from "./shellLex.js";

const envOf = (pairs: Record<string, string>) => (name: string) =>
  Object.hasOwn(pairs, name) ? pairs[name] : undefined;
const word = (w: string, env: Record<string, string>, opts: Partial<LexOptions> = {}) =>
  lex(w, envOf(env), { escape: "\\", ...opts }).result;
const words = (w: string, env: Record<string, string>) => lex(w, envOf(env), { escape: "\\" }).words;

// BuildKit's shell/envVarTest vectors (environment PWD=/home SHELL=bash KOREAN=한국어 NULL=).
const env = { PWD: "/home", SHELL: "bash", KOREAN: "한국어", NULL: "" };
const vectors: [string, string | null][] = [
  ["hello", "hello"],
  ["he'll'o", "hello"],
  ["he'llo", null],
  ["he\\'llo", "he'llo"],
  ["he\\\\'llo", null],
  ["abc\\tdef", "abctdef"],
  ['"abc\\tdef"', "abc\\tdef"],
  ['"abc\\\\tdef"', "abc\\tdef"],
  ["'abc\\tdef'", "abc\\tdef"],
  ["hello\\", "hello"],
  ["hello\\\\", "hello\\"],
  ['"hello', null],
  ['"hello\\"', null],
  ['"hel\'lo"', "hel'lo"],
  ["'hello", null],
  ["'hello\\'", "hello\\"],
  ["\"''\"", "''"],
  ["$.", "$."],
  ["he$1x", "hex"],
  ["he$.x", "he$.x"],
  ["he$pwd.", "he."],
  ["he$PWD", "he/home"],
  ["he\\$PWD", "he$PWD"],
  ["he\\\\$PWD", "he\\/home"],
  ['"he\\$PWD"', "he$PWD"],
  ['"he\\\\$PWD"', "he\\/home"],
  ["\\${}", "${}"],
  ["he\\${}xx", "he${}xx"],
  ["${}", null],
  ["he${}xx", null],
  ["he${hi}xx", "hexx"],
  ["he${PWD}", "he/home"],
  ["he${.}", null],
  ["he${XXX:-000}xx", "he000xx"],
  ["he${PWD:-000}xx", "he/homexx"],
  ["he${XXX:-$PWD}xx", "he/homexx"],
  ["he${XXX:-${PWD:-yyy}}xx", "he/homexx"],
  ["he${XXX:-${YYY:-yyy}}xx", "heyyyxx"],
  ["he${XXX:YYY}", null],
  ["he${XXX?}", null],
  ["he${XXX:?}", null],
  ["he${PWD?}", "he/home"],
  ["he${NULL?}", "he"],
  ["he${NULL:?}", null],
  ["he${XXX:+${PWD}}xx", "hexx"],
  ["he${PWD:+${SHELL}}xx", "hebashxx"],
  ["he${PWD:+000}xx", "he000xx"],
  ["'he${XX}'", "he${XX}"],
  ["\"he'$PWD'\"", "he'/home'"],
  ["'\\$PWD'", "\\$PWD"],
  ["he${PWD", null],
  ["he${PWD:=000}xx", null],
  ["he${PWD:+${PWD}:}xx", "he/home:xx"],
  ["he${XXX:-\\$PWD:}xx", "he$PWD:xx"],
  ["he${XXX:-\\${PWD}z}xx", "he${PWDz}xx"],
  ["안'녕'하세요", "안녕하세요"],
  ["안녕$KOREAN", "안녕한국어"],
  ["${{aaa}", null],
  ["${aaa}}", "}"],
  ["${aaa:-bbb}}", "bbb}"],
  ["${aaa:-bbb", null],
  ["${aaa:-${bbb:-ccc}}", "ccc"],
  ["${aaa:-bbb ${foo}", null],
  ["${aaa:-bbb {foo}", "bbb {foo"],
  ["${:}", null],
  ["${:-bbb}", null],
  ["${1:-bbb}", "bbb"],
  ["$999aaa", "aaa"],
  ["${001:-bbb}aaa", "bbbaaa"],
  ["$@@@", "@@"],
  ["${#:-bbb}", "bbb"],
  ["$$", ""],
  ["${?:+bbb}", ""],
];

describe("shell lexer (BuildKit envVarTest)", () => {
  for (const [input, expected] of vectors) {
    it(`${input} → ${expected ?? "error"}`, () => {
      if (expected === null) assert.throws(() => word(input, env), SyntaxProblem);
      else assert.equal(word(input, env), expected);
    });
  }
});

describe("word splitting (BuildKit wordsTest)", () => {
  const cases: [string, Record<string, string>, string[] | null][] = [
    ["hello", {}, ["hello"]],
    ["hello${hi}bye", { hi: "hi" }, ["hellohibye"]],
    ["hello${space}bye", { space: "abc  def" }, ["helloabc", "defbye"]],
    ['hello"${space}"bye', { space: "abc  def" }, ["helloabc  defbye"]],
    ['hello "${space}"bye', { space: "abc  def" }, ["hello", "abc  defbye"]],
    ["hello${leading}def", { leading: "  ab c" }, ["hello", "ab", "cdef"]],
    ['hello"${leading}" def', { leading: "  ab c" }, ["hello  ab c", "def"]],
    ["hello${trailing}d", { trailing: "ab c   " }, ["helloab", "c", "d"]],
    ['hel"lo${trailing}"', { trailing: "ab c   " }, ["helloab c   "]],
    ['hello" there  "', {}, ["hello there  "]],
    ["hello there     ", {}, ["hello", "there"]],
    ["hello\\ there", {}, ["hello there"]],
    ['hello" there', {}, null],
    ['hello\\" there', {}, ['hello"', "there"]],
    ["hello'\\\\there'", {}, ["hello\\\\there"]],
    ["hello'$there'", {}, ["hello$there"]],
    ['""', {}, []],
  ];
  for (const [input, e, expected] of cases) {
    it(input, () => {
      if (expected === null) assert.throws(() => words(input, e), SyntaxProblem);
      else assert.deepEqual(words(input, e), expected);
    });
  }
});

describe("modifiers and patterns (BuildKit lex_test)", () => {
  const cases: [string, Record<string, string>, string | null][] = [
    ["${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", { FOO: "xxx", BAR: "" }, "xxx  ccc"],
    ["${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", { FOO: "xxx", BAR: "" }, "xxx bbb ccc"],
    ["${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", { FOO: "xxx", BAR: "" }, "aaa bbb "],
    ["${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", { FOO: "xxx", BAR: "" }, "aaa  "],
    ["${BAR?bbb}", { BAR: "" }, ""],
    ["${BAZ?ccc}", {}, null],
    ["${BAR:?bbb}", { BAR: "" }, null],
    ["${FOO=aaa}", { FOO: "x" }, null],
    ["${FOO#()[]{\\}^$.\\*\\?|\\\\}", { FOO: "()[]{}^$.*?|\\x" }, "x"],
    ["${FOO%%\\**}", { FOO: "xx**" }, "xx"],
    ["${FOO#*x*y}", { FOO: "xxyy" }, "y"],
    ["${FOO#*}", { FOO: "xxyy" }, "xxyy"],
    ["${FOO#$BAR}", { FOO: "xxyy", BAR: "x" }, "xyy"],
    ["${FOO##*x}", { FOO: "xxyy" }, "yy"],
    ["${FOO#?\\?}", { FOO: "???y" }, "?y"],
    ["${ABC:-.}${FOO%x}${ABC:-.}", { FOO: "xxyy" }, ".xxyy."],
    ["${FOO%%\\**\\*}", { FOO: "a***yy*" }, "a"],
    ["${FOO%y*}", { FOO: "xxyy" }, "xxy"],
    ["${FOO%%y*}", { FOO: "xxyy" }, "xx"],
    ["${FOO:#}", {}, null],
    ["${FOO:%%}", {}, null],
    [
      "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
      { FOO: "/foo*/*/*.txt", NEEDLE: "\\*/" },
      "/foo.*/*.txt - /foo..*.txt",
    ],
    [
      "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
      { FOO: "/tmp/tmp/bar.txt", NEEDLE: "/tmp" },
      "/tmp/bar.txt - /bar.txt",
    ],
    [
      "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
      { FOO: "/a/foo/b/c.txt", NEEDLE: "/?/", REPLACEMENT: "/" },
      "/foo/b/c.txt - /foo/c.txt",
    ],
    ["${FOO//\\//\\/}", { FOO: "/tmp/foo.txt" }, "\\/tmp\\/foo.txt"],
    ["${FOO/$BAR/ww}", { FOO: "xxyy", BAR: "" }, "wwxxyy"],
    ["${FOO//ww}", { FOO: "xxyy" }, null],
    ["${FOO/a/$}", { FOO: "bab" }, "b$b"],
  ];
  for (const [input, e, expected] of cases) {
    it(input, () => {
      if (expected === null) assert.throws(() => word(input, e), SyntaxProblem);
      else assert.equal(word(input, e), expected);
    });
  }

  it("reports BuildKit's error texts", () => {
    assert.throws(() => word("${a:?}", {}), {
      message: 'failed to process "${a:?}": a: is not allowed to be unset',
    });
    assert.throws(() => word("${a:?}", { a: "" }), {
      message: 'failed to process "${a:?}": a: is not allowed to be empty',
    });
    assert.throws(() => word("${a?boom now}", {}), {
      message: 'failed to process "${a?boom now}": a: boom now',
    });
    assert.throws(() => word("${a", {}), /unsupported modifier/);
    assert.throws(() => word("${a:-b", {}), {
      message: "failed to process \"${a:-b\": syntax error: missing '}'",
    });
    assert.throws(() => word("${}", {}), /syntax error: bad substitution/);
    assert.throws(() => word("'x", {}), /looking for matching single-quote/);
    assert.throws(() => word("${a:%x}", {}), /unsupported modifier \(:%\) in substitution/);
    assert.throws(
      () => word("${a#\\x}", { a: "b" }),
      /invalid pattern \(\\x\) in substitution: invalid escape '\\x'/,
    );
  });

  it("tracks matched and unmatched names", () => {
    const r = lex("${A} $B ${C:-x}", envOf({ A: "1" }), { escape: "\\" });
    assert.deepEqual([...r.matched], ["A"]);
    assert.deepEqual([...r.unmatched].sort(), ["B", "C"]);
  });

  it("uses the backtick as escape in backtick mode", () => {
    assert.equal(word("a`$b`\\c", { b: "x" }, { escape: "`" }), "a$b\\c");
    assert.equal(word('"C:\\dir `"q`""', {}, { escape: "`" }), 'C:\\dir "q"');
  });

  it("keeps unset variables and quotes in raw modes", () => {
    assert.equal(word("$X ${Y} ${Z:-d}", {}, { skipUnsetEnv: true }), "$X ${Y} ${Z:-d}");
    assert.equal(word("'a' \"b\"", {}, { rawQuotes: true }), "'a' \"b\"");
    assert.equal(word("it's $X", { X: "1" }, { skipProcessQuotes: true }), "it's 1");
  });
});
