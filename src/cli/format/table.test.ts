import assert from "node:assert/strict";
import { test } from "node:test";
import { CliError } from "../context.js";
import { renderRows } from "./table.js";

const headers = { ID: "CONTAINER ID", Image: "IMAGE", Names: "NAMES" };
const defaultTable = "table {{.ID}}\\t{{.Image}}\\t{{.Names}}";
const rows = [
  { ID: "0123456789ab", Image: "busybox", Names: "web" },
  { ID: "fedcba987654", Image: "registry.example.com/team/app:1.2", Names: "db" },
];

test("empty or 'table' format renders the default table with headers", () => {
  const want =
    "CONTAINER ID   IMAGE                               NAMES\n" +
    "0123456789ab   busybox                             web\n" +
    "fedcba987654   registry.example.com/team/app:1.2   db\n";
  assert.equal(renderRows({ format: undefined, defaultTable, headers, rows }), want);
  assert.equal(renderRows({ format: "", defaultTable, headers, rows }), want);
  assert.equal(renderRows({ format: "table", defaultTable, headers, rows }), want);
});

test("a table with no rows still prints its header", () => {
  assert.equal(
    renderRows({ format: "", defaultTable, headers, rows: [] }),
    "CONTAINER ID   IMAGE     NAMES\n",
  );
});

test("custom table: header funcs leave titles intact, unknown headers print <no value>", () => {
  const out = renderRows({
    format: "table {{.Names | upper}}\\t{{.Other}}",
    defaultTable,
    headers,
    rows: [{ ...rows[0], Other: "x" }],
  });
  assert.equal(out, "NAMES     <no value>\nWEB       x\n");
});

test("plain templates print one line per row without alignment", () => {
  assert.equal(
    renderRows({ format: "{{.ID}}: {{.Names}}", defaultTable, headers, rows }),
    "0123456789ab: web\nfedcba987654: db\n",
  );
  assert.equal(
    renderRows({ format: "{{.Names}}\\t{{.ID}}", defaultTable, headers, rows: rows.slice(0, 1) }),
    "web\t0123456789ab\n",
  );
  assert.equal(renderRows({ format: "{{.ID}}", defaultTable, headers, rows: [] }), "");
});

test("json prints one object per row with sorted keys, like docker's contexts", () => {
  const out = renderRows({
    format: "json",
    defaultTable,
    headers,
    rows: [{ Names: "web", ID: "1", Image: "b" }],
  });
  assert.equal(out, '{"ID":"1","Image":"b","Names":"web"}\n');
});

test("quiet prints the quiet format", () => {
  assert.equal(
    renderRows({ format: "table {{.Names}}", defaultTable, headers, rows, quiet: true }),
    "0123456789ab\nfedcba987654\n",
  );
});

test("template errors become docker's 'template parsing error' with exit 1", () => {
  const bad = (format: string): CliError => {
    try {
      renderRows({ format, defaultTable, headers, rows, typeName: "*formatter.ContainerContext" });
    } catch (e) {
      if (e instanceof CliError) return e;
      throw e;
    }
    throw new Error("no error");
  };
  assert.equal(bad("{{.ID").message, "template parsing error: template: :1: unclosed action");
  const e = bad("{{.Nope}}");
  assert.equal(
    e.message,
    'template parsing error: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext',
  );
  assert.equal(e.exitCode, 1);
});
