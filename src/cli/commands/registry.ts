/**
 * registry serve, registry garbage-collect: an OCI distribution registry run
 * in this process (not through berthd). Only flag parsing lives here; the
 * server is src/registry/.
 */
import { isEngineError } from "../../engine/errors.js";
import {
  defaultAddr,
  garbageCollect,
  openStorage,
  startRegistry,
  type AuthOptions,
  type RegistryOptions,
} from "../../registry/index.js";
import { CliError, type CliContext } from "../context.js";
import { flagValue, type CommandSpec, type FlagSpec, type ParsedArgs } from "../spec.js";

const rootFlag: FlagSpec = {
  name: "root",
  kind: "string",
  description: "Storage directory of the registry (required)",
  valueName: "string",
};

export const serve: CommandSpec = {
  path: ["registry", "serve"],
  local: true,
  usage: "registry serve [OPTIONS]",
  description: "Run an OCI distribution registry in the foreground",
  flags: [
    {
      name: "addr",
      kind: "string",
      description: "Address to listen on (host:port)",
      valueName: "string",
      default: defaultAddr,
      showDefault: `"${defaultAddr}"`,
    },
    rootFlag,
    {
      name: "htpasswd",
      kind: "string",
      description: "htpasswd file with bcrypt entries",
      valueName: "string",
    },
    {
      name: "auth",
      kind: "string",
      description: 'Authentication: "none", "basic" (default with --htpasswd) or "token"',
      valueName: "string",
    },
    {
      name: "token-realm",
      kind: "string",
      description: "Token endpoint named in Bearer challenges (default: this server's /token)",
      valueName: "string",
    },
    {
      name: "token-service",
      kind: "string",
      description: "Service name of the token auth",
      valueName: "string",
      default: "berth-registry",
      showDefault: '"berth-registry"',
    },
    {
      name: "token-ttl",
      kind: "int",
      description: "Lifetime of issued tokens in seconds",
      valueName: "int",
      default: 300,
      showDefault: "300",
    },
    { name: "tls-cert", kind: "string", description: "TLS certificate file (PEM)", valueName: "string" },
    { name: "tls-key", kind: "string", description: "TLS key file (PEM)", valueName: "string" },
    {
      name: "insecure-public",
      kind: "bool",
      description: "Allow a non-loopback address without TLS",
    },
  ],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const opts = serveOptions(ctx, args);
    let running;
    try {
      running = await startRegistry(opts);
    } catch (err) {
      throw new CliError(`registry: ${(err as Error).message}`);
    }
    ctx.stderr.write(`berth registry listening on ${running.url} (root ${opts.root})\n`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await running.close();
    return 0;
  },
};

function serveOptions(ctx: CliContext, args: ParsedArgs): RegistryOptions {
  const root = requireRoot(args);
  const htpasswd = flagValue(args, "htpasswd");
  const mode = flagValue(args, "auth") ?? (htpasswd !== undefined ? "basic" : "none");
  let auth: AuthOptions;
  if (mode === "none") auth = { mode };
  else if (mode === "basic") {
    if (htpasswd === undefined) throw new CliError("registry: --auth basic needs --htpasswd");
    auth = { mode, htpasswd };
  } else if (mode === "token") {
    auth = {
      mode,
      service: flagValue(args, "token-service") ?? "berth-registry",
      ttlSeconds: args.ints.get("token-ttl") ?? 300,
    };
    if (htpasswd !== undefined) auth.htpasswd = htpasswd;
    const realm = flagValue(args, "token-realm");
    if (realm !== undefined) auth.realm = realm;
    if (htpasswd === undefined && realm === undefined) {
      throw new CliError("registry: --auth token needs --htpasswd (to issue tokens here) or --token-realm");
    }
  } else throw new CliError(`registry: invalid --auth "${mode}": want none, basic or token`);
  if (auth.mode !== "token" && ["token-realm", "token-service", "token-ttl"].some((f) => args.given.has(f))) {
    throw new CliError("registry: --token-* flags need --auth token");
  }
  const opts: RegistryOptions = {
    root,
    addr: flagValue(args, "addr") ?? defaultAddr,
    auth,
    insecurePublic: args.bools.get("insecure-public") === true,
    log: (line) => void ctx.stderr.write(line + "\n"),
  };
  const cert = flagValue(args, "tls-cert");
  const key = flagValue(args, "tls-key");
  if ((cert === undefined) !== (key === undefined))
    throw new CliError("registry: --tls-cert and --tls-key go together");
  if (cert !== undefined && key !== undefined) opts.tls = { certFile: cert, keyFile: key };
  return opts;
}

export const garbageCollectCmd: CommandSpec = {
  path: ["registry", "garbage-collect"],
  local: true,
  aliases: [["registry", "gc"]],
  usage: "registry garbage-collect [OPTIONS]",
  description: "Remove blobs no manifest refers to (safe while the registry serves)",
  flags: [
    rootFlag,
    {
      name: "grace",
      kind: "string",
      description: "Keep unreferenced blobs younger than this (in-flight pushes)",
      valueName: "duration",
      default: "1h",
      showDefault: "1h0m0s",
    },
    {
      name: "upload-max-age",
      kind: "string",
      description: "Remove upload sessions untouched for this long",
      valueName: "duration",
      default: "168h",
      showDefault: "168h0m0s",
    },
    { name: "dry-run", short: "d", kind: "bool", description: "Only report what would be removed" },
  ],
  args: { min: 0, max: 0 },
  async run(ctx, args) {
    const root = requireRoot(args);
    const graceMs = durationMs(flagValue(args, "grace") ?? "1h", "grace");
    const uploadMaxAgeMs = durationMs(flagValue(args, "upload-max-age") ?? "168h", "upload-max-age");
    const dryRun = args.bools.get("dry-run") === true;
    try {
      const storage = await openStorage(root);
      const res = await garbageCollect(storage, {
        graceMs,
        uploadMaxAgeMs,
        dryRun,
        log: (line) => void ctx.stdout.write(line + "\n"),
      });
      ctx.stdout.write(
        `${res.marked} blobs marked, ${res.swept.length} blobs ${dryRun ? "eligible for deletion" : "deleted"} ` +
          `(${res.bytesFreed} bytes), ${res.young} unreferenced blobs within the grace period, ` +
          `${res.uploadsRemoved} stale uploads ${dryRun ? "to remove" : "removed"}\n`,
      );
      return 0;
    } catch (err) {
      if (isEngineError(err)) throw new CliError(`registry: ${err.message}`);
      throw err;
    }
  },
};

function requireRoot(args: ParsedArgs): string {
  const root = flagValue(args, "root");
  if (root === undefined || root === "") throw new CliError("registry: --root is required");
  return root;
}

/** Go's duration syntax ("1h", "90m", "1h30m", "45s", "0"), in milliseconds. */
export function durationMs(s: string, flag: string): number {
  if (s === "0") return 0;
  const m = /^((?:\d+(?:\.\d+)?(?:ms|s|m|h))+)$/.exec(s);
  if (!m) throw new CliError(`registry: invalid --${flag} "${s}": want a duration such as 1h or 30m`);
  const unit: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3 };
  let total = 0;
  for (const part of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(part[1]) * unit[part[2]!]!;
  return Math.round(total);
}

export const commands: CommandSpec[] = [serve, garbageCollectCmd];
