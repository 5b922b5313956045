import { test } from "node:test";
import assert from "node:assert/strict";
import {
  checkGitChecksum,
  defaultBranchOf,
  gitSourceKey,
  isAddGitSource,
  isGitUrlSource,
  parseAddGitRef,
  pickRemoteRef,
} from "./addGitRef.js";

const a = "a".repeat(40);
const b = "b".repeat(40);
const c = "c".repeat(40);

test("ADD git sources as BuildKit's ParseGitRef tells them from paths and plain URLs", () => {
  for (const s of [
    "https://127.0.0.1/repo.git",
    "http://127.0.0.1:8080/repo.git#v1.0",
    "http://127.0.0.1/repo.git?x=1#main:sub",
    "git://127.0.0.1/repo",
    "ssh://git@127.0.0.1/repo",
    "GIT://127.0.0.1/repo",
    "git@127.0.0.1:repo.git",
    "user@host:path",
    "user@host:path#ref",
  ])
    assert.equal(isAddGitSource(s), true, s);
  for (const s of [
    "https://127.0.0.1/file.tar",
    "http://127.0.0.1/repo.git/x",
    "https://127.0.0.1/file#x.git",
    "ftp://127.0.0.1/repo.git",
    "github.com/moby/buildkit",
    "github.com:moby/buildkit.git",
    "host:path#ref",
    "a.txt:b",
    "./a:b",
    "../a:b",
    "file.txt",
    "dir/x:/abs",
    "c:/x",
    "x:",
    "*.txt",
  ])
    assert.equal(isAddGitSource(s), false, s);
  assert.equal(isGitUrlSource("http://127.0.0.1/r.git"), true);
  assert.equal(isGitUrlSource("git@127.0.0.1:r.git"), false, "COPY keeps scp-like strings as paths");
});

test("the #ref:subdir fragment: no ref means the default branch; URL fragments are unescaped", () => {
  assert.deepEqual(parseAddGitRef("http://127.0.0.1/r.git"), {
    remote: "http://127.0.0.1/r.git",
    ref: "",
    subdir: "",
  });
  assert.deepEqual(parseAddGitRef("http://127.0.0.1/r.git#feat%2Fx:sub/dir"), {
    remote: "http://127.0.0.1/r.git",
    ref: "feat/x",
    subdir: "sub/dir",
  });
  assert.deepEqual(parseAddGitRef("http://127.0.0.1/r.git#:sub"), {
    remote: "http://127.0.0.1/r.git",
    ref: "",
    subdir: "sub",
  });
  assert.deepEqual(parseAddGitRef("git@127.0.0.1:r.git#v1:a%2F"), {
    remote: "git@127.0.0.1:r.git",
    ref: "v1",
    subdir: "a%2F",
  });
  assert.equal(parseAddGitRef("http://127.0.0.1/r.git#%zz"), undefined, "Go's url.Parse fails: no git ref");
  assert.throws(() => parseAddGitRef("http://127.0.0.1/r.git##ref=v1"), /##key=value form/);
});

test("ls-remote output: branch over tag, annotated tags peeled, BuildKit's texts", () => {
  const out = `${a}\trefs/heads/v1\n${b}\trefs/tags/v1\n${c}\trefs/tags/v1^{}\n`;
  assert.deepEqual(pickRemoteRef(out, "v1"), { sha: a, ref: "v1" });
  assert.deepEqual(pickRemoteRef(`${b}\trefs/tags/v1\n${c}\trefs/tags/v1^{}\n`, "v1"), {
    sha: b,
    ref: "v1",
    tagCommit: c,
  });
  assert.deepEqual(pickRemoteRef(`${a}\trefs/heads/x/main\n${b}\trefs/heads/main\n`, "main"), {
    sha: b,
    ref: "main",
  });
  assert.deepEqual(pickRemoteRef(`${a}\trefs/pull/1/head\n`, "refs/pull/1/head"), {
    sha: a,
    ref: "refs/pull/1/head",
  });
  assert.throws(
    () => pickRemoteRef("", "nope"),
    /^EngineError: repository does not contain ref nope, output: ""$/,
  );
  assert.throws(() => pickRemoteRef(`zz\trefs/heads/m\n`, "m"), /^EngineError: invalid commit sha "zz"$/);
  assert.equal(defaultBranchOf(`ref: refs/heads/trunk\tHEAD\n${a}\tHEAD\n`, "r"), "trunk");
  assert.throws(() => defaultBranchOf(`${a}\tHEAD\n`, "http://h/r.git"), /could not find default branch/);
});

test("--checksum for a git source: a hex prefix of the commit or of the annotated tag", () => {
  checkGitChecksum(a, { sha: a, ref: "main" });
  checkGitChecksum("aaaa", { sha: a, ref: "main" });
  checkGitChecksum("ccc", { sha: b, ref: "v1", tagCommit: c });
  assert.throws(
    () => checkGitChecksum("bbb", { sha: a, ref: "main" }),
    new RegExp(`^EngineError: expected checksum to match bbb, got ${a}$`),
  );
  assert.throws(
    () => checkGitChecksum("ddd", { sha: b, ref: "v1", tagCommit: c }),
    new RegExp(`^EngineError: expected checksum to match ddd, got ${b} or ${c}$`),
  );
  assert.throws(
    () => checkGitChecksum("sha256:abc", { sha: a, ref: "main" }),
    /^EngineError: invalid checksum sha256:abc for Git URL, expected hex commit hash$/,
  );
});

test("the content key: the commit, .git when kept (then the tag object), the subdirectory", () => {
  assert.equal(gitSourceKey({ sha: a, ref: "main" }, false, ""), a);
  assert.equal(gitSourceKey({ sha: a, ref: "main" }, true, "sub"), `${a}.git:sub`);
  assert.equal(gitSourceKey({ sha: b, ref: "v1", tagCommit: c }, false, ""), c);
  assert.equal(gitSourceKey({ sha: b, ref: "v1", tagCommit: c }, true, ""), `${b}.git`);
});
