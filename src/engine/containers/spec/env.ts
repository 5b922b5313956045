/**
 * Environment variables as Docker merges them: later values replace earlier
 * ones with the same key, and a bare `KEY` in an override removes the key.
 */
export const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const keyOf = (entry: string): string => {
  const eq = entry.indexOf("=");
  return eq < 0 ? entry : entry.slice(0, eq);
};

export function replaceOrAppendEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const out = [...base];
  for (const o of overrides) {
    const key = keyOf(o);
    const at = out.findIndex((e) => keyOf(e) === key);
    if (!o.includes("=")) {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = o;
    else out.push(o);
  }
  return out;
}

/** The process environment: PATH, HOSTNAME, TERM (with a tty), then the container's own. */
export function processEnv(configEnv: readonly string[], hostname: string, tty: boolean): string[] {
  const base = [`PATH=${defaultPath}`, `HOSTNAME=${hostname}`];
  if (tty) base.push("TERM=xterm");
  return replaceOrAppendEnv(base, configEnv);
}

/** Parses an --env-file: KEY=VALUE lines, # comments, bare KEY taken from `lookup`. */
export function parseEnvFile(text: string, lookup: (key: string) => string | undefined): string[] {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^\s+/, "").replace(/\r$/, "");
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    const key = eq < 0 ? line.trimEnd() : line.slice(0, eq);
    if (/\s/.test(key)) throw new Error(`variable '${key}' contains whitespaces`);
    if (eq >= 0) out.push(line);
    else {
      const v = lookup(key);
      if (v !== undefined) out.push(`${key}=${v}`);
    }
  }
  return out;
}
