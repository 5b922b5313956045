/** version, info, events. */
import type { InfoResponse, VersionResponse } from "../../api/types/system.js";
import { berthVersion } from "../../engine/system/index.js";
import type { CliContext } from "../context.js";
import type { CommandSpec } from "../spec.js";

const clientApiVersion = "1.47";

function versionText(
  ctx: CliContext,
  server: VersionResponse | undefined,
  serverError: string | undefined,
): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const lines = [
    "Client:",
    ` Version:           ${berthVersion}`,
    ` API version:       ${clientApiVersion}`,
    ` Node version:      ${process.version}`,
    ` OS/Arch:           linux/${arch}`,
    ` Host:              ${ctx.host}`,
  ];
  if (server) {
    lines.push("", `Server: ${server.Platform.Name}`);
    for (const c of server.Components) {
      lines.push(` ${c.Name}:`);
      if (c.Name === "Engine") {
        const d = c.Details ?? {};
        lines.push(
          `  Version:          ${c.Version}`,
          `  API version:      ${d.ApiVersion} (minimum version ${d.MinAPIVersion})`,
          `  Runtime:          ${d.GoVersion}`,
          `  Git commit:       ${d.GitCommit}`,
          `  Built:            ${d.BuildTime}`,
          `  OS/Arch:          ${d.Os}/${d.Arch}`,
          `  Experimental:     ${d.Experimental}`,
        );
      } else {
        lines.push(`  Version:          ${c.Version}`);
        if (c.Details?.GitCommit) lines.push(`  GitCommit:        ${c.Details.GitCommit}`);
      }
    }
  }
  let text = lines.join("\n") + "\n";
  if (serverError) text += serverError + "\n";
  return text;
}

export const version: CommandSpec = {
  path: ["version"],
  usage: "version [OPTIONS]",
  description: "Show the Berth version information",
  flags: [
    {
      name: "format",
      short: "f",
      kind: "string",
      description: "Format output using a custom template",
      valueName: "string",
    },
  ],
  args: { min: 0, max: 0 },
  async run(ctx) {
    try {
      const server = await ctx.client.system.version();
      ctx.stdout.write(versionText(ctx, server, undefined));
      return 0;
    } catch (err) {
      ctx.stdout.write(versionText(ctx, undefined, undefined));
      throw err;
    }
  },
};

function bytesBinary(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

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
    ` Total Memory: ${bytesBinary(i.MemTotal)}`,
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

export const info: CommandSpec = {
  path: ["info"],
  aliases: [["system", "info"]],
  usage: "info [OPTIONS]",
  description: "Display system-wide information",
  flags: [
    {
      name: "format",
      short: "f",
      kind: "string",
      description: "Format output using a custom template",
      valueName: "string",
    },
  ],
  args: { min: 0, max: 0 },
  async run(ctx) {
    const i = await ctx.client.system.info();
    ctx.stdout.write(infoText(ctx, i));
    return 0;
  },
};

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
      const attrs = Object.entries(e.Actor.Attributes)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(", ");
      const when = new Date(Math.floor(e.timeNano / 1e6)).toISOString().replace("Z", "");
      const nanos = String(e.timeNano % 1e9).padStart(9, "0");
      ctx.stdout.write(
        `${when.slice(0, 19)}.${nanos}Z ${e.Type} ${e.Action} ${e.Actor.ID}${attrs ? ` (${attrs})` : ""}\n`,
      );
    }
    return 0;
  },
};
