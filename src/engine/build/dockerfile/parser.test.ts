import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { goQuote } from "./errors.js";
import type { Node } from "./lineParsers.js";
import { LocatedProblem, parseText } from "./parser.js";

/** BuildKit's Node.Dump format, so its parser fixtures can be checked as they are. */
function dump(node: Node): string {
  let s = node.keyword.toLowerCase();
  if (node.flags.length > 0) s += ` [${node.flags.map(goQuote).join(" ")}]`;
  if (node.sub !== undefined) return `${s} (${dump(node.sub)})`;
  for (const a of node.args) s += " " + goQuote(a);
  return s;
}
const dumpAll = (text: string) => parseText(text).nodes.map((n) => `(${dump(n)})`);

describe("parser: lines, comments, continuations", () => {
  it("joins continuation lines and keeps inner blanks (BuildKit continueIndent)", () => {
    const text = [
      "FROM ubuntu:14.04",
      "",
      "RUN echo hello\\",
      "  world\\",
      "  goodnight  \\",
      "  moon\\",
      "  light\\",
      "ning",
      "RUN echo hello  \\",
      "  world",
      "RUN echo hello \\",
      "goodbye\\",
      "frog",
      "RUN echo hello  \\  ",
      "world",
      "RUN echo hi \\",
      " \\",
      " world \\",
      "\\",
      " good\\",
      "\\",
      "night",
      "RUN echo hello \\",
      "# this is a comment",
      "",
      "# this is a comment with a blank line surrounding it",
      "",
      "this is some more useful stuff",
    ].join("\n");
    assert.deepEqual(dumpAll(text), [
      '(from "ubuntu:14.04")',
      '(run "echo hello  world  goodnight    moon  lightning")',
      '(run "echo hello    world")',
      '(run "echo hello goodbyefrog")',
      '(run "echo hello  world")',
      '(run "echo hi   world  goodnight")',
      '(run "echo hello this is some more useful stuff")',
    ]);
  });

  it("handles trailing and doubled backslashes (BuildKit trailing-backslash)", () => {
    const text =
      "FROM hello-world\n\nENV A path\nENV B another\\\\path\nENV C trailing\\\\backslash\\\\\n" +
      "ENV D This should not be appended to C\nENV E hello\\\n\\\nworld\nENV F hello\\\n \\\nworld\n" +
      "ENV G hello \\\n\\\nworld\n";
    assert.deepEqual(dumpAll(text), [
      '(from "hello-world")',
      '(env "A" "path" "")',
      '(env "B" "another\\\\\\\\path" "")',
      '(env "C" "trailing\\\\\\\\backslash\\\\\\\\" "")',
      '(env "D" "This should not be appended to C" "")',
      '(env "E" "helloworld" "")',
      '(env "F" "hello world" "")',
      '(env "G" "hello world" "")',
    ]);
  });

  it("keeps ENV values raw for later expansion (BuildKit env fixture)", () => {
    const text =
      'FROM ubuntu\nENV name value\nENV name=value name2=value2\nENV name="value value1"\n' +
      "ENV name=value\\ value2\nENV name='a\\'b''\nENV name=value \\\n    name1=value1 \\\n" +
      '    name2="value2a \\\n           value2b" \\\n';
    assert.deepEqual(dumpAll(text), [
      '(from "ubuntu")',
      '(env "name" "value" "")',
      '(env "name" "value" "=" "name2" "value2" "=")',
      '(env "name" "\\"value value1\\"" "=")',
      '(env "name" "value\\\\ value2" "=")',
      '(env "name" "\'a\\\\\'b\'\'" "=")',
      '(env "name" "value" "=" "name1" "value1" "=" "name2" "\\"value2a            value2b\\"" "=")',
    ]);
  });

  it("reads flags and stops at -- (BuildKit flags fixture)", () => {
    const text =
      'FROM scratch\nCOPY --user=me --doit=true foo /tmp/\nCOPY --doit=true -- foo /tmp/\nCOPY -- foo /tmp/\nCMD --doit [ "a", "b" ]\nCMD --doit -- [ ]\n';
    assert.deepEqual(dumpAll(text), [
      '(from "scratch")',
      '(copy ["--user=me" "--doit=true"] "foo" "/tmp/")',
      '(copy ["--doit=true"] "foo" "/tmp/")',
      '(copy "foo" "/tmp/")',
      '(cmd ["--doit"] "a" "b")',
      '(cmd ["--doit"])',
    ]);
  });

  it("falls back to the shell form when JSON is invalid (BuildKit jeztah fixtures)", () => {
    assert.deepEqual(
      dumpAll(
        'CMD [\'echo\',\'single quotes are invalid JSON\']\nCMD ["echo", "unterminated"\nRUN [ "a" , "b" ]',
      ),
      [
        "(cmd \"['echo','single quotes are invalid JSON']\")",
        '(cmd "[\\"echo\\", \\"unterminated\\"")',
        '(run "a" "b")',
      ],
    );
    assert.throws(() => parseText('CMD [ "echo", [ "nested json" ] ]'), {
      message: "when using JSON array syntax, arrays must be comprised of strings only",
    });
  });

  it("parses ONBUILD, HEALTHCHECK and VOLUME shapes (BuildKit lk4d4/health fixtures)", () => {
    const text =
      'ONBUILD RUN ["echo", "test"]\nONBUILD COPY . /\nHEALTHCHECK --interval=5s --timeout=3s --retries=3 \\\n  CMD /app/check.sh --quiet\n' +
      'HEALTHCHECK   CMD   a b\nHEALTHCHECK CONNECT TCP 7000\nVOLUME ["/test", "/test2"]\nVOLUME /test3 /test4\nEXPOSE 9000 5000';
    assert.deepEqual(dumpAll(text), [
      '(onbuild (run "echo" "test"))',
      '(onbuild (copy "." "/"))',
      '(healthcheck ["--interval=5s" "--timeout=3s" "--retries=3"] "CMD" "/app/check.sh --quiet")',
      '(healthcheck "CMD" "a b")',
      '(healthcheck "CONNECT" "TCP 7000")',
      '(volume "/test" "/test2")',
      '(volume "/test3" "/test4")',
      '(expose "9000" "5000")',
    ]);
  });

  it("records line ranges, comments included", () => {
    const nodes = parseText("# c\nFROM a\n\nRUN x \\\n  # inner\n  y\nCMD z").nodes;
    assert.deepEqual(
      nodes.map((n) => [n.startLine, n.endLine]),
      [
        [2, 2],
        [4, 6],
        [7, 7],
      ],
    );
  });

  it("handles CRLF line endings, a BOM and a dangling continuation at EOF", () => {
    assert.deepEqual(dumpAll("\ufeffFROM a\r\nRUN b \\\r\n c\r\nVOLUME /x \\"), [
      '(from "a")',
      '(run "b  c")',
      '(volume "/x")',
    ]);
  });

  it("warns about empty continuation lines", () => {
    const parsed = parseText("FROM a\nRUN a \\\n\n b");
    assert.equal(parsed.warnings.length, 1);
    assert.match(parsed.warnings[0]?.message ?? "", /^Empty continuation line found in:\n {4}RUN a {2}b/);
  });

  it("fails on a file without instructions", () => {
    assert.throws(
      () => parseText("# nothing\n\n   \n"),
      (e: unknown) => e instanceof LocatedProblem && e.message === "file with no instructions",
    );
  });
});

