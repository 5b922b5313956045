import assert from "node:assert/strict";
import { test } from "node:test";
import { tabwrite } from "./tabwriter.js";

/** [input, output] captured from docker 28's tabwriter (minwidth 10, tabwidth 1, padding 3, ' '). */
const dockerCases: [string, string][] = [
  [
    "aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n\n",
    "aaaa      bbb       d\naa        b         dd\na         \naa        cccc      eee\n\n",
  ],
  [
    "a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n\n",
    "a         b         c\naa        bbb       cccc\naaa       bbbb\n\n",
  ],
  ["\t\t\nx\t\t\n\ty\n\n", "                    \nx                   \n          y\n\n"],
  [
    "one cell\nfoo\tbar\nbaz\tqux\tquux\nend\n\n",
    "one cell\nfoo       bar\nbaz       qux       quux\nend\n\n",
  ],
  ["a\tb\n\nc\td\n\n", "a         b\n\nc         d\n\n"],
  [
    "long cell content here\tx\nshort\ty\tz\n\tq\n\n",
    "long cell content here   x\nshort                    y         z\n                         q\n\n",
  ],
  [
    "ID\tNAME\tSTATUS\n0123456789ab\tweb\tUp 3 minutes\nfedcba987654\tdb-primary-long-name\tExited (0) 2 hours ago\n\n",
    "ID             NAME                   STATUS\n0123456789ab   web                    Up 3 minutes\nfedcba987654   db-primary-long-name   Exited (0) 2 hours ago\n\n",
  ],
  ["x\ty\t\n\n", "x         y         \n\n"],
  ["\n\n\t\n\n", "\n\n          \n\n"],
  ["trailing\t\n\n", "trailing   \n\n"],
];

test("tabwrite matches docker's tables", () => {
  for (const [input, want] of dockerCases) assert.equal(tabwrite(input), want, JSON.stringify(input));
});

test("a column is a run of consecutive lines with a tab-terminated cell", () => {
  // The b/c cells are distinct columns: line 3 has no second column and breaks the block.
  const input = "aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tccccccccccccc\teee\n";
  assert.equal(
    tabwrite(input),
    "aaaa      bbb       d\n" +
      "aa        b         dd\n" +
      "a         \n" +
      "aa        ccccccccccccc   eee\n",
  );
});

test("Go's own cases with other settings", () => {
  const dots = { minwidth: 8, tabwidth: 0, padding: 1, padchar: "." };
  assert.equal(
    tabwrite("a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n", dots),
    "a.......b.......c\naa......bbb.....cccc\naaa.....bbbb\n",
  );
  assert.equal(tabwrite("", dots), "");
  assert.equal(tabwrite("\n\n\n", dots), "\n\n\n");
  assert.equal(tabwrite("a\nb\nc", dots), "a\nb\nc");
  const zero = { minwidth: 0, tabwidth: 8, padding: 1, padchar: " " };
  assert.equal(tabwrite("1\t2\t3\t4\n11\t222\t3333\t44444\n", zero), "1  2   3    4\n11 222 3333 44444\n");
  // With padchar '\t', cells are padded with tabs to multiples of tabwidth.
  const tabs = { minwidth: 0, tabwidth: 8, padding: 1, padchar: "\t" };
  assert.equal(tabwrite("a\tb\tc\naa\tbbb\tcccc\n", tabs), "a\tb\tc\naa\tbbb\tcccc\n");
  assert.equal(tabwrite("aaaaaaaa\tb\nc\td\n", tabs), "aaaaaaaa\tb\nc\t\td\n");
});

test("\\f ends the line and starts fresh columns", () => {
  assert.equal(tabwrite("aaaaaaaaaaaaaa\tb\fc\td\n"), "aaaaaaaaaaaaaa   b\nc         d\n");
  assert.equal(tabwrite("a\tb\vc\n"), "a         b         c\n");
});

test("text without a final newline stays pending and is written on flush", () => {
  assert.equal(tabwrite("a\tb\nccc\tddd"), "a         b\nccc       ddd");
  // A lone cell on the last line belongs to no column, so it is not padded.
  assert.equal(tabwrite("x\t"), "x");
});

test("wide characters count two columns, combining marks none", () => {
  assert.equal(tabwrite("日本\tx\nab\ty\n"), "日本      x\nab        y\n");
  assert.equal(tabwrite("e\u0301\tx\n"), "e\u0301         x\n");
});
