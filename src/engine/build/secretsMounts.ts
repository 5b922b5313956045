/**
 * `RUN --mount=type=secret` and `type=ssh` (BuildKit's rules) from a build session.
 *
 * secret: the id is `id` (or `source`), else the target's base name; the value is bound
 * read-only at the target (default /run/secrets/<id>, mode 0400, root) from a private file
 * in the build's scratch dir, and/or set as the env variable `env=` for this RUN. ssh: the
 * agent socket the client named for the id (default "default") is reached through a proxy
 * socket the daemon makes with the mount's owner and mode (default 0600, root), bound at the
 * target (default /run/buildkit/ssh_agent.<n>); the first sets SSH_AUTH_SOCK. A missing id is
 * an error with `required`, and skipped otherwise. Values never enter the cache key: only the
 * mount definitions do.
 */
import { chmod, chown, lstat, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import type { MountSpec } from "../containers/index.js";
import { errnoCode, invalid } from "../errors.js";
import { newHexId } from "../ids.js";
import type { RunMount } from "./dockerfile/index.js";
import type { BuildSecrets } from "./secrets.js";

export interface SecretMountResult {
  mount?: MountSpec;
  /** `NAME=value` for the RUN's environment. */
  env?: string;
  /** The mount's definition for the step's cache key (never the value). */
  key: string;
  /** Undoes what the mount made (files, proxy sockets) once the step is done. */
  cleanup?: () => Promise<void>;
}

const def = (m: RunMount) => `${m.uid ?? ""}:${m.gid ?? ""}:${m.mode?.toString(8) ?? ""}:${m.required}`;

export async function secretMount(
  m: RunMount,
  secrets: BuildSecrets,
  workdir: string,
  scratchDir: string,
): Promise<SecretMountResult | undefined> {
  let id = m.source !== undefined && m.source !== "" ? m.source : (m.cacheId ?? "");
  if (id === "") id = posix.basename(m.target ?? "");
  if (id === "") throw invalid("invalid secret mount. one of source, target required");
  const value = secrets.secrets.get(id);
  if (value === undefined) {
    if (m.required) throw invalid(`secret ${id}: not found`);
    return undefined; // BuildKit skips an optional secret the client did not send
  }
  const out: SecretMountResult = { key: `secret:${id}:${m.target ?? ""}:${m.env ?? ""}:${def(m)}` };
  if (m.env !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(m.env)) throw invalid(`invalid env name for secret ${id}: ${m.env}`);
    if (value.includes(0))
      throw invalid(`secret ${id} holds a NUL byte: it cannot be an environment variable`);
    out.env = `${m.env}=${value.toString("utf8")}`;
  }
  if (m.env !== undefined && (m.target === undefined || m.target === "")) return out;
  const target = posix.resolve(workdir || "/", m.target || `/run/secrets/${posix.basename(id)}`);
  if (target === "/") throw invalid("mount target cannot be /");
  const dir = `${scratchDir}/secret-${newHexId().slice(0, 12)}`;
  await mkdir(dir, { mode: 0o700 });
  const file = `${dir}/${posix.basename(id)}`;
  await writeFile(file, value, { mode: 0o600, flag: "wx" });
  await chmod(file, m.mode ?? 0o400);
  await chown(file, m.uid ?? 0, m.gid ?? 0);
  out.mount = { type: "bind", source: file, target, readOnly: true, propagation: "rprivate" };
  out.cleanup = () => rm(dir, { recursive: true, force: true });
  return out;
}

/** `n`: the index of this ssh mount among the RUN's ssh mounts (default target). */
export async function sshMount(
  m: RunMount,
  secrets: BuildSecrets,
  workdir: string,
  n: number,
): Promise<SecretMountResult | undefined> {
  if (m.source !== undefined && m.source !== "") throw invalid("ssh does not support source");
  const id = m.cacheId !== undefined && m.cacheId !== "" ? m.cacheId : "default";
  const agent = secrets.ssh.get(id);
  if (agent === undefined) {
    if (m.required)
      throw invalid(`no SSH key ${JSON.stringify(id)} forwarded from the client (berth build --ssh ${id}=…)`);
    return undefined;
  }
  const st = await lstat(agent).catch((err: unknown) => {
    throw invalid(
      `ssh ${id}: agent socket ${agent}: ${errnoCode(err) === "ENOENT" ? "not found" : String(err)}`,
    );
  });
  if (!st.isSocket()) throw invalid(`ssh ${id}: ${agent} is not a socket`);
  const target = posix.resolve(workdir || "/", m.target || `/run/buildkit/ssh_agent.${n}`);
  if (target === "/") throw invalid("mount target cannot be /");
  const proxy = await agentProxy(agent, m.mode ?? 0o600, m.uid ?? 0, m.gid ?? 0);
  return {
    key: `ssh:${id}:${m.target ?? ""}:${def(m)}`,
    mount: { type: "bind", source: proxy.path, target, readOnly: false, propagation: "rprivate" },
    ...(n === 0 ? { env: `SSH_AUTH_SOCK=${target}` } : {}),
    cleanup: proxy.close,
  };
}

/**
 * A socket that forwards each connection to the agent: the step gets a socket with the
 * owner and mode it asked for, and no path to the client's own socket or its directory.
 * It lives in a short private dir (a unix socket path has ~108 bytes).
 */
async function agentProxy(
  agent: string,
  mode: number,
  uid: number,
  gid: number,
): Promise<{ path: string; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "berth-ssh-"));
  const path = `${dir}/agent.sock`;
  const open = new Set<Socket>();
  const server = createServer((conn) => {
    const up = createConnection(agent);
    open.add(conn).add(up);
    const drop = () => {
      conn.destroy();
      up.destroy();
      open.delete(conn);
      open.delete(up);
    };
    conn.on("error", drop).on("close", drop);
    up.on("error", drop).on("close", drop);
    conn.pipe(up).pipe(conn);
  });
  try {
    await new Promise<void>((res, rej) => {
      server.once("error", rej);
      server.listen(path, () => res());
    });
    await chmod(path, mode);
    await chown(path, uid, gid);
  } catch (err) {
    server.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    path,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((res) => server.close(() => res()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
