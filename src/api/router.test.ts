import { test } from "node:test";
import assert from "node:assert/strict";
import { Router, type Route } from "./router.js";

const h = async () => undefined;

test("params, greedy params and trailing slash", () => {
  const routes: Route[] = [
    { method: "GET", path: "/images/{name*}/json", handler: h },
    { method: "GET", path: "/containers/{id}/json", handler: h },
    { method: "POST", path: "/containers/{id}/start", handler: h },
  ];
  const r = new Router([routes]);
  const img = r.match("GET", "/images/localhost:5000/library/busybox:latest/json");
  assert.notEqual(img, "not-found");
  if (img !== "not-found") assert.equal(img.params.name, "localhost:5000/library/busybox:latest");
  const c = r.match("GET", "/containers/abc/json/");
  assert.ok(c !== "not-found" && c.params.id === "abc");
  assert.equal(r.match("GET", "/containers/abc/start"), "not-found");
  assert.equal(r.match("GET", "/containers/a/b/json"), "not-found");
  const enc = r.match("POST", "/containers/a%20b/start");
  assert.ok(enc !== "not-found" && enc.params.id === "a b");
});
