import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseDockerfile } from "./dockerfile.js";
import { DockerfileError } from "./errors.js";
import { body, only, parseError } from "./testing.js";

describe("instructions", () => {
  it("FROM: image, stage name (lower-cased), platform", () => {
    const df = parseDockerfile("from --platform=$BUILDPLATFORM golang:1.22 As Builder\nFROM builder");
    assert.deepEqual(
      df.stages.map((s) => [s.from.image, s.name, s.from.platform, s.from.keyword]),
      [
        ["golang:1.22", "builder", "$BUILDPLATFORM", "from"],
        ["builder", undefined, undefined, "FROM"],
      ],
    );
    assert.equal(
      parseError("FROM a b"),
      "dockerfile parse error on line 1: FROM requires either one or three arguments",
    );
    assert.equal(
      parseError("FROM"),
      "dockerfile parse error on line 1: FROM requires either one or three arguments",
    );
    assert.equal(
      parseError("FROM a AS 1st"),
      'dockerfile parse error on line 1: invalid name for build stage: "1st", name can\'t start with a number or contain symbols',
    );
    assert.equal(parseError("FROM --chown=1 a"), "dockerfile parse error on line 1: unknown flag: --chown");
  });

  it("RUN: shell and exec forms, flags, heredocs", () => {
    const run = only("RUN --mount=type=cache,target=/root/.cache --network=none apt-get update", "run");
    assert.deepEqual(run.command, { form: "shell", command: "apt-get update" });
    assert.deepEqual(run.mounts, ["type=cache,target=/root/.cache"]);
    assert.equal(run.network, "none");
    assert.equal(run.security, "sandbox");
    assert.deepEqual(run.flagsUsed, ["mount", "network"]);
    assert.deepEqual(only('RUN ["/bin/sh", "-c", "mkdir /tmp/test"]', "run").command, {
      form: "exec",
      args: ["/bin/sh", "-c", "mkdir /tmp/test"],
    });
    const hd = only("RUN <<-EOT bash\n\tset -e\n\techo $HOME\n\tEOT", "run");
    assert.deepEqual(hd.command, { form: "shell", command: "<<-EOT bash" });
    assert.equal(hd.heredocs[0]?.content, "set -e\necho $HOME\n");
    assert.equal(hd.heredocs[0]?.raw, "\tset -e\n\techo $HOME\n");
    assert.match(parseError("FROM a\nRUN --network=bridge x"), /line 2: invalid network mode "bridge"$/);
    assert.match(parseError("FROM a\nRUN --security=x y"), /security "x" is not valid$/);
    assert.match(
      parseError("FROM a\nRUN --mount=from=$X,target=/a y"),
      /'from' doesn't support variable expansion/,
    );
    // Other mount fields are read once expanded, when the step runs (see runMount.test.ts).
    assert.equal(parseError("FROM a\nRUN --mount=type=secret,id=a,from=b y"), "(no error)");
    assert.match(parseError("FROM a\nRUN --chown=1 y"), /unknown flag: --chown$/);
  });

  it("CMD and ENTRYPOINT keep exec arrays and shell strings", () => {
    const [cmd, ep, empty] = body('CMD ["ping", "localhost"]\nENTRYPOINT ping localhost\nENTRYPOINT []');
    assert.deepEqual(cmd?.kind === "cmd" && cmd.command, { form: "exec", args: ["ping", "localhost"] });
    assert.deepEqual(ep?.kind === "entrypoint" && ep.command, { form: "shell", command: "ping localhost" });
    assert.deepEqual(empty?.kind === "entrypoint" && empty.command, { form: "exec", args: [] });
  });

  it("ENV and LABEL: pairs, legacy form, errors", () => {
    assert.deepEqual(only("ENV a=1 b=2", "env").env, [
      { key: "a", value: "1", legacy: false },
      { key: "b", value: "2", legacy: false },
    ]);
    assert.deepEqual(only("LABEL maintainer docker <docker@docker.io>", "label").labels, [
      { key: "maintainer", value: "docker <docker@docker.io>", legacy: true },
    ]);
    assert.equal(
      parseError("FROM a\nENV"),
      "dockerfile parse error on line 2: ENV requires at least one argument",
    );
    // Checked by the line parser, so worded as a parse failure of the file.
    assert.equal(parseError("FROM a\nENV a"), "failed to parse Dockerfile: ENV must have two arguments");
    assert.equal(
      parseError("FROM a\nENV =x"),
      "dockerfile parse error on line 2: ENV names can not be blank",
    );
    assert.equal(
      parseError("FROM a\nLABEL =x"),
      "dockerfile parse error on line 2: LABEL names can not be blank",
    );
    assert.equal(
      parseError("FROM a\nENV a=1 b"),
      `failed to parse Dockerfile: Syntax error - can't find = in "b". Must be of the form: name=value`,
    );
  });

  it("ADD and COPY: sources, dest, flags, heredoc sources", () => {
    const copy = only(
      "COPY --from=build --chown=app:app --chmod=755 --link --exclude=*.md --exclude=x a b /dst/",
      "copy",
    );
    assert.deepEqual(
      [copy.from, copy.chown, copy.chmod, copy.link, copy.exclude, copy.sources, copy.dest, copy.parents],
      ["build", "app:app", "755", true, ["*.md", "x"], ["a", "b"], "/dst/", false],
    );
    const add = only("ADD --keep-git-dir=false --checksum=sha256:abc --unpack https://x/y.tgz /z", "add");
    assert.deepEqual(
      [add.keepGitDir, add.checksum, add.unpack, add.sources],
      [false, "sha256:abc", true, ["https://x/y.tgz"]],
    );
    const hd = only("COPY <<EOF /etc/motd\nhello $USER\nEOF", "copy");
    assert.deepEqual(hd.sources, []);
    assert.deepEqual(
      hd.sourceContents.map((c) => [c.name, c.content, c.expand]),
      [["EOF", "hello $USER\n", true]],
    );
    assert.equal(
      parseError("FROM a\nCOPY onlyone"),
      "dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined",
    );
    assert.equal(
      parseError("FROM a\nCOPY a <<EOF\nx\nEOF"),
      "dockerfile parse error on line 2: COPY cannot accept a heredoc as a destination",
    );
    assert.equal(
      parseError("FROM a\nCOPY --from a b"),
      "dockerfile parse error on line 2: missing a value on flag: --from",
    );
    assert.equal(
      parseError("FROM a\nCOPY --link=maybe a b"),
      "dockerfile parse error on line 2: expecting boolean value for flag --link, not: maybe",
    );
    assert.equal(
      parseError("FROM a\nCOPY --from=a --from=b a b"),
      "dockerfile parse error on line 2: duplicate flag specified: --from",
    );
    assert.equal(
      parseError("FROM a\nADD --from=a b c"),
      "dockerfile parse error on line 2: unknown flag: --from",
    );
    assert.equal(
      parseError("FROM a\nCOPY --foo a b"),
      "dockerfile parse error on line 2: unknown flag: --foo (did you mean from?)",
    );
    assert.equal(
      parseError("FROM a\nCOPY --zzzzzz a b"),
      "dockerfile parse error on line 2: unknown flag: --zzzzzz",
    );
  });

  it("VOLUME, USER, WORKDIR, STOPSIGNAL, MAINTAINER, EXPOSE", () => {
    assert.deepEqual(only('VOLUME ["/a", "/b"]', "volume").paths, ["/a", "/b"]);
    assert.equal(only("USER app:staff", "user").user, "app:staff");
    assert.equal(only("WORKDIR /path with spaces", "workdir").path, "/path with spaces");
    assert.equal(only("STOPSIGNAL SIGKILL", "stopsignal").signal, "SIGKILL");
    assert.equal(only('MAINTAINER Nginx "x@y"', "maintainer").maintainer, 'Nginx "x@y"');
    assert.deepEqual(only("EXPOSE 80 443/udp 22", "expose").ports, ["22", "443/udp", "80"]);
    assert.equal(
      parseError('FROM a\nVOLUME [""]'),
      "dockerfile parse error on line 2: VOLUME specified can not be an empty string",
    );
    assert.equal(
      parseError("FROM a\nUSER"),
      "dockerfile parse error on line 2: USER requires exactly one argument",
    );
    assert.equal(
      parseError("FROM a\nWORKDIR"),
      "dockerfile parse error on line 2: WORKDIR requires exactly one argument",
    );
    assert.equal(
      parseError("FROM a\nEXPOSE"),
      "dockerfile parse error on line 2: EXPOSE requires at least one argument",
    );
    assert.equal(
      parseError("FROM a\nSTOPSIGNAL"),
      "dockerfile parse error on line 2: STOPSIGNAL requires exactly one argument",
    );
  });

  it("ARG: several per line, quoted defaults kept raw", () => {
    assert.deepEqual(only('ARG a b=2 c="x y"', "arg").args, [
      { name: "a" },
      { name: "b", defaultValue: "2" },
      { name: "c", defaultValue: '"x y"' },
    ]);
    assert.equal(
      parseError("FROM a\nARG"),
      "dockerfile parse error on line 2: ARG requires at least one argument",
    );
    assert.equal(
      parseError("FROM a\nARG =1"),
      "dockerfile parse error on line 2: ARG names can not be blank",
    );
  });

  it("ONBUILD wraps another instruction but not ONBUILD, FROM or MAINTAINER", () => {
    const ob = only("ONBUILD  copy $f /app/", "onbuild");
    assert.deepEqual([ob.expression, ob.trigger], ["copy $f /app/", "COPY"]);
    const hd = only("ONBUILD RUN <<EOF\necho hi\nEOF", "onbuild");
    assert.equal(hd.expression, "RUN <<EOF\necho hi\nEOF");
    assert.equal(
      parseError("FROM a\nONBUILD ONBUILD RUN x"),
      "dockerfile parse error on line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
    );
    assert.equal(
      parseError("FROM a\nONBUILD FROM x"),
      "dockerfile parse error on line 2: FROM isn't allowed as an ONBUILD trigger",
    );
    assert.equal(
      parseError("FROM a\nONBUILD maintainer x"),
      "dockerfile parse error on line 2: MAINTAINER isn't allowed as an ONBUILD trigger",
    );
    assert.equal(
      parseError("FROM a\nONBUILD"),
      "dockerfile parse error on line 2: ONBUILD requires at least one argument",
    );
  });

  it("HEALTHCHECK: CMD with options, NONE, errors", () => {
    const hc = only(
      "HEALTHCHECK --interval=10s --timeout=1m30s --start-period=500ms --retries=5 \\\n CMD curl -f http://localhost/ || exit 1",
      "healthcheck",
    );
    assert.deepEqual(hc.health, {
      type: "cmd",
      test: ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
      interval: 10e9,
      timeout: 90e9,
      startPeriod: 500e6,
      startInterval: 0,
      retries: 5,
    });
    assert.deepEqual(only('HEALTHCHECK cmd ["true"]', "healthcheck").health, {
      type: "cmd",
      test: ["CMD", "true"],
      interval: 0,
      timeout: 0,
      startPeriod: 0,
      startInterval: 0,
      retries: 0,
    });
    assert.deepEqual(only("HEALTHCHECK NONE", "healthcheck").health, { type: "none" });
    const err = (t: string) => parseError(`FROM a\n${t}`).replace("dockerfile parse error on line 2: ", "");
    assert.equal(err("HEALTHCHECK NONE x"), "HEALTHCHECK NONE takes no arguments");
    assert.equal(err("HEALTHCHECK CMD"), "Missing command after HEALTHCHECK CMD");
    assert.equal(err("HEALTHCHECK CONNECT TCP 7000"), 'Unknown type "CONNECT" in HEALTHCHECK (try CMD)');
    assert.equal(err("HEALTHCHECK --interval=1us CMD x"), 'Interval "interval" cannot be less than 1ms');
    assert.equal(err("HEALTHCHECK --interval=5 CMD x"), 'time: missing unit in duration "5"');
    assert.equal(err("HEALTHCHECK --timeout=abc CMD x"), 'time: invalid duration "abc"');
    assert.equal(err("HEALTHCHECK --retries=-1 CMD x"), "--retries cannot be negative (-1)");
    assert.equal(err("HEALTHCHECK --retries=x CMD x"), 'strconv.ParseInt: parsing "x": invalid syntax');
    assert.equal(err("HEALTHCHECK --intervl=5s CMD x"), "unknown flag: --intervl (did you mean interval?)");
  });

  it("SHELL must be JSON", () => {
    assert.deepEqual(only('SHELL ["/bin/bash", "-eo", "pipefail", "-c"]', "shell").shell, [
      "/bin/bash",
      "-eo",
      "pipefail",
      "-c",
    ]);
    assert.equal(
      parseError("FROM a\nSHELL /bin/sh -c"),
      "dockerfile parse error on line 2: SHELL requires the arguments to be in JSON form",
    );
    assert.equal(
      parseError("FROM a\nSHELL []"),
      "dockerfile parse error on line 2: SHELL requires at least one argument",
    );
  });

  it("keywords are case-insensitive and unknown ones get a suggestion", () => {
    assert.deepEqual(
      body("run a\nCmd b\nwOrKdIr /x").map((i) => i.kind),
      ["run", "cmd", "workdir"],
    );
    assert.equal(
      parseError("FROM a\n\nFORM b"),
      "dockerfile parse error on line 3: unknown instruction: FORM (did you mean FROM?)",
    );
    assert.equal(
      parseError("FROM a\ncopi a b"),
      "dockerfile parse error on line 2: unknown instruction: copi (did you mean copy?)",
    );
    assert.equal(
      parseError("FROM a\nXYZZY a"),
      "dockerfile parse error on line 2: unknown instruction: XYZZY",
    );
  });

  it("keeps source text and line range on every instruction", () => {
    const [run] = body("RUN a \\\n  && b");
    assert.deepEqual(run && [run.original, run.startLine, run.endLine], ["RUN a   && b", 2, 3]);
  });
});

describe("parseDockerfile errors", () => {
  it("wraps parser failures like the classic builder", () => {
    assert.equal(parseError(""), "the Dockerfile (Dockerfile) cannot be empty");
    assert.equal(parseError("# only a comment\n"), "failed to parse Dockerfile: file with no instructions");
    assert.equal(parseError("FROM a\nRUN <<EOF\nx"), "failed to parse Dockerfile: unterminated heredoc");
    assert.equal(parseError("RUN x"), "no build stage in current context");
    assert.equal(parseError("ARG a=1"), "dockerfile contains no stages to build");
  });

  it("carries file name and lines", () => {
    try {
      parseDockerfile("FROM a\nRUN ok\nBAD x", { fileName: "Containerfile" });
      assert.fail("no error");
    } catch (err) {
      assert.ok(err instanceof DockerfileError);
      assert.equal(err.kind, "invalid");
      assert.deepEqual(
        [err.fileName, err.line, err.endLine, err.detail],
        ["Containerfile", 3, 3, "unknown instruction: BAD (did you mean ADD?)"],
      );
    }
  });
});
