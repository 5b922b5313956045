import assert from "node:assert/strict";
import { test } from "node:test";
import { isLoopbackHost } from "./loopback.js";

test("loopback hosts: localhost, 127.0.0.0/8 and ::1, nothing that only looks like them", () => {
  for (const h of ["localhost", "127.0.0.1", "127.5.0.9", "::1", "[::1]"]) assert.ok(isLoopbackHost(h), h);
  for (const h of ["0.0.0.0", "::", "10.0.0.1", "127.0.0.1.evil.example", "127.foo", "example.com"])
    assert.ok(!isLoopbackHost(h), h);
});