describe("parser: directives", () => {
  it("reads escape, syntax and check at the top only", () => {
    const p = parseText("# syntax=docker/dockerfile:1\n# ESCAPE = `\n#check=skip=all\nFROM a\nRUN b `\n c");
    assert.equal(p.escapeChar, "`");
    assert.deepEqual(
      p.directives.map((d) => [d.name, d.value]),
      [
        ["syntax", "docker/dockerfile:1"],
        ["escape", "`"],
        ["check", "skip=all"],
      ],
    );
    assert.deepEqual(
      p.nodes.map((n) => n.args),
      [["a"], ["b  c"]],
    );
  });

  it("ignores directives after a comment, a blank line or an instruction (BuildKit escape-after-comment)", () => {
    for (const text of [
      "# Comment\n# escape = `\n\nFROM image\nENV GOPATH \\\n\\go",
      "\n# escape=`\nFROM image\nENV GOPATH \\\n\\go",
    ]) {
      const p = parseText(text);
      assert.equal(p.escapeChar, "\\");
      assert.deepEqual(p.nodes[1]?.args, ["GOPATH", "\\go", ""]);
    }
    assert.equal(parseText("FROM a\n# escape=`\nRUN x").escapeChar, "\\");
    assert.equal(parseText("# unknown=1\n# escape=`\nFROM a").escapeChar, "\\");
  });

  it("rejects a repeated directive and a bad escape", () => {
    assert.throws(() => parseText("# escape=`\n# escape=\\\nFROM a"), {
      message: "only one escape parser directive can be used",
    });
    assert.throws(() => parseText("# escape=x\nFROM a"), {
      message: "invalid escape token 'x' does not match ` or \\",
    });
  });
});

describe("parser: heredocs", () => {
  it("reads bodies in order, several per line", () => {
    const p = parseText("FROM a\nRUN <<EOF1 cat - <<EOF2\nline 1\nEOF1\nline 2\nEOF2\nRUN after");
    const run = p.nodes[1];
    assert.deepEqual(
      run?.heredocs.map((h) => [h.name, h.content]),
      [
        ["EOF1", "line 1\n"],
        ["EOF2", "line 2\n"],
      ],
    );
    assert.equal(run?.endLine, 6);
    assert.equal(p.nodes[2]?.args[0], "after");
  });

  it("supports <<-, quoted delimiters, fds and a space after <<", () => {
    const p = parseText("RUN 3<<-'X' <<\"Y\" << Z\n\t\tbody $a\n\tX\nyy\nY\nzz\nZ\n");
    const docs = p.nodes[0]?.heredocs ?? [];
    assert.deepEqual(
      docs.map((d) => [d.name, d.fd, d.chomp, d.expand, d.content]),
      [
        ["X", 3, true, false, "\t\tbody $a\n"],
        ["Y", 0, false, false, "yy\n"],
        ["Z", 0, false, true, "zz\n"],
      ],
    );
  });

  it("only applies to RUN, COPY, ADD (and ONBUILD of them) in shell form", () => {
    assert.equal(parseText('RUN ["cat", "<<EOF"]\nEOF').nodes.length, 2);
    assert.equal(parseText("ONBUILD RUN <<EOF\nx\nEOF").nodes[0]?.heredocs.length, 1);
    assert.equal(parseText("CMD <<EOF\nEOF").nodes.length, 2);
  });

  it("fails on a missing terminator", () => {
    assert.throws(
      () => parseText("FROM a\nRUN <<EOF\necho\n"),
      (e: unknown) =>
        e instanceof LocatedProblem && e.message === "unterminated heredoc" && e.startLine === 2,
    );
  });
});
