import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { DockerfileError } from "./errors.js";
import { expandHeredoc, expandInstruction, expandWord, expandWords } from "./expand.js";
import { body, only } from "./testing.js";

describe("expandWord / expandWords", () => {
  it("accepts a Map, a record or a K=V list (last wins)", () => {
    assert.equal(expandWord("$A-$B", new Map([["A", "1"]])), "1-");
    assert.equal(expandWord("$A", { A: "2" }), "2");
    assert.equal(expandWord("$A", ["A=1", "A=3"]), "3");
    assert.equal(expandWord("${constructor:-none}", {}), "none");
  });

  it("splits words after expansion", () => {
    assert.deepEqual(expandWords('$P "a b"', { P: "80  443" }), ["80", "443", "a b"]);
  });

  it("honours the backtick escape", () => {
    assert.equal(expandWord("C:\\dir`$x", { x: "1" }, { escapeChar: "`" }), "C:\\dir$x");
  });

  it("throws DockerfileError with BuildKit's text", () => {
    assert.throws(
      () => expandWord("${a:?}", {}),
      (e: unknown) =>
        e instanceof DockerfileError &&
        e.message === 'failed to process "${a:?}": a: is not allowed to be unset',
    );
  });
});

describe("expandInstruction", () => {
  const env = { V: "1.2", DIR: "/srv", U: "app", NAME: "x y" };

  it("expands the instructions Docker expands", () => {
    const list = body(
      'ENV a=$V b="$NAME"\nLABEL "k-$V"=$NAME\nCOPY --chown=$U:$U --from=$V src-$V $DIR/\nADD --checksum=$V a $DIR\n' +
        "WORKDIR $DIR/sub\nUSER ${U}\nVOLUME $DIR /data\nSTOPSIGNAL SIG$U\nEXPOSE $P 22\nARG x=$V",
    ).map((i) => expandInstruction(i, { ...env, P: "80 443" }));
    assert.deepEqual(
      list.map((i) => {
        switch (i.kind) {
          case "env":
            return i.env.map((kv) => `${kv.key}=${kv.value}`);
          case "label":
            return i.labels.map((kv) => `${kv.key}=${kv.value}`);
          case "copy":
            return [i.chown, i.from, ...i.sources, i.dest];
          case "add":
            return [i.checksum, i.dest];
          case "workdir":
            return i.path;
          case "user":
            return i.user;
          case "volume":
            return i.paths;
          case "stopsignal":
            return i.signal;
          case "expose":
            return i.ports;
          case "arg":
            return i.args.map((a) => `${a.name}=${a.defaultValue}`);
          default:
            return i.kind;
        }
      }),
      [
        ["a=1.2", "b=x y"],
        ["k-1.2=x y"],
        ["app:app", "$V", "src-1.2", "/srv/"],
        ["1.2", "/srv"],
        "/srv/sub",
        "app",
        ["/srv", "/data"],
        "SIGapp",
        ["80", "443", "22"],
        ["x=1.2"],
      ],
    );
  });

  it("leaves RUN, CMD, ENTRYPOINT, HEALTHCHECK, ONBUILD untouched", () => {
    for (const i of body(
      "RUN echo $V\nCMD echo $V\nENTRYPOINT echo $V\nHEALTHCHECK CMD echo $V\nONBUILD COPY $V /\nMAINTAINER $V",
    ))
      assert.equal(expandInstruction(i, env), i);
  });

  it("expands heredoc bodies unless the delimiter was quoted", () => {
    const copy = only('COPY <<A <<"B" /dst/\n"$V" \\$U\nA\n$V\nB', "copy");
    const out = expandInstruction(copy, env);
    assert.deepEqual(
      out.sourceContents.map((c) => c.content),
      ['"1.2" $U\n', "$V\n"],
    );
    const run = only("RUN <<EOF\necho $V\nEOF", "run");
    assert.equal(expandHeredoc(run.heredocs[0]!, env), "echo 1.2\n");
  });

  it("puts the instruction's lines on expansion errors", () => {
    const [, wd] = body("RUN x\nWORKDIR ${D:?need D}");
    assert.ok(wd);
    try {
      expandInstruction(wd, {}, { fileName: "Dockerfile.dev" });
      assert.fail("no error");
    } catch (err) {
      assert.ok(err instanceof DockerfileError);
      assert.deepEqual(
        [err.message, err.line, err.fileName],
        ['failed to process "${D:?need D}": D: need D', 3, "Dockerfile.dev"],
      );
    }
  });
});
