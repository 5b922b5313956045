import { test } from "node:test";
import assert from "node:assert/strict";
import { parseChallenges } from "./challenge.js";

test("bearer challenge with quoted params", () => {
  const c = parseChallenges([
    'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
  ]);
  assert.deepEqual(c, [
    {
      scheme: "bearer",
      params: {
        realm: "https://auth.example/token",
        service: "registry.example",
        scope: "repository:a/b:pull,push",
      },
    },
  ]);
});

test("basic and bearer in one header, and escapes", () => {
  const c = parseChallenges(['Basic realm="Registry \\"R\\"", Bearer realm=http://t/x,service=s']);
  assert.equal(c.length, 2);
  assert.deepEqual(c[0], { scheme: "basic", params: { realm: 'Registry "R"' } });
  assert.deepEqual(c[1], { scheme: "bearer", params: { realm: "http://t/x", service: "s" } });
});

test("no challenge", () => {
  assert.deepEqual(parseChallenges([]), []);
});
