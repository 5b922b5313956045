/**
 * The config a stage carries from step to step (Docker's runConfig) and the pure rules each
 * metadata instruction applies to it: ENV replaces a key in place, CMD/ENTRYPOINT shell forms
 * go through SHELL, ENTRYPOINT clears a CMD not set in this stage, EXPOSE normalises ports.
 */
import { invalid } from "../errors.js";
import type { ContainerConfig } from "../images/index.js";
import type { CommandLine } from "./dockerfile/index.js";

export const defaultShell = ["/bin/sh", "-c"];

/** The command an instruction stores: exec form as written, shell form through the shell. */
export function commandOf(line: CommandLine, shell: readonly string[] | undefined): string[] {
  if (line.form === "exec") return [...line.args];
  return [...(shell && shell.length > 0 ? shell : defaultShell), line.command];
}

/** What a container of the image runs, with no arguments given: ENTRYPOINT + CMD. */
export function effectiveArgv(c: Pick<ContainerConfig, "Entrypoint" | "Cmd">): string[] {
  return [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])];
}

/** ENV and ARG semantics of `K=V` lists: replace in place, else append. */
export function setEnv(env: readonly string[], key: string, value: string): string[] {
  const out = [...env];
  const i = out.findIndex((e) => (e.includes("=") ? e.slice(0, e.indexOf("=")) : e) === key);
  if (i >= 0) out[i] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}

export function envMap(env: readonly string[] | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env ?? []) {
    const eq = e.indexOf("=");
    if (eq < 0) m.set(e, "");
    else m.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return m;
}

/** EXPOSE words to Docker's port keys ("80" → "80/tcp", "8000-8001/udp" → two keys). */
export function exposedPortKeys(ports: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of ports) {
    const m = /^(?:(.*):)?(\d+)(?:-(\d+))?(?:\/([a-zA-Z]+))?$/.exec(p);
    if (m === null || m[1] !== undefined) throw invalid(`Invalid containerPort: ${p}`);
    const proto = (m[4] ?? "tcp").toLowerCase();
    if (!["tcp", "udp", "sctp"].includes(proto)) throw invalid(`invalid proto: ${proto}`);
    const start = Number(m[2]);
    const end = m[3] === undefined ? start : Number(m[3]);
    if (start > 65535 || end > 65535) throw invalid(`invalid containerPort: ${p}`);
    if (end < start) throw invalid(`invalid range specified for container port: ${p}`);
    for (let n = start; n <= end; n++) out.push(`${n}/${proto}`);
  }
  return out;
}

/** WORKDIR: relative paths continue the previous one. */
export function joinWorkdir(current: string | undefined, path: string): string {
  const base = current && current !== "" ? current : "/";
  const joined = path.startsWith("/") ? path : `${base}/${path}`;
  const parts: string[] = [];
  for (const c of joined.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") parts.pop();
    else parts.push(c);
  }
  return "/" + parts.join("/");
}

/**
 * The config as Docker serialises container.Config in an image (field order and the
 * always-present fields), so `docker inspect` of a built image reads like dockerd's.
 */
export function dockerConfig(c: ContainerConfig, image: string, hostname = ""): ContainerConfig {
  const out: ContainerConfig = {
    Hostname: hostname,
    Domainname: "",
    User: c.User ?? "",
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
  };
  if (c.ExposedPorts && Object.keys(c.ExposedPorts).length > 0) out.ExposedPorts = c.ExposedPorts;
  Object.assign(out, {
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
  });
  if (c.Healthcheck) out.Healthcheck = c.Healthcheck;
  if (c.ArgsEscaped) out.ArgsEscaped = true;
  Object.assign(out, {
    Image: image,
    Volumes: c.Volumes && Object.keys(c.Volumes).length > 0 ? c.Volumes : null,
    WorkingDir: c.WorkingDir ?? "",
    Entrypoint: c.Entrypoint ?? null,
    OnBuild: c.OnBuild && c.OnBuild.length > 0 ? c.OnBuild : null,
    Labels: c.Labels ?? null,
  });
  if (c.StopSignal) out.StopSignal = c.StopSignal;
  if (c.StopTimeout !== undefined) out.StopTimeout = c.StopTimeout;
  if (c.Shell && c.Shell.length > 0) out.Shell = c.Shell;
  return out;
}

/** The parts of a config that carry over from a base image into a build (Docker's runConfig). */
export function runConfigOf(c: ContainerConfig | undefined): ContainerConfig {
  const src = c ?? {};
  const out: ContainerConfig = {};
  for (const k of [
    "User", "ExposedPorts", "Env", "Cmd", "Healthcheck", "ArgsEscaped", "Volumes", "WorkingDir",
    "Entrypoint", "OnBuild", "Labels", "StopSignal", "StopTimeout", "Shell",
  ]) {
    const v = src[k];
    if (v !== undefined && v !== null) out[k] = structuredClone(v);
  }
  return out;
} // prettier-ignore
