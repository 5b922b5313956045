/**
 * login / logout, and the credentials file they keep: `<configDir>/config.json`
 * with the docker CLI's `auths` map (`{"auths":{"localhost:5000":{"auth":"<base64 user:pass>"}}}`),
 * other keys of the file left as they were.
 */
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AuthConfigWire } from "../../api/types/distribution.js";
import { CliError, type CliContext } from "../context.js";
import type { CommandSpec } from "../spec.js";

/** The key Docker uses for Docker Hub. */
export const indexServer = "https://index.docker.io/v1/";

interface AuthEntry {
  auth?: string;
  identitytoken?: string;
  [k: string]: unknown;
}

interface ConfigFile {
  auths?: Record<string, AuthEntry>;
  [k: string]: unknown;
}

function configPath(configDir: string): string {
  return join(configDir, "config.json");
}

async function readConfig(configDir: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(configPath(configDir), "utf8");
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") return {};
    throw err;
  }
  if (text.trim() === "") return {};
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as ConfigFile) : {};
  } catch (err) {
    throw new CliError(`loading config file: ${configPath(configDir)}: ${(err as Error).message}`);
  }
}

async function writeConfig(configDir: string, cfg: ConfigFile): Promise<void> {
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  const path = configPath(configDir);
  const tmp = `${path}.tmp${process.pid}`;
  await writeFile(tmp, JSON.stringify(cfg, null, "\t"), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/** "http://localhost:5000/" → "localhost:5000" (the CLI's ConvertToHostname). */
export function convertToHostname(s: string): string {
  let out = s;
  if (out.includes("://")) {
    try {
      return new URL(out).host;
    } catch {
      // Not a URL after all: cut below.
    }
    out = out.slice(out.indexOf("://") + 3);
  }
  return out.split("/")[0]!;
}

/** The config key of a registry domain: Docker Hub's URL, else the domain itself. */
export function authKey(domain: string): string {
  return domain === "docker.io" || domain === "index.docker.io" ? indexServer : domain;
}

/** The stored credentials for a registry domain, as the CLI sends them in X-Registry-Auth. */
export async function credentialsFor(configDir: string, domain: string): Promise<AuthConfigWire | undefined> {
  const auths = (await readConfig(configDir)).auths ?? {};
  const key = authKey(domain);
  let entry = auths[key];
  if (entry === undefined) {
    for (const [k, v] of Object.entries(auths)) if (convertToHostname(k) === key) entry = v;
  }
  return entry === undefined ? undefined : toWire(key, entry);
}

/** Every stored login by its key, as `docker build` sends them in X-Registry-Config. */
export async function allCredentials(configDir: string): Promise<Record<string, AuthConfigWire>> {
  const out: Record<string, AuthConfigWire> = {};
  for (const [k, v] of Object.entries((await readConfig(configDir)).auths ?? {})) out[k] = toWire(k, v);
  return out;
}

function toWire(key: string, entry: NonNullable<ConfigFile["auths"]>[string]): AuthConfigWire {
  const out: AuthConfigWire = { serveraddress: key };
  if (typeof entry.auth === "string" && entry.auth !== "") {
    const plain = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = plain.indexOf(":");
    if (colon < 0) throw new CliError("invalid auth configuration file");
    out.username = plain.slice(0, colon);
    out.password = plain.slice(colon + 1);
  }
  if (typeof entry.identitytoken === "string" && entry.identitytoken !== "") {
    out.identitytoken = entry.identitytoken;
    delete out.password;
  }
  return out;
}

async function storeCredentials(configDir: string, auth: AuthConfigWire): Promise<void> {
  const cfg = await readConfig(configDir);
  cfg.auths ??= {};
  const entry: AuthEntry = {};
  if (auth.identitytoken) {
    entry.auth = Buffer.from(`${auth.username ?? ""}:`).toString("base64");
    entry.identitytoken = auth.identitytoken;
  } else entry.auth = Buffer.from(`${auth.username ?? ""}:${auth.password ?? ""}`).toString("base64");
  cfg.auths[auth.serveraddress ?? indexServer] = entry;
  await writeConfig(configDir, cfg);
}

/** Reads one line from a terminal; with `hidden`, nothing is echoed. */
async function prompt(ctx: CliContext, question: string, hidden: boolean): Promise<string> {
  ctx.stdout.write(question);
  const stdin = ctx.stdin;
  if (hidden) stdin.setRawMode?.(true);
  try {
    return await new Promise<string>((resolve, reject) => {
      let line = "";
      const onData = (b: Buffer) => {
        for (const ch of b.toString("utf8")) {
          if (ch === "\r" || ch === "\n") {
            cleanup();
            resolve(line);
            return;
          }
          if (ch === "\u0003") {
            cleanup();
            reject(new CliError("", 130));
            return;
          }
          if (ch === "\u007f" || ch === "\b") line = line.slice(0, -1);
          else line += ch;
        }
      };
      const onEnd = () => {
        cleanup();
        resolve(line);
      };
      const cleanup = () => {
        stdin.off("data", onData);
        stdin.off("end", onEnd);
        stdin.pause();
      };
      stdin.on("data", onData);
      stdin.on("end", onEnd);
      stdin.resume();
    });
  } finally {
    if (hidden) {
      stdin.setRawMode?.(false);
      ctx.stdout.write("\n");
    }
  }
}

async function readAllStdin(ctx: CliContext): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of ctx.stdin as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

export const login: CommandSpec = {
  path: ["login"],
  usage: "login [OPTIONS] [SERVER]",
  description: "Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.",
  flags: [
    {
      name: "password",
      short: "p",
      kind: "string",
      description: "Password or Personal Access Token (PAT)",
      valueName: "string",
    },
    {
      name: "password-stdin",
      kind: "bool",
      description: "Take the Password or Personal Access Token (PAT) from stdin",
    },
    { name: "username", short: "u", kind: "string", description: "Username", valueName: "string" },
  ],
  args: { min: 0, max: 1 },
  async run(ctx, args) {
    let user = args.strings.get("username") ?? "";
    let password = args.strings.get("password") ?? "";
    const fromStdin = args.bools.get("password-stdin") === true;
    if (password !== "") {
      ctx.stderr.write("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
      if (fromStdin) throw new CliError("--password and --password-stdin are mutually exclusive");
    }
    if (fromStdin) {
      if (user === "") throw new CliError("Must provide --username with --password-stdin");
      password = (await readAllStdin(ctx)).replace(/\n$/, "").replace(/\r$/, "");
    }
    const given = args.positionals[0];
    const server = given !== undefined && given !== "" && given !== "docker.io" ? given : indexServer;
    const stored = await credentialsFor(
      ctx.configDir,
      convertToHostname(server) === "index.docker.io" ? "docker.io" : convertToHostname(server),
    );
    if ((user === "" || password === "") && ctx.stdin.isTTY !== true) {
      throw new CliError("Error: Cannot perform an interactive login from a non TTY device");
    }
    if (user === "") {
      const dflt = stored?.username ?? "";
      const answer = (await prompt(ctx, dflt !== "" ? `Username (${dflt}): ` : "Username: ", false)).trim();
      user = answer === "" ? dflt : answer;
      if (user === "") throw new CliError("Error: Non-null Username Required");
    }
    if (password === "") {
      password = await prompt(ctx, "Password: ", true);
      if (password === "") throw new CliError("Error: Password Required");
    }
    const auth: AuthConfigWire = { username: user, password, serveraddress: server };
    const res = await ctx.client.distribution.login(auth);
    if (res.IdentityToken) {
      delete auth.password;
      auth.identitytoken = res.IdentityToken;
    }
    await storeCredentials(ctx.configDir, auth);
    ctx.stderr.write(
      `\nWARNING! Your credentials are stored unencrypted in '${configPath(ctx.configDir)}'.\n` +
        "Configure a credential helper to remove this warning. See\n" +
        "https://docs.docker.com/go/credential-store/\n\n",
    );
    ctx.stdout.write(`${res.Status}\n`);
    return 0;
  },
};

export const logout: CommandSpec = {
  path: ["logout"],
  usage: "logout [SERVER]",
  description: "Log out from a registry.\nIf no server is specified, the default is defined by the daemon.",
  flags: [],
  args: { min: 0, max: 1 },
  async run(ctx, args) {
    const given = args.positionals[0];
    const server = given !== undefined && given !== "" && given !== "docker.io" ? given : indexServer;
    const host = convertToHostname(server);
    const cfg = await readConfig(ctx.configDir);
    const auths = cfg.auths ?? {};
    // The CLI tries the name as given, then its hostname and URL forms.
    const keys = Object.keys(auths).filter((k) => k === server || convertToHostname(k) === host);
    if (keys.length === 0) {
      ctx.stdout.write(`Not logged in to ${server}\n`);
      return 0;
    }
    ctx.stdout.write(
      `Removing login credentials for ${host === "index.docker.io" ? "https://index.docker.io/v1/" : host}\n`,
    );
    for (const k of keys) delete auths[k];
    cfg.auths = auths;
    await writeConfig(ctx.configDir, cfg);
    return 0;
  },
};
