import { test } from "node:test";
import assert from "node:assert/strict";
import { gitRemoteHost, isGitUrl, nonLoopbackHost, parseGitUrl } from "./gitUrl.js";

test("isGitUrl: docker's urlutil.IsGitURL", () => {
  for (const s of [
    "git://github.com/docker/docker",
    "git@github.com:docker/docker.git",
    "git@bitbucket.org:atlassianlabs/atlassian-docker.git",
    "https://github.com/docker/docker.git",
    "http://github.com/docker/docker.git",
    "http://github.com/docker/docker.git#branch",
    "http://github.com/docker/docker.git#:dir",
    "http://127.0.0.1:8080/repo.git#v1:sub/dir",
    "github.com/docker/docker",
    "ssh://git@host/repo",
  ])
    assert.equal(isGitUrl(s), true, s);
  for (const s of [
    "http://github.com/docker/docker.git:#branch",
    "https://example.com/context.tar.gz",
    "http://127.0.0.1/Dockerfile",
    "http://127.0.0.1/repo.git#",
    "./repo.git",
    "/tmp/repo.git",
    "docker.git",
    "GIT://github.com/docker/docker",
  ])
    assert.equal(isGitUrl(s), false, s);
});

test("parseGitUrl: remote, ref (master by default) and subdir, as moby's parseRemoteURL", () => {
  const cases: [string, string, string, string][] = [
    ["http://127.0.0.1:9/repo.git", "http://127.0.0.1:9/repo.git", "master", ""],
    ["http://127.0.0.1:9/repo.git#", "http://127.0.0.1:9/repo.git", "master", ""],
    ["http://127.0.0.1:9/repo.git#v1", "http://127.0.0.1:9/repo.git", "v1", ""],
    ["http://127.0.0.1:9/repo.git#:sub", "http://127.0.0.1:9/repo.git", "master", "sub"],
    ["http://127.0.0.1:9/repo.git#feature:sub/dir", "http://127.0.0.1:9/repo.git", "feature", "sub/dir"],
    ["http://127.0.0.1:9/repo.git#a:b:c", "http://127.0.0.1:9/repo.git", "a", "b:c"],
    ["http://127.0.0.1:9/repo.git#pull/42/head", "http://127.0.0.1:9/repo.git", "pull/42/head", ""],
    ["http://127.0.0.1:9/repo.git#my%20br:d%2Fe", "http://127.0.0.1:9/repo.git", "my br", "d/e"],
    ["git@github.com:docker/docker.git#v1:d%20e", "git@github.com:docker/docker.git", "v1", "d%20e"],
    ["git://github.com/docker/docker#x", "git://github.com/docker/docker", "x", ""],
    ["github.com/docker/docker#x:y", "https://github.com/docker/docker", "x", "y"],
    ["ssh://git@host/repo#main", "ssh://git@host/repo", "main", ""],
  ];
  for (const [url, remote, ref, subdir] of cases)
    assert.deepEqual(parseGitUrl(url), { remote, ref, subdir }, url);
});

test("parseGitUrl: Docker's errors", () => {
  assert.throws(() => parseGitUrl("http://127.0.0.1/repo.git#-x"), { message: "invalid refspec: -x" });
  assert.throws(() => parseGitUrl("git@h:r.git#--upload-pack=x"), {
    message: "invalid refspec: --upload-pack=x",
  });
  assert.throws(() => parseGitUrl("http://127.0.0.1/repo.git#a%zzb"), {
    message: 'parse "http://127.0.0.1/repo.git#a%zzb": invalid URL escape "%zz"',
  });
});

test("the host a remote contacts, and which are refused", () => {
  assert.equal(gitRemoteHost("http://127.0.0.1:8080/r.git"), "127.0.0.1");
  assert.equal(gitRemoteHost("http://[::1]:8080/r.git"), "::1");
  assert.equal(gitRemoteHost("git@github.com:docker/docker.git"), "github.com");
  assert.equal(gitRemoteHost("user@host.example:path/r"), "host.example");
  assert.equal(gitRemoteHost("ssh://git@localhost:22/r"), "localhost");
  assert.equal(gitRemoteHost("/srv/r.git"), undefined);
  assert.equal(gitRemoteHost("../sub.git"), undefined);
  assert.equal(nonLoopbackHost("http://127.3.4.5/r.git"), undefined);
  assert.equal(nonLoopbackHost("http://localhost/r.git"), undefined);
  assert.equal(nonLoopbackHost("git@127.0.0.1:r.git"), undefined);
  assert.equal(nonLoopbackHost("https://github.com/docker/docker"), "github.com");
  assert.equal(nonLoopbackHost("git://10.0.0.1/r"), "10.0.0.1");
  assert.equal(nonLoopbackHost("http://127.0.0.1.evil.example/r.git"), "127.0.0.1.evil.example");
});
