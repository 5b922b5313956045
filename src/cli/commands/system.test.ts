import assert from "node:assert/strict";
import { test } from "node:test";
import type { VersionResponse } from "../../api/types/system.js";
import { parseEventLine, type EventRecord } from "../../client/system.js";
import { parseTemplate } from "../format/index.js";
import { eventData, prettyEvent, versionData } from "./system.js";

const event: EventRecord = {
  status: "start",
  id: "abc",
  from: "busybox",
  Type: "container",
  Action: "start",
  Actor: { ID: "abc", Attributes: { name: "web", image: "busybox" } },
  scope: "local",
  time: 1700000000,
  timeNano: 1700000000123456789n,
};

const run = (t: string, data: unknown): string => parseTemplate(t).execute(data);

test("events: Go field names in templates, the wire form in {{json .}}", () => {
  const d = eventData(event);
  assert.equal(
    run("{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Scope}} {{.Status}}", d),
    "container start web local start",
  );
  assert.equal(run("{{.Actor.Attributes}}", d), "map[image:busybox name:web]");
  // Go marshals the struct in field order and the Attributes map with sorted keys.
  const wire = { ...event, Actor: { ID: "abc", Attributes: { image: "busybox", name: "web" } } };
  assert.equal(
    run("{{json .}}", d),
    JSON.stringify({ ...wire, timeNano: 0 }).replace('"timeNano":0', '"timeNano":1700000000123456789'),
  );
  assert.throws(() => run("{{.Nope}}", d), /can't evaluate field Nope in type events.Message/);
});

test("version: .Server.APIVersion and .Client fields, docker's JSON names", () => {
  const sv: VersionResponse = {
    Platform: { Name: "Berth" },
    Components: [
      {
        Name: "Engine",
        Version: "0.1.0",
        Details: { ApiVersion: "1.45", BuildTime: "2024-05-01T10:00:00Z" },
      },
    ],
    Version: "0.1.0",
    ApiVersion: "1.45",
    MinAPIVersion: "1.24",
    GitCommit: "berth",
    GoVersion: "node20",
    Os: "linux",
    Arch: "amd64",
    KernelVersion: "6.1",
    BuildTime: "2024-05-01T10:00:00Z",
  };
  const d = versionData(sv);
  assert.equal(
    run("{{.Server.Version}} {{.Server.APIVersion}} {{.Client.APIVersion}}", d),
    "0.1.0 1.45 1.45",
  );
  assert.equal(
    run('{{range .Server.Components}}{{index .Details "BuildTime"}}{{end}}', d),
    "Wed May  1 10:00:00 2024",
  );
  const json = JSON.parse(run("{{json .}}", d)) as {
    Client: Record<string, unknown>;
    Server: Record<string, unknown>;
  };
  assert.equal(json.Client.ApiVersion, "1.45");
  assert.equal(json.Client.APIVersion, undefined);
  assert.equal(json.Server.ApiVersion, "1.45");
  assert.equal(run("{{if ne .Server nil}}server{{end}}", versionData(undefined)), "");
  assert.equal(run("{{.Server}}", versionData(undefined)), "<nil>");
});

test("events: timeNano stays exact from the wire line to {{.TimeNano}}, {{json .}} and the pretty printer", () => {
  // 1700000000123456789 is not a double: JSON.parse would give ...456768.
  const line =
    '{"status":"start","id":"abc","from":"busybox","Type":"container","Action":"start",' +
    '"Actor":{"ID":"abc","Attributes":{"name":"web","timeNano":"x\\"timeNano\\":1"}},' +
    '"scope":"local","time":1700000000,"timeNano":1700000000123456789}';
  const e = parseEventLine(line);
  assert.equal(e.timeNano, 1700000000123456789n);
  assert.equal(e.Actor.Attributes["timeNano"], 'x"timeNano":1');
  const d = eventData(e);
  assert.equal(run("{{.TimeNano}} {{.Time}}", d), "1700000000123456789 1700000000");
  assert.match(run("{{json .}}", d), /"scope":"local","time":1700000000,"timeNano":1700000000123456789}$/);
  assert.equal(
    prettyEvent(e),
    '2023-11-14T22:13:20.123456789Z container start abc (name=web, timeNano=x"timeNano":1)\n',
  );
  assert.equal(
    parseEventLine('{"Type":"x","Action":"y","Actor":{"ID":"","Attributes":{}},"scope":"local","time":5}')
      .timeNano,
    0n,
  );
});
