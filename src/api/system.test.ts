import { test } from "node:test";
import assert from "node:assert/strict";
import { eventJson, matchesEventFilters } from "./system.js";
import { parseFilters } from "./query.js";
import type { EngineEvent } from "../engine/events/index.js";

const event: EngineEvent = {
  type: "container",
  action: "die",
  actorId: "abc",
  attributes: { name: "web", image: "busybox", exitCode: "3", app: "x" },
  timeNano: 1764313000123456789n,
};

test("event JSON keeps timeNano exact and Docker's legacy fields", () => {
  const text = eventJson(event);
  assert.match(text, /"timeNano":1764313000123456789}$/);
  const parsed = JSON.parse(text) as Record<string, unknown>;
  assert.equal(parsed.status, "die");
  assert.equal(parsed.from, "busybox");
  assert.equal(parsed.time, 1764313000);
  assert.equal(parsed.Type, "container");
});

test("event filters", () => {
  const f = (s: string) => matchesEventFilters(event, parseFilters(s));
  assert.ok(f('{"type":["container"],"event":["die"]}'));
  assert.ok(f('{"container":["web"]}'));
  assert.ok(f('{"label":["app=x"]}'));
  assert.ok(f('{"image":["busybox"]}'));
  assert.ok(!f('{"type":["image"]}'));
  assert.ok(!f('{"label":["app=y"]}'));
});
