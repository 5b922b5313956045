/** Random templates and data: the engine returns or throws TemplateError, never anything else, never hangs. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseTemplate, TemplateError } from "./template.js";

const pieces = [
  "{{",
  "}}",
  "{{-",
  "-}}",
  " ",
  ".",
  ".A",
  ".B.C",
  "$",
  "$x",
  ":=",
  "=",
  "|",
  "(",
  ")",
  '"s"',
  "`r`",
  "'c'",
  "1",
  "-2",
  "3.5",
  "0x1f",
  "true",
  "nil",
  "if",
  "else",
  "end",
  "range",
  "with",
  "define",
  "template",
  "block",
  "break",
  "continue",
  "eq",
  "ne",
  "lt",
  "and",
  "or",
  "not",
  "len",
  "index",
  "slice",
  "printf",
  "print",
  "json",
  "join",
  "split",
  "upper",
  "pad",
  "truncate",
  "/*",
  "*/",
  ",",
  "\n",
  "\t",
  "%d",
  "%v",
  "é",
  "日",
  "\\",
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test("fuzz: random token soup never crashes or hangs", () => {
  const r = rng(12345);
  const data = { A: [1, "x", null], B: { C: { D: "deep" } }, M: new Map([["k", 1]]) };
  const start = Date.now();
  for (let i = 0; i < 3000; i++) {
    const n = 1 + Math.floor(r() * 14);
    let text = "";
    for (let j = 0; j < n; j++) text += pieces[Math.floor(r() * pieces.length)];
    try {
      parseTemplate(text).execute(data);
    } catch (e) {
      assert.ok(e instanceof TemplateError, `${JSON.stringify(text)}: ${String(e)}`);
    }
  }
  assert.ok(Date.now() - start < 20_000);
});

test("fuzz: well-formed actions over random data", () => {
  const r = rng(99);
  const values: unknown[] = [
    null,
    undefined,
    0,
    1.5,
    "",
    "s",
    [],
    [1, 2],
    {},
    { A: 1 },
    new Map(),
    true,
    () => 1,
  ];
  const templates = [
    "{{.}}",
    "{{json .}}",
    "{{len .}}",
    "{{index . 0}}",
    "{{range .}}{{.}}{{end}}",
    "{{if .}}y{{end}}",
    '{{printf "%d %s %v %q %x" . . . . .}}',
    "{{eq . .}}",
    "{{lt . 1}}",
    "{{.A}}",
    "{{slice . 1}}",
    "{{with .}}{{.}}{{end}}",
    "{{not .}}",
    "{{and . .}}",
    "{{print . nil}}",
    "{{upper .}}",
  ];
  for (let i = 0; i < 2000; i++) {
    const t = templates[Math.floor(r() * templates.length)] ?? "";
    const v = values[Math.floor(r() * values.length)];
    try {
      parseTemplate(t).execute(v);
    } catch (e) {
      assert.ok(e instanceof TemplateError, `${t} on ${String(v)}: ${String(e)}`);
    }
  }
});
