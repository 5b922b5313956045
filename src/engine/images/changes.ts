/**
 * Dockerfile-like changes applied to an image config, as `docker import
 * --change` and `docker commit --change` apply them (moby's BuildFromConfig):
 * only the instructions that set config, never RUN/COPY/FROM.
 */
import { invalid } from "../errors.js";
import type { ContainerConfig } from "./types.js";

const validCommands = new Set([
  "cmd",
  "entrypoint",
  "env",
  "expose",
  "label",
  "onbuild",
  "stopsignal",
  "user",
  "volume",
  "workdir",
]);

/** Applies each change line in order to a copy of `base`. */
export function applyChanges(base: ContainerConfig, changes: readonly string[]): ContainerConfig {
  const cfg: ContainerConfig = structuredClone(base);
  for (const raw of changes) {
    for (const line of raw.split("\n")) {
      const text = line.trim();
      if (text === "" || text.startsWith("#")) continue;
      const m = /^(\S+)\s*(.*)$/s.exec(text);
      const cmd = (m?.[1] ?? "").toLowerCase();
      const rest = (m?.[2] ?? "").trim();
      if (!validCommands.has(cmd)) {
        if (cmd === "healthcheck") throw invalid("healthcheck is not supported as a change command by berth");
        throw invalid(`${cmd} is not a valid change command`);
      }
      applyOne(cfg, cmd, rest);
    }
  }
  return cfg;
}

function applyOne(cfg: ContainerConfig, cmd: string, rest: string): void {
  switch (cmd) {
    case "cmd":
      cfg.Cmd = commandForm(rest, "CMD");
      cfg.ArgsEscaped = undefined;
      return;
    case "entrypoint":
      cfg.Entrypoint = commandForm(rest, "ENTRYPOINT");
      return;
    case "env":
      for (const [k, v] of keyValues(rest, "ENV")) cfg.Env = mergeEnv(cfg.Env ?? [], k, v);
      return;
    case "label":
      for (const [k, v] of keyValues(rest, "LABEL")) cfg.Labels = { ...(cfg.Labels ?? {}), [k]: v };
      return;
    case "expose": {
      const ports = words(rest);
      if (ports.length === 0) throw invalid("EXPOSE requires at least one argument");
      const exposed = { ...(cfg.ExposedPorts ?? {}) };
      for (const p of ports) exposed[normalisePort(p)] = {};
      cfg.ExposedPorts = exposed;
      return;
    }
    case "volume": {
      const paths = rest.startsWith("[") ? jsonArray(rest, "VOLUME") : words(rest);
      if (paths.length === 0) throw invalid("VOLUME requires at least one argument");
      const vols = { ...(cfg.Volumes ?? {}) };
      for (const p of paths) {
        if (p.trim() === "") throw invalid("VOLUME specified can not be an empty string");
        vols[p] = {};
      }
      cfg.Volumes = vols;
      return;
    }
    case "user":
      requireOne(rest, "USER");
      cfg.User = rest;
      return;
    case "workdir": {
      requireOne(rest, "WORKDIR");
      const dir = rest.startsWith("/") ? rest : joinPath(cfg.WorkingDir || "/", rest);
      cfg.WorkingDir = dir;
      return;
    }
    case "stopsignal":
      requireOne(rest, "STOPSIGNAL");
      cfg.StopSignal = rest;
      return;
    case "onbuild":
      if (rest === "") throw invalid("ONBUILD requires at least one argument");
      cfg.OnBuild = [...(cfg.OnBuild ?? []), rest];
      return;
  }
}

function requireOne(rest: string, name: string): void {
  if (rest === "") throw invalid(`${name} requires exactly one argument`);
}

/** Replaces KEY in place when present (Docker keeps the order), else appends it. */
function mergeEnv(env: readonly string[], key: string, value: string): string[] {
  const entry = `${key}=${value}`;
  const at = env.findIndex((e) => e.startsWith(`${key}=`) || e === key);
  if (at < 0) return [...env, entry];
  return env.map((e, i) => (i === at ? entry : e));
}

/** JSON array form, or shell form wrapped in /bin/sh -c. */
function commandForm(rest: string, name: string): string[] {
  if (rest.startsWith("[")) {
    try {
      return jsonArray(rest, name);
    } catch {
      // Not valid JSON: Docker falls back to the shell form.
    }
  }
  return ["/bin/sh", "-c", rest];
}

function jsonArray(text: string, name: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(`${name}: invalid JSON array: ${text}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((x): x is string => typeof x === "string")) {
    throw invalid(`${name}: expected a JSON array of strings: ${text}`);
  }
  return parsed;
}

/** Splits on blanks, honouring double and single quotes and backslash escapes. */
export function words(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) cur += text[++i]!;
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      cur += text[++i]!;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote !== undefined) throw invalid(`unmatched quote in: ${text}`);
  if (inWord) out.push(cur);
  return out;
}

/** `K=V K2="v 2"`, or the legacy `K V with spaces` form. */
function keyValues(rest: string, name: string): [string, string][] {
  if (rest === "") throw invalid(`${name} requires at least one argument`);
  const first = words(rest)[0] ?? "";
  if (!first.includes("=")) {
    const m = /^(\S+)\s+(.*)$/s.exec(rest);
    if (m === null) throw invalid(`${name} must have two arguments`);
    return [[m[1]!, m[2]!.trim()]];
  }
  return words(rest).map((w) => {
    const eq = w.indexOf("=");
    if (eq <= 0) throw invalid(`${name} names can not be blank`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

function normalisePort(p: string): string {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(p);
  if (m === null) throw invalid(`invalid containerPort: ${p}`);
  const proto = (m[3] ?? "tcp").toLowerCase();
  return m[2] !== undefined ? `${m[1]}-${m[2]}/${proto}` : `${m[1]}/${proto}`;
}

function joinPath(base: string, rel: string): string {
  const parts = `${base}/${rel}`.split("/");
  const out: string[] = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") out.pop();
    else out.push(p);
  }
  return "/" + out.join("/");
}
