/**
 * `berth build`'s side of a build session (berthd's `POST /berth/build/session`): the
 * context's manifest goes first and the daemon answers which files it lacks, so an unchanged
 * context costs a walk of the directory and no file content. `--secret` and `--ssh` (docker
 * buildx's syntax) travel in the same request: berthd is local, so an agent socket is named
 * by its path. Another daemon (no such endpoint: 404) gets the whole context instead.
 */
import { createHash } from "node:crypto";
import { lstatSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import type {
  BuildManifestEntryWire,
  BuildSessionRequestWire,
  BuildSessionWire,
} from "../../api/types/build.js";
import { ApiError } from "../../client/index.js";
import { CliError, type CliContext } from "../context.js";
import type { ContextEntry } from "./buildContext.js";

/** BuildKit's limit for one secret. */
const MAX_SECRET = 500 * 1024;

export interface SessionExtras {
  secrets: { id: string; data: string }[];
  ssh: { id: string; path: string }[];
}

/** Go's encoding/csv for one line, as buildx reads `--secret` (quotes, `""`). */
function csv(value: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let f = "";
    if (value[i] === '"') {
      for (i++; ; i++) {
        if (i >= value.length)
          throw new CliError(`invalid value ${value}: extraneous or missing " in quoted-field`);
        if (value[i] === '"') {
          if (value[i + 1] !== '"') break;
          i++;
        }
        f += value[i];
      }
      i++;
    } else while (i < value.length && value[i] !== ",") f += value[i++];
    out.push(f);
    if (i >= value.length) return out;
    i++;
  }
}

/** `--secret id=NAME[,src=PATH|,env=VAR][,type=file|env]` (buildx's rules). */
export function parseSecretFlag(
  value: string,
  env: NodeJS.ProcessEnv = process.env,
): { id: string; data: Buffer } {
  let type = "";
  let id = "";
  let src = "";
  let fromEnv = "";
  for (const field of csv(value)) {
    const eq = field.indexOf("=");
    if (eq < 0) throw new CliError(`invalid field '${field}' must be a key=value pair`);
    const key = field.slice(0, eq).toLowerCase();
    const v = field.slice(eq + 1);
    if (key === "type") {
      if (v !== "file" && v !== "env") throw new CliError(`unsupported secret type "${v}"`);
      type = v;
    } else if (key === "id") id = v;
    else if (key === "source" || key === "src") src = v;
    else if (key === "env") fromEnv = v;
    else throw new CliError(`unexpected key '${key}' in '${field}'`);
  }
  if (type === "env" && fromEnv === "") [fromEnv, src] = [src, ""];
  if (id === "") throw new CliError(`invalid secret ${value}: secret missing ID`);
  // Neither given: the variable named like the id if set, else the file named like it.
  if (fromEnv === "" && src === "") {
    if (env[id] !== undefined) fromEnv = id;
    else src = id;
  }
  let data: Buffer;
  if (fromEnv !== "") {
    const v = env[fromEnv];
    if (v === undefined) throw new CliError(`secret ${id}: environment variable ${fromEnv} is not set`);
    data = Buffer.from(v);
  } else {
    try {
      data = readFileSync(src);
    } catch (err) {
      throw new CliError(`failed to stat ${src}: ${(err as Error).message}`);
    }
  }
  if (data.length > MAX_SECRET) throw new CliError(`secret ${id} too big. max size 500KB`);
  return { id, data };
}

/** `--ssh default|ID[=SOCKET]`: an agent socket (the default: $SSH_AUTH_SOCK). */
export function parseSshFlag(
  value: string,
  env: NodeJS.ProcessEnv = process.env,
): { id: string; path: string } {
  const eq = value.indexOf("=");
  const id = eq < 0 ? value : value.slice(0, eq);
  const paths =
    eq < 0
      ? []
      : value
          .slice(eq + 1)
          .split(",")
          .filter((p) => p !== "");
  if (id === "") throw new CliError(`invalid ssh ${value}: missing id`);
  if (paths.length === 0) {
    const sock = env.SSH_AUTH_SOCK ?? "";
    if (sock === "") throw new CliError("invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set");
    paths.push(sock);
  }
  const notAgent = () =>
    new CliError(
      `--ssh ${id}: only an ssh agent socket is supported (not key files): start ssh-agent, ssh-add the key and pass --ssh ${id}=$SSH_AUTH_SOCK`,
    );
  if (paths.length > 1) throw notAgent();
  const path = resolve(paths[0] as string);
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    throw new CliError(`--ssh ${id}: ${(err as Error).message}`);
  }
  if (!st.isSocket()) throw notAgent();
  return { id, path };
}

/** Reads `--secret` and `--ssh`; undefined when neither is given. */
export function sessionExtras(
  secretFlags: readonly string[],
  sshFlags: readonly string[],
): SessionExtras | undefined {
  if (secretFlags.length === 0 && sshFlags.length === 0) return undefined;
  return {
    secrets: secretFlags
      .map((f) => parseSecretFlag(f))
      .map((s) => ({ id: s.id, data: s.data.toString("base64") })),
    ssh: sshFlags.map((s) => parseSshFlag(s)),
  };
}

/** Names a context directory for the daemon's mirror pool: this host and the absolute path. */
export function contextKey(dir: string): string {
  return createHash("sha256")
    .update(`${hostname()}\0${resolve(dir)}`)
    .digest("hex")
    .slice(0, 32);
}

export function manifestOf(entries: readonly ContextEntry[]): BuildManifestEntryWire[] {
  return entries.map((e) => ({
    path: e.path,
    type: e.type,
    mode: e.mode,
    uid: 0,
    gid: 0,
    mtime: e.mtime,
    size: e.size,
    ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
    ...(e.sig !== undefined ? { sig: e.sig } : {}),
  }));
}

/** Opens a session; undefined when the daemon has no such endpoint (not berthd). */
export async function openSession(
  ctx: CliContext,
  body: BuildSessionRequestWire,
): Promise<BuildSessionWire | undefined> {
  try {
    return await ctx.client.transport.json<BuildSessionWire>("POST", "/berth/build/session", { body });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}
