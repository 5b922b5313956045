import assert from "node:assert/strict";
import { test } from "node:test";
import { authFor, registryHost } from "./registryAuth.js";

test("registryHost: the host a login key names", () => {
  assert.equal(registryHost("localhost:5000"), "localhost:5000");
  assert.equal(registryHost("https://localhost:5000"), "localhost:5000");
  assert.equal(registryHost("http://127.0.0.1:5000/v2/"), "127.0.0.1:5000");
  assert.equal(registryHost("https://index.docker.io/v1/"), "docker.io");
});

test("authFor: the image's registry's login, or none", () => {
  const configs = {
    "https://index.docker.io/v1/": { username: "hub" },
    "localhost:5000": { username: "local", password: "pw" },
  };
  assert.deepEqual(authFor(configs, "localhost:5000"), { auth: { username: "local", password: "pw" } });
  assert.deepEqual(authFor(configs, "docker.io"), { auth: { username: "hub" } });
  assert.deepEqual(authFor(configs, "127.0.0.1:5000"), {});
});
