/** version, info, events. */
import type { InfoResponse, VersionResponse } from "../../api/types/system.js";
import type { EventRecord } from "../../client/system.js";
import { berthGitCommit, berthVersion, goArch } from "../../engine/system/index.js";
import { CliError, type CliContext } from "../context.js";
import { inspectFormatFlag } from "../inspectAll.js";
import { bytesSize, markStruct, parseTemplate, tabwrite, Template, TemplateError } from "../format/index.js";
import type { CommandSpec } from "../spec.js";

const clientApiVersion = "1.47";

/** docker's defaultVersionTemplate; the client runs on Node, so its runtime line says so. */
const defaultVersionTemplate = `{{with .Client -}}
Client:{{if ne .Platform nil}}{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}{{end}}
 Version:\t{{.Version}}
 API version:\t{{.APIVersion}}{{if ne .APIVersion .DefaultAPIVersion}} (downgraded from {{.DefaultAPIVersion}}){{end}}
 Node version:\t{{.GoVersion}}
 Git commit:\t{{.GitCommit}}
 Built:\t{{.BuildTime}}
 OS/Arch:\t{{.Os}}/{{.Arch}}
 Context:\t{{.Context}}
{{- end}}

{{- if ne .Server nil}}{{with .Server}}

Server:{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}
 {{- range $component := .Components}}
 {{$component.Name}}:
  {{- if eq $component.Name "Engine" }}
  Version:\t{{.Version}}
  API version:\t{{index .Details "ApiVersion"}} (minimum version {{index .Details "MinAPIVersion"}})
  Go version:\t{{index .Details "GoVersion"}}
  Git commit:\t{{index .Details "GitCommit"}}
  Built:\t{{index .Details "BuildTime"}}
  OS/Arch:\t{{index .Details "Os"}}/{{index .Details "Arch"}}
  Experimental:\t{{index .Details "Experimental"}}
  {{- else }}
  Version:\t{{$component.Version}}
  {{- $detailsOrder := getDetailsOrder $component}}
  {{- range $key := $detailsOrder}}
  {{$key}}:\t{{index $component.Details $key}}
   {{- end}}
  {{- end}}
 {{- end}}
 {{- end}}{{- end}}`;

/** A --format: "json" for `{{json .}}`, else a template; one that fails to parse: docker's texts and exit 64. */
function parseOr64(format: string, prefix: string, name = "", funcs = {}): Template {
  try {
    return parseTemplate(format === "json" ? "{{json .}}" : format, { name, funcs });
  } catch (e) {
    if (e instanceof TemplateError) throw new CliError(`${prefix}${e.message}`, 64);
    throw e;
  }
}

/** Runs a template; on failure the partial output is kept, as Go's writer keeps it. */
function execute(tmpl: Template, data: unknown): { text: string; error?: CliError } {
  try {
    return { text: tmpl.execute(data) };
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    return { text: e.partial, error: new CliError(e.message, 1) };
  }
}

/** Prints the template's output for `data` as a line; a failed run is printed as far as it got, then thrown. */
function printTemplate(ctx: CliContext, tmpl: Template, data: unknown): void {
  const { text, error } = execute(tmpl, data);
  ctx.stdout.write(text + "\n");
  if (error) throw error;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** time.ANSIC of an RFC 3339 build time, as docker's reformatDate. */
function reformatDate(t: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(t)) return t;
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return t;
  // toUTCString: "Sat, 28 Nov 2026 00:00:00 GMT" → ANSIC "Sat Nov 28 00:00:00 2026".
  const [wd = "", day = "", mon = "", year = "", time = ""] = d.toUTCString().replace(",", "").split(" ");
  return `${wd} ${mon} ${String(Number(day)).padStart(2, " ")} ${time} ${year}`;
}

/** What this client is, in the order docker's clientVersion and clientInfo both list it. */
function clientFacts() {
  return {
    DefaultAPIVersion: clientApiVersion,
    GitCommit: berthGitCommit,
    GoVersion: process.version,
    Os: "linux",
    Arch: goArch(),
    BuildTime: "",
    Context: "default",
  };
}

/** docker's versionInfo: Go field names for templates, Docker's JSON for {{json .}}. */
export function versionData(server: VersionResponse | undefined): unknown {
  const apiVersion =
    server && compareVersions(server.ApiVersion, clientApiVersion) < 0 ? server.ApiVersion : clientApiVersion;
  const client = {
    Platform: null,
    Version: berthVersion,
    APIVersion: apiVersion,
    ...clientFacts(),
  };
  const clientJson = Object.fromEntries(
    Object.entries({ ...client, APIVersion: undefined, ApiVersion: apiVersion, Platform: undefined }).filter(
      ([k, v]) => v !== undefined && (v !== "" || k === "Context"),
    ),
  );
  const ordered = {
    Version: 0,
    ApiVersion: 0,
    DefaultAPIVersion: 0,
    GitCommit: 0,
    GoVersion: 0,
    Os: 0,
    Arch: 0,
  };
  const data = {
    Client: markStruct(client, {
      typeName: "system.clientVersion",
      jsonValue: { ...Object.fromEntries(Object.keys(ordered).map((k) => [k, undefined])), ...clientJson },
    }),
    Server: server ? serverVersion(server) : null,
  };
  return markStruct(data, { typeName: "system.versionInfo" });
}

