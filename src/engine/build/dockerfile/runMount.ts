import { goQuote, SyntaxProblem } from "./errors.js";
import { withSuggestion } from "./suggest.js";

/**
 * `RUN --mount=…` values (comma-separated key=value fields, CSV quoting). BuildKit reads them
 * twice: at parse time only `from` is checked (no expansion yet), and when the step runs
 * every field is expanded and checked. Pass `expand` for the second reading.
 */
export type MountType = "bind" | "cache" | "tmpfs" | "secret" | "ssh";
export type MountSharing = "shared" | "private" | "locked";

export interface RunMount {
  type: MountType;
  from?: string;
  source?: string;
  target?: string;
  readOnly: boolean;
  /** tmpfs size in bytes. */
  sizeLimit?: number;
  cacheId?: string;
  sharing?: MountSharing;
  required: boolean;
  env?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

const mountTypes: readonly MountType[] = ["bind", "cache", "tmpfs", "secret", "ssh"];
const sharingModes: readonly MountSharing[] = ["shared", "private", "locked"];
const allKeys = [
  "type", "from", "source", "target", "readonly", "id", "sharing", "required", "size", "mode", "uid", "gid",
  "src", "dst", "destination", "ro", "rw", "readwrite", "env",
]; // prettier-ignore

export function parseRunMount(spec: string, expand?: (word: string) => string): RunMount {
  const m: RunMount = { type: "bind", readOnly: false, required: false };
  let roAuto = true;
  for (const field of csvFields(spec)) {
    const eq = field.indexOf("=");
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    let value = eq < 0 ? "" : field.slice(eq + 1);
    if (eq < 0) {
      if (expand === undefined) continue; // read once expanded
      if (key === "readonly" || key === "ro" || key === "readwrite" || key === "rw") {
        m.readOnly = key === "readonly" || key === "ro";
        roAuto = false;
      } else if (key === "required") {
        if (m.type !== "secret" && m.type !== "ssh")
          throw new SyntaxProblem(`unexpected key '${key}' for mount type '${m.type}'`);
        m.required = true;
      } else throw new SyntaxProblem(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    if (expand !== undefined) value = expand(value);
    else if (key === "from") {
      const idx = value.indexOf("$");
      if (idx !== -1 && idx !== value.length - 1)
        throw new SyntaxProblem(`'${key}' doesn't support variable expansion, define alias stage instead`);
    } else continue;
    roAuto = applyField(m, key, value, field) && roAuto;
  }
  return finish(m, roAuto);
}

/** Sets one key=value field; returns false when it fixes read-only-ness explicitly. */
function applyField(m: RunMount, key: string, value: string, field: string): boolean {
  const invalidValue = () => new SyntaxProblem(`invalid value for ${key}: ${value}`);
  switch (key) {
    case "type": {
      const t = value.toLowerCase() as MountType;
      if (!mountTypes.includes(t))
        throw new SyntaxProblem(
          withSuggestion(`unsupported mount type ${goQuote(value)}`, value, mountTypes, true),
        );
      m.type = t;
      return true;
    }
    case "from":
      m.from = value;
      return true;
    case "source":
    case "src":
      m.source = value;
      return true;
    case "target":
    case "dst":
    case "destination":
      m.target = value;
      return true;
    case "readonly":
    case "ro":
    case "readwrite":
    case "rw": {
      const b = goParseBool(value);
      if (b === undefined) throw invalidValue();
      m.readOnly = key === "readonly" || key === "ro" ? b : !b;
      return false;
    }
    case "required": {
      if (m.type !== "secret" && m.type !== "ssh")
        throw new SyntaxProblem(`unexpected key '${key}' for mount type '${m.type}'`);
      const b = goParseBool(value);
      if (b === undefined) throw invalidValue();
      m.required = b;
      return true;
    }
    case "size": {
      if (m.type !== "tmpfs") throw new SyntaxProblem(`unexpected key '${key}' for mount type '${m.type}'`);
      const size = ramInBytes(value);
      if (size === undefined) throw invalidValue();
      m.sizeLimit = size;
      return true;
    }
    case "id":
      m.cacheId = value;
      return true;
    case "sharing": {
      const s = value.toLowerCase() as MountSharing;
      if (!sharingModes.includes(s))
        throw new SyntaxProblem(
          withSuggestion(`unsupported sharing value ${goQuote(value)}`, value, sharingModes, true),
        );
      m.sharing = s;
      return true;
    }
    case "mode":
    case "uid":
    case "gid": {
      const n = parseUint32(value, key === "mode" ? 8 : 10);
      if (n === undefined) throw new SyntaxProblem(`invalid value ${value} for ${key}`);
      m[key] = n;
      return true;
    }
    case "env":
      m.env = value;
      return true;
    default:
      throw new SyntaxProblem(withSuggestion(`unexpected key '${key}' in '${field}'`, key, allKeys, true));
  }
}

function finish(m: RunMount, roAuto: boolean): RunMount {
  if (m.type !== "secret" && m.type !== "ssh" && m.type !== "cache") {
    for (const k of ["mode", "uid", "gid"] as const)
      if (m[k] !== undefined) throw new SyntaxProblem(`${k} not allowed for ${goQuote(m.type)} type mounts`);
  }
  if (roAuto) m.readOnly = m.type !== "cache" && m.type !== "tmpfs";
  if (m.type === "secret") {
    if (m.from !== undefined) throw new SyntaxProblem("secret mount should not have a from");
    if (m.sharing !== undefined) throw new SyntaxProblem("secret mount should not define sharing");
    if (!m.source && !m.target && !m.cacheId)
      throw new SyntaxProblem("invalid secret mount. one of source, target required");
    if (m.source && m.cacheId) throw new SyntaxProblem("both source and id can't be set");
  }
  if (m.sharing !== undefined && m.type !== "cache")
    throw new SyntaxProblem(`invalid cache sharing set for ${m.type} mount`);
  return m;
}

/** One CSV record, as Go's encoding/csv reads it (double quotes, `""` inside quotes). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  const fail = (why: string) =>
    new SyntaxProblem(`failed to parse csv mounts: parse error on line 1, column ${i + 1}: ${why}`);
  for (;;) {
    let field = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw fail('extraneous or missing " in quoted-field');
        const ch = line[i] as string;
        if (ch === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          if (i < line.length && line[i] !== ",") throw fail('extraneous or missing " in quoted-field');
          break;
        }
        field += ch;
        i++;
      }
    } else {
      while (i < line.length && line[i] !== ",") {
        if (line[i] === '"') throw fail('bare " in non-quoted-field');
        field += line[i];
        i++;
      }
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

function goParseBool(s: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return undefined;
}

function parseUint32(s: string, base: 8 | 10): number | undefined {
  const re = base === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!re.test(s)) return undefined;
  const n = Number.parseInt(s, base);
  return n <= 0xffffffff ? n : undefined;
}

/** docker/go-units RAMInBytes: `64m`, `1.5GiB`, `512`… (binary multiples). */
function ramInBytes(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(s);
  if (m === null) return undefined;
  const exp = " kmgtp".indexOf((m[2] ?? " ").toLowerCase());
  return Math.trunc(Number(m[1]) * 1024 ** exp);
}
