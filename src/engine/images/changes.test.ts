import { test } from "node:test";
import assert from "node:assert/strict";
import { applyChanges, words } from "./changes.js";

test("CMD and ENTRYPOINT in JSON and shell forms", () => {
  const c = applyChanges({}, ['CMD ["/bin/sh", "-c", "echo hi"]', "ENTRYPOINT /bin/tini --"]);
  assert.deepEqual(c.Cmd, ["/bin/sh", "-c", "echo hi"]);
  assert.deepEqual(c.Entrypoint, ["/bin/sh", "-c", "/bin/tini --"]);
  assert.deepEqual(applyChanges({}, ["CMD echo hello"]).Cmd, ["/bin/sh", "-c", "echo hello"]);
});

test("ENV replaces in place and appends", () => {
  const c = applyChanges({ Env: ["PATH=/bin", "A=1"] }, [
    "ENV PATH=/usr/bin:/bin B=two",
    "ENV C three words",
  ]);
  assert.deepEqual(c.Env, ["PATH=/usr/bin:/bin", "A=1", "B=two", "C=three words"]);
  assert.deepEqual(applyChanges({}, ['ENV X="a b"']).Env, ["X=a b"]);
});

test("LABEL, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL, ONBUILD", () => {
  const c = applyChanges({}, [
    'LABEL a=b "c d"=e',
    "EXPOSE 80 443/udp 8000-8001",
    'VOLUME ["/data", "/logs"]',
    "VOLUME /more",
    "USER nobody",
    "WORKDIR /srv",
    "WORKDIR app",
    "STOPSIGNAL SIGINT",
    "ONBUILD RUN echo x",
  ]);
  assert.deepEqual(c.Labels, { a: "b", "c d": "e" });
  assert.deepEqual(Object.keys(c.ExposedPorts ?? {}), ["80/tcp", "443/udp", "8000-8001/tcp"]);
  assert.deepEqual(Object.keys(c.Volumes ?? {}), ["/data", "/logs", "/more"]);
  assert.equal(c.User, "nobody");
  assert.equal(c.WorkingDir, "/srv/app");
  assert.equal(c.StopSignal, "SIGINT");
  assert.deepEqual(c.OnBuild, ["RUN echo x"]);
});

test("instructions that are not config changes are refused like Docker", () => {
  assert.throws(() => applyChanges({}, ["RUN echo"]), { message: "run is not a valid change command" });
  assert.throws(() => applyChanges({}, ["FROM x"]), { message: "from is not a valid change command" });
  assert.throws(() => applyChanges({}, ["EXPOSE abc"]), /invalid containerPort: abc/);
  assert.throws(() => applyChanges({}, ["USER"]), /USER requires exactly one argument/);
});

test("the base config is not modified", () => {
  const base = { Env: ["A=1"] };
  applyChanges(base, ["ENV A=2"]);
  assert.deepEqual(base.Env, ["A=1"]);
});

test("words honours quotes and escapes", () => {
  assert.deepEqual(words(`a "b c" 'd e' f\\ g`), ["a", "b c", "d e", "f g"]);
  assert.throws(() => words(`"open`), /unmatched quote/);
});