function serverVersion(sv: VersionResponse): unknown {
  // docker rewrites the Engine's BuildTime in place, so {{json .}} shows it reformatted too.
  const wire = {
    ...sv,
    Components: sv.Components.map((c) => {
      const details = { ...(c.Details ?? {}) };
      if (c.Name === "Engine" && details.BuildTime !== undefined)
        details.BuildTime = reformatDate(details.BuildTime);
      // Details is a Go map: {{json}} sorts its keys.
      return { ...c, Details: new Map(Object.entries(details)) };
    }),
  };
  const components = wire.Components.map((c) =>
    markStruct(
      { Name: c.Name, Version: c.Version, Details: c.Details },
      { typeName: "types.ComponentVersion", jsonValue: c },
    ),
  );
  const fields = {
    Platform: markStruct({ Name: sv.Platform.Name }, { typeName: "struct { Name string }" }),
    Components: components,
    Version: sv.Version,
    APIVersion: sv.ApiVersion,
    MinAPIVersion: sv.MinAPIVersion,
    GitCommit: sv.GitCommit,
    GoVersion: sv.GoVersion,
    Os: sv.Os,
    Arch: sv.Arch,
    KernelVersion: sv.KernelVersion,
    Experimental: false,
    BuildTime: sv.BuildTime,
  };
  return markStruct(fields, { typeName: "*types.Version", jsonValue: wire });
}

function getDetailsOrder(component: unknown): string[] {
  const details = (component as { Details?: unknown }).Details;
  if (!(details instanceof Map)) return [];
  return [...details.keys()].map(String).sort();
}

function versionTemplate(format: string | undefined): Template {
  const text = format || defaultVersionTemplate;
  return parseOr64(text, "template parsing error: ", "version", { getDetailsOrder });
}

/** docker's prettyPrintVersion: the template through a tabwriter (20, 1, 1, ' '). */
function printVersion(
  ctx: CliContext,
  tmpl: Template,
  server: VersionResponse | undefined,
): CliError | undefined {
  const { text, error } = execute(tmpl, versionData(server));
  ctx.stdout.write(tabwrite(text + "\n", { minwidth: 20, tabwidth: 1, padding: 1, padchar: " " }));
  return error;
}

export const version: CommandSpec = {
  path: ["version"],
  usage: "version [OPTIONS]",
  description: "Show the Berth version information",
  flags: [inspectFormatFlag],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const tmpl = versionTemplate(args.strings.get("format"));
    let server: VersionResponse;
    try {
      server = await ctx.client.system.version();
    } catch (err) {
      printVersion(ctx, tmpl, undefined);
      throw err;
    }
    const error = printVersion(ctx, tmpl, server);
    if (error) throw error;
    return 0;
  },
};

function infoText(ctx: CliContext, i: InfoResponse): string {
  const l: string[] = [
    "Client:",
    ` Version:    ${berthVersion}`,
    ` Context:    default`,
    ` Debug Mode: false`,
    "",
    "Server:",
    ` Containers: ${i.Containers}`,
    `  Running: ${i.ContainersRunning}`,
    `  Paused: ${i.ContainersPaused}`,
    `  Stopped: ${i.ContainersStopped}`,
    ` Images: ${i.Images}`,
    ` Server Version: ${i.ServerVersion}`,
    ` Storage Driver: ${i.Driver}`,
    ...i.DriverStatus.map(([k, v]) => `  ${k}: ${v}`),
    ` Logging Driver: ${i.LoggingDriver}`,
    ` Cgroup Driver: ${i.CgroupDriver}`,
    ` Cgroup Version: ${i.CgroupVersion}`,
    ` Plugins:`,
    `  Volume: ${i.Plugins.Volume.join(" ")}`,
    `  Network: ${i.Plugins.Network.join(" ")}`,
    `  Log: ${i.Plugins.Log.join(" ")}`,
    ` Swarm: ${i.Swarm.LocalNodeState}`,
    ` Runtimes: ${Object.keys(i.Runtimes).sort().join(" ")}`,
    ` Default Runtime: ${i.DefaultRuntime}`,
    ` Init Binary: ${i.InitBinary}`,
    ` Security Options:`,
    ...i.SecurityOptions.map((s) => `  ${s.replace(/^name=/, "").replace(/,profile=/, "\n   Profile: ")}`),
    ` Kernel Version: ${i.KernelVersion}`,
    ` Operating System: ${i.OperatingSystem}`,
    ` OSType: ${i.OSType}`,
    ` Architecture: ${i.Architecture}`,
    ` CPUs: ${i.NCPU}`,
    ` Total Memory: ${bytesSize(i.MemTotal)}`,
    ` Name: ${i.Name}`,
    ` ID: ${i.ID}`,
    ` Berth Root Dir: ${i.DockerRootDir}`,
    ` Debug Mode: ${i.Debug}`,
    ` Experimental: ${i.ExperimentalBuild}`,
    ` Insecure Registries:`,
    ...(i.RegistryConfig?.InsecureRegistryCIDRs ?? []).map((c) => `  ${c}`),
    ` Live Restore Enabled: ${i.LiveRestoreEnabled}`,
    "",
  ];
  void ctx;
  for (const w of i.Warnings ?? []) l.push(w);
  return l.join("\n") + (i.Warnings?.length ? "\n" : "");
}

