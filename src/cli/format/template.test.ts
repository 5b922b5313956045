import assert from "node:assert/strict";
import { test } from "node:test";
import { parseTemplate, TemplateError } from "./template.js";
import { markStruct } from "./values.js";

function run(text: string, data: unknown, lenientFields = false): string {
  return parseTemplate(text).execute(data, { lenientFields, typeName: "*formatter.ContainerContext" });
}

function fails(text: string, data: unknown, message: string): void {
  assert.throws(
    () => run(text, data),
    (e: unknown) => e instanceof TemplateError && e.message === message,
    text,
  );
}

const container = {
  ID: "0123456789ab",
  Names: "web",
  Labels: { "com.example.b": "2", "com.example.a": "1" },
  Ports: [80, 443],
  State: { Status: "running", Running: true, Pid: 42 },
  Health: null,
  Size: 1.5,
  Label(name: string): string {
    return (this.Labels as Record<string, string>)[name] ?? "";
  },
};

test("fields, nested fields and dot", () => {
  assert.equal(run("{{.ID}} {{.Names}}", container), "0123456789ab web");
  assert.equal(run("{{.State.Status}}/{{.State.Pid}}", container), "running/42");
  assert.equal(run("{{with .State}}{{.Running}}{{end}}", container), "true");
  assert.equal(run("{{.}}", "plain"), "plain");
});

test("Go's default printing of values", () => {
  assert.equal(run("{{.Labels}}", container), "map[com.example.a:1 com.example.b:2]");
  assert.equal(run("{{.Ports}}", container), "[80 443]");
  assert.equal(run("{{.State}}", container), "{running true 42}");
  assert.equal(run('{{printf "%+v" .State}}', container), "{Status:running Running:true Pid:42}");
  assert.equal(run("{{.Health}}", container), "<nil>");
  assert.equal(run("{{.Size}} {{1.0}} {{1e6}} {{3}}", container), "1.5 1 1e+06 3");
  assert.equal(
    run(
      "{{.}}",
      new Map([
        ["b", 1],
        ["a", 2],
      ]),
    ),
    "map[a:2 b:1]",
  );
  assert.equal(run("{{.}}", {}), "map[]");
  assert.equal(run("{{.}}", []), "[]");
  assert.equal(run("{{.}}", 123456789012), "123456789012");
});

test("map keys by field and index; missing keys", () => {
  const labels = { "com.example.a": "1", maintainer: "me" };
  assert.equal(run("{{.maintainer}}", labels), "me");
  assert.equal(run("{{.missing}}", labels), "<no value>");
  assert.equal(run('{{index . "com.example.a"}}', labels), "1");
  assert.equal(run('{{index .Labels "com.example.b"}}', container), "2");
  // A missing key through index is the element's zero value, as for map[string]string.
  assert.equal(run('[{{index .Labels "nope"}}]', container), "[]");
  // PascalCase label keys still index like a map.
  assert.equal(run('{{index . "Maintainer"}}', { Maintainer: "x" }), "x");
});

test("missing struct fields fail as docker's do, unless lenient (inspect's raw fallback)", () => {
  fails(
    "{{.Foo}}",
    container,
    'template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext',
  );
  assert.equal(run("{{.Foo}}", container, true), "<no value>");
  fails(
    "{{.Health.Status}}",
    container,
    'template: :1:9: executing "" at <.Health.Status>: nil pointer evaluating interface {}.Status',
  );
  const typed = markStruct({ Name: "x" }, { typeName: "types.Thing" });
  fails(
    "{{.Nope}}",
    typed,
    'template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type types.Thing',
  );
});

test("functions on the data act as Go methods", () => {
  assert.equal(run('{{.Label "com.example.a"}}', container), "1");
  fails(
    "{{.Label}}",
    container,
    'template: :1:2: executing "" at <.Label>: wrong number of args for Label: want 1 got 0',
  );
  const throwing = {
    Boom: () => {
      throw new Error("kaput");
    },
  };
  fails("{{.Boom}}", throwing, 'template: :1:2: executing "" at <.Boom>: error calling Boom: kaput');
});

test("control structures and variables", () => {
  const t = "{{range $i, $p := .Ports}}{{if $i}},{{end}}{{$p}}{{end}}";
  assert.equal(run(t, container), "80,443");
  assert.equal(
    run("{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}", container),
    "com.example.a=1;com.example.b=2;",
  );
  assert.equal(run("{{range .Nope}}x{{else}}empty{{end}}", { Nope: [] }), "empty");
  assert.equal(run("{{range .}}{{.}}{{end}}", null), "");
  assert.equal(run("{{$n := len .Ports}}{{if gt $n 1}}many{{else}}few{{end}}", container), "many");
  assert.equal(run("{{$x := 1}}{{range .Ports}}{{$x = .}}{{end}}{{$x}}", container), "443");
  assert.equal(run("{{range .Ports}}{{$.Names}}{{end}}", container), "webweb");
  assert.equal(run("{{with .Health}}h{{else}}no health{{end}}", container), "no health");
  assert.equal(run('{{if and .State.Running (eq .Names "web" "db")}}up{{end}}', container), "up");
});

test("json keeps struct order, sorts maps, and matches Go's encoder", () => {
  assert.equal(run("{{json .State}}", container), '{"Status":"running","Running":true,"Pid":42}');
  assert.equal(run("{{json .Labels}}", container), '{"com.example.a":"1","com.example.b":"2"}');
  assert.equal(run("{{json .}}", { s: "<&>\u2028" }), '{"s":"<&>\\u2028"}');
  const row = markStruct({ Z: "z", A: "a", Fn: () => "called" }, { typeName: "row", sortedJson: true });
  assert.equal(run("{{json .}}", row), '{"A":"a","Fn":"called","Z":"z"}');
  assert.equal(run("{{json .Missing}}", {}), "null");
});

test("docker's string functions", () => {
  assert.equal(run('{{join .Names ","}}', { Names: ["a", "b"] }), "a,b");
  fails(
    '{{join .Ports ","}}',
    container,
    'template: :1:7: executing "" at <.Ports>: wrong type for value; expected []string; got []interface {}',
  );
  assert.equal(run('{{split "a:b:c" ":"}}', null), "[a b c]");
  assert.equal(run('{{.Names | upper}} {{title .Names}} {{lower "ABC"}}', container), "WEB Web abc");
  assert.equal(run("{{pad .Names 1 2}}|{{truncate .ID 5}}", container), " web  |01234");
});

test("parse errors carry Go's texts", () => {
  const cases: [string, string][] = [
    ["{{.ID", "template: :1: unclosed action"],
    ["{{trim .ID}}", 'template: :1: function "trim" not defined'],
    ["{{if .A}}", "template: :1: unexpected EOF"],
    ["x\n{{end}}", "template: :2: unexpected {{end}}"],
    ["{{$x}}", 'template: :1: undefined variable "$x"'],
    ["{{range}}{{end}}", "template: :1: missing value for range"],
  ];
  for (const [text, msg] of cases) {
    assert.throws(
      () => parseTemplate(text),
      (e: unknown) => e instanceof TemplateError && e.phase === "parse" && e.message === msg,
      text,
    );
  }
});

test("errors report line and byte column", () => {
  fails(
    "a\nbé {{.Nope}}",
    container,
    'template: :2:6: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext',
  );
});

test("runaway templates stop with an error instead of hanging", () => {
  assert.throws(() => run('{{define "a"}}{{template "a"}}{{end}}{{template "a"}}', null), TemplateError);
  assert.throws(() => run("{{range 100000000}}{{end}}", null), TemplateError);
});