/** docker's dockerInfo: the daemon's /info with ClientInfo added. */
function infoData(i: InfoResponse): unknown {
  const clientInfo = {
    Debug: false,
    Version: berthVersion,
    ...clientFacts(),
    Plugins: [],
    Warnings: null,
  };
  return markStruct(
    { ...i, ClientInfo: markStruct(clientInfo, { typeName: "system.clientInfo" }) },
    {
      typeName: "system.dockerInfo",
    },
  );
}

export const info: CommandSpec = {
  path: ["info"],
  aliases: [["system", "info"]],
  usage: "info [OPTIONS]",
  description: "Display system-wide information",
  flags: [inspectFormatFlag],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const format = args.strings.get("format") ?? "";
    if (format === "") {
      const i = await ctx.client.system.info();
      ctx.stdout.write(infoText(ctx, i));
      return 0;
    }
    const tmpl = parseOr64(format, "template parsing error: ");
    printTemplate(ctx, tmpl, infoData(await ctx.client.system.info()));
    return 0;
  },
};

/** docker's events.Message with Go field names; {{json .}} prints the wire form. */
export function eventData(e: EventRecord, typeName = "events.Message"): unknown {
  const actor = markStruct(
    { ID: e.Actor?.ID ?? "", Attributes: new Map(Object.entries(e.Actor?.Attributes ?? {})) },
    { typeName: "events.Actor", jsonValue: e.Actor },
  );
  const fields = {
    Status: e.status ?? "",
    ID: e.id ?? "",
    From: e.from ?? "",
    Type: e.Type,
    Action: e.Action,
    Actor: actor,
    Scope: e.scope,
    Time: e.time,
    TimeNano: e.timeNano,
  };
  return markStruct(fields, { typeName, jsonValue: e });
}

/** docker's makeTemplate: parse, then run once on an empty message to catch bad fields. */
function eventsTemplate(format: string): Template | undefined {
  if (format === "") return undefined;
  const tmpl = parseOr64(format, "Error parsing format: ");
  const empty: EventRecord = {
    Type: "",
    Action: "",
    Actor: { ID: "", Attributes: {} },
    scope: "",
    time: 0,
    timeNano: 0n,
  };
  // docker validates against &events.Message{}, hence the pointer type in its errors.
  const { error } = execute(tmpl, eventData(empty, "*events.Message"));
  if (error) throw new CliError(`Error parsing format: ${error.message}`, 64);
  return tmpl;
}

/** docker's prettyPrintEvent: time, type, action, actor, sorted attributes. */
export function prettyEvent(e: EventRecord): string {
  let out = "";
  const nanos = e.timeNano !== 0n ? e.timeNano : e.time ? BigInt(e.time) * 1_000_000_000n : 0n;
  if (nanos !== 0n) {
    const when = new Date(Number(nanos / 1_000_000n)).toISOString().slice(0, 19);
    out += `${when}.${String(nanos % 1_000_000_000n).padStart(9, "0")}Z `;
  }
  out += `${e.Type} ${e.Action} ${e.Actor.ID}`;
  const attrs = Object.entries(e.Actor.Attributes ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
  if (attrs.length > 0) out += ` (${attrs.join(", ")})`;
  return out + "\n";
}

export const events: CommandSpec = {
  path: ["events"],
  aliases: [["system", "events"]],
  usage: "events [OPTIONS]",
  description: "Get real time events from the server",
  flags: [
    {
      name: "filter",
      short: "f",
      kind: "list",
      description: "Filter output based on conditions provided",
      valueName: "filter",
    },
    {
      name: "format",
      kind: "string",
      description: "Format output using a custom template",
      valueName: "string",
    },
    {
      name: "since",
      kind: "string",
      description: "Show all events created since timestamp",
      valueName: "string",
    },
    { name: "until", kind: "string", description: "Stream events until this timestamp", valueName: "string" },
  ],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const tmpl = eventsTemplate(args.strings.get("format") ?? "");
    const filters: Record<string, string[]> = {};
    for (const f of args.lists.get("filter") ?? []) {
      const eq = f.indexOf("=");
      if (eq <= 0) throw new Error(`bad format of filter (expected name=value)`);
      (filters[f.slice(0, eq)] ??= []).push(f.slice(eq + 1));
    }
    for await (const e of ctx.client.system.events({
      since: args.strings.get("since"),
      until: args.strings.get("until"),
      filters,
    })) {
      if (tmpl) printTemplate(ctx, tmpl, eventData(e));
      else ctx.stdout.write(prettyEvent(e));
    }
    return 0;
  },
};
