/**
 * The value grammars of docker's container flags, as docker/cli and
 * go-connections parse them: port specs, `-v` specs (compose's ParseVolume),
 * `--mount` CSV, env and label files, ulimits, Go durations, `--cpus`, and
 * the per-flag validators that rewrite values (env lookups, add-host, dns).
 * Errors carry docker's texts; the caller decides how to print them.
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { resolve } from "node:path";
import type { MountWire } from "../../api/types/containers.js";
import { ramInBytes } from "../format/index.js";
import { cleanPath } from "../goPath.js";

/** A rejected flag value: printed as `invalid argument "v" for "flag" flag: message`. */
export class FlagValueError extends Error {}

// ---- ports (go-connections/nat) ----

export interface PortBindingWire {
  HostIp: string;
  HostPort: string;
}

function parseUint16(s: string): number {
  if (!/^[0-9]+$/.test(s)) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (n > 65535) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

/** nat.ParsePortRange: "80" or "80-90". */
export function parsePortRange(ports: string): [number, number] {
  if (ports === "") throw new Error("empty string specified for ports");
  if (!ports.includes("-")) {
    const n = parseUint16(ports);
    return [n, n];
  }
  const parts = ports.split("-");
  const start = parseUint16(parts[0] ?? "");
  const end = parseUint16(parts[1] ?? "");
  if (end < start) throw new Error(`invalid range specified for port: ${ports}`);
  return [start, end];
}

/** nat.SplitProtoPort: "80/udp" → ["udp", "80"]. */
export function splitProtoPort(raw: string): [string, string] {
  const parts = raw.split("/");
  if (raw.length === 0 || (parts[0] ?? "").length === 0) return ["", ""];
  if (parts.length === 1) return ["tcp", raw];
  if ((parts[1] ?? "").length === 0) return ["tcp", parts[0]!];
  return [parts[1]!, parts[0]!];
}

function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(":");
  const n = parts.length;
  const container = parts[n - 1]!;
  if (n === 1) return ["", "", container];
  if (n === 2) return ["", parts[0]!, container];
  if (n === 3) return [parts[0]!, parts[1]!, container];
  return [parts.slice(0, n - 2).join(":"), parts[n - 2]!, container];
}

/** nat.ParsePortSpec: one `-p` value to (port, binding) pairs. */
export function parsePortSpec(raw: string): { port: string; binding: PortBindingWire }[] {
  const parts = splitParts(raw);
  let ip = parts[0];
  const hostPort = parts[1];
  const [proto, containerPort] = splitProtoPort(parts[2]);
  if (ip.startsWith("[")) {
    const close = ip.indexOf("]");
    if (close < 0 || close !== ip.length - 1)
      throw new Error(`invalid IP address ${ip}: missing ']' in address`);
    ip = ip.slice(1, -1);
  }
  if (ip !== "" && isIP(ip) === 0) throw new Error(`invalid IP address: ${ip}`);
  if (containerPort === "") throw new Error(`no port specified: ${raw}<empty>`);
  let start: number;
  let end: number;
  try {
    [start, end] = parsePortRange(containerPort);
  } catch {
    throw new Error(`invalid containerPort: ${containerPort}`);
  }
  let hostStart = 0;
  let hostEnd = 0;
  if (hostPort !== "") {
    try {
      [hostStart, hostEnd] = parsePortRange(hostPort);
    } catch {
      throw new Error(`invalid hostPort: ${hostPort}`);
    }
  }
  if (hostPort !== "" && end - start !== hostEnd - hostStart && end !== start) {
    throw new Error(
      `invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`,
    );
  }
  if (!["tcp", "udp", "sctp"].includes(proto.toLowerCase())) throw new Error(`invalid proto: ${proto}`);
  const out: { port: string; binding: PortBindingWire }[] = [];
  for (let i = 0; i <= end - start; i++) {
    let hp = hostPort === "" ? "" : String(hostStart + i);
    if (start === end && hostStart !== hostEnd) hp = `${hp}-${hostEnd}`;
    out.push({ port: `${start + i}/${proto.toLowerCase()}`, binding: { HostIp: ip, HostPort: hp } });
  }
  return out;
}

/** docker's convertToStandardNotation: "target=80,published=8080,protocol=udp" → "8080:80/udp". */
export function toStandardNotation(publish: string): string {
  if (!publish.includes("=")) return publish;
  const params: Record<string, string> = { protocol: "tcp" };
  for (const param of publish.split(",")) {
    const eq = param.indexOf("=");
    if (eq <= 0) throw new Error(`invalid publish opts format (should be name=value but got '${param}')`);
    params[param.slice(0, eq)] = param.slice(eq + 1);
  }
  return `${params.published ?? ""}:${params.target ?? ""}/${params.protocol ?? ""}`;
}

// ---- -v (compose loader.ParseVolume) ----

export interface VolumeSpec {
  type: "bind" | "volume";
  source: string;
  target: string;
}

const isLetter = (c: string | undefined) => c !== undefined && /^\p{L}$/u.test(c);

export function parseVolumeSpec(spec: string): VolumeSpec {
  if (spec.length === 0) throw new Error("invalid empty volume spec");
  if (spec.length <= 2) return { type: "volume", source: "", target: spec };
  let source = "";
  let target = "";
  let buffer: string[] = [];
  const chars = [...spec];
  for (let i = 0; i <= chars.length; i++) {
    const end = i === chars.length;
    const c = chars[i];
    if (!end && c === ":" && buffer.length === 1 && isLetter(buffer[0])) {
      buffer.push(c);
      continue;
    }
    if (end || c === ":") {
      const text = buffer.join("");
      if (buffer.length === 0) throw new Error(`invalid spec: ${spec}: empty section between colons`);
      if (source === "" && end) target = text;
      else if (source === "") source = text;
      else if (target === "") target = text;
      else if (!end) throw new Error(`invalid spec: ${spec}: too many colons`);
      buffer = [];
      continue;
    }
    buffer.push(c!);
  }
  const isPath =
    source !== "" &&
    ("./~".includes(source[0]!) ||
      source.startsWith("\\\\") ||
      (source.length > 1 && isLetter(source[0]) && source[1] === ":"));
  return { type: isPath ? "bind" : "volume", source, target };
}

/** A bind's relative "./x" host part made absolute, as docker does before sending Binds. */
export function absoluteBind(bind: string): string {
  const colon = bind.indexOf(":");
  if (colon < 0) return bind;
  const host = bind.slice(0, colon);
  return host.startsWith(".") ? `${resolve(host)}${bind.slice(colon)}` : bind;
}

// ---- --mount (opts.MountOpt) ----

function goParseBool(v: string): boolean | undefined {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(v)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(v)) return false;
  return undefined;
}

/** encoding/csv, one record: fields split on commas, "quoted, fields" allowed. */
export function csvFields(value: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= value.length) {
    if (value[i] === '"') {
      let field = "";
      i++;
      for (;;) {
        if (i >= value.length)
          throw new Error(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
        if (value[i] === '"') {
          if (value[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += value[i++];
      }
      out.push(field);
      if (i < value.length && value[i] !== ",")
        throw new Error(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
      i++;
    } else {
      const comma = value.indexOf(",", i);
      const next = comma < 0 ? value.length : comma;
      out.push(value.slice(i, next));
      i = next + 1;
    }
  }
  return out;
}

export function parseMount(value: string): MountWire {
  // Built as a loose record (the wire type only names the fields the engine reads).
  const m: Record<string, unknown> & MountWire = { Type: "volume" };
  type Opts = Record<string, unknown>;
  const opts = (key: "BindOptions" | "VolumeOptions" | "TmpfsOptions" | "ImageOptions"): Opts => {
    const rec = m as Record<string, unknown>;
    if (rec[key] === undefined) rec[key] = key === "VolumeOptions" ? { Labels: {} } : {};
    return rec[key] as Opts;
  };
  const driver = (): Opts => {
    const v = opts("VolumeOptions");
    return (v.DriverConfig ??= {}) as Opts;
  };
  for (const field of csvFields(value)) {
    const eq = field.indexOf("=");
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? "" : field.slice(eq + 1);
    const bad = () => new Error(`invalid value for ${key}: ${val}`);
    if (eq < 0) {
      if (key === "readonly" || key === "ro") m.ReadOnly = true;
      else if (key === "volume-nocopy") opts("VolumeOptions").NoCopy = true;
      else if (key === "bind-nonrecursive") opts("BindOptions").NonRecursive = true;
      else throw new Error(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    switch (key) {
      case "type":
        m.Type = val.toLowerCase();
        break;
      case "source":
      case "src":
        m.Source = val.startsWith(".") ? resolve(val) : val;
        break;
      case "target":
      case "dst":
      case "destination":
        m.Target = val;
        break;
      case "readonly":
      case "ro": {
        const b = goParseBool(val);
        if (b === undefined) throw bad();
        m.ReadOnly = b;
        break;
      }
      case "consistency":
        m.Consistency = val.toLowerCase();
        break;
      case "bind-propagation":
        opts("BindOptions").Propagation = val.toLowerCase();
        break;
      case "bind-nonrecursive": {
        const b = goParseBool(val);
        if (b === undefined) throw bad();
        opts("BindOptions").NonRecursive = b;
        break;
      }
      case "bind-recursive":
        if (val === "disabled") opts("BindOptions").NonRecursive = true;
        else if (val === "writable") opts("BindOptions").ReadOnlyNonRecursive = true;
        else if (val === "readonly") opts("BindOptions").ReadOnlyForceRecursive = true;
        else if (val !== "enabled")
          throw new Error(
            `invalid value for ${key}: ${val} (must be "enabled", "disabled", "writable", or "readonly")`,
          );
        break;
      case "volume-subpath":
        opts("VolumeOptions").Subpath = val;
        break;
      case "volume-nocopy": {
        const b = goParseBool(val);
        if (b === undefined) throw new Error(`invalid value for volume-nocopy: ${val}`);
        opts("VolumeOptions").NoCopy = b;
        break;
      }
      case "volume-label":
      case "volume-opt": {
        const target =
          key === "volume-label"
            ? (opts("VolumeOptions").Labels as Record<string, string>)
            : ((driver().Options ??= {}) as Record<string, string>);
        const e = val.indexOf("=");
        const k = e < 0 ? val : val.slice(0, e);
        if (k !== "") target[k] = e < 0 ? "" : val.slice(e + 1);
        break;
      }
      case "volume-driver":
        driver().Name = val;
        break;
      case "image-subpath":
        opts("ImageOptions").Subpath = val;
        break;
      case "tmpfs-size":
        try {
          opts("TmpfsOptions").SizeBytes = ramInBytes(val);
        } catch {
          throw bad();
        }
        break;
      case "tmpfs-mode":
        if (!/^[0-7]+$/.test(val)) throw bad();
        opts("TmpfsOptions").Mode = parseInt(val, 8);
        break;
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!m.Type) throw new Error("type is required");
  if (!m.Target) throw new Error("target is required");
  for (const [key, type] of [
    ["VolumeOptions", "volume"],
    ["ImageOptions", "image"],
    ["BindOptions", "bind"],
    ["TmpfsOptions", "tmpfs"],
  ] as const) {
    if (m[key] !== undefined && m.Type !== type)
      throw new Error(`cannot mix '${type}-*' options with mount type '${m.Type}'`);
  }
  const b = m.BindOptions as Record<string, unknown> | undefined;
  if (b?.ReadOnlyNonRecursive && !m.ReadOnly)
    throw new Error("option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction");
  if (b?.ReadOnlyForceRecursive) {
    if (!m.ReadOnly)
      throw new Error("option 'bind-recursive=readonly' requires 'readonly' to be specified in conjunction");
    if (b.Propagation !== "rprivate")
      throw new Error(
        "option 'bind-recursive=readonly' requires 'bind-propagation=rprivate' to be specified in conjunction",
      );
  }
  return orderMount(m);
}

/** Go's field order for mount.Mount, so the body reads as docker's. */
function orderMount(m: MountWire): MountWire {
  const out: MountWire = {};
  for (const k of [
    "Type",
    "Source",
    "Target",
    "ReadOnly",
    "Consistency",
    "BindOptions",
    "VolumeOptions",
    "ImageOptions",
    "TmpfsOptions",
  ]) {
    if (m[k] !== undefined) out[k] = m[k];
  }
  return out;
}

// ---- env and label files (pkg/kvfile) ----

export function parseKvFile(
  filename: string,
  lookup: ((key: string) => string | undefined) | undefined,
): string[] {
  let text: string;
  try {
    text = readFileSync(filename, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      `open ${filename}: ${code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : (err as Error).message}`,
    );
  }
  const lines: string[] = [];
  const raw = text.split(/\r?\n/);
  if (raw.length > 0 && raw[raw.length - 1] === "") raw.pop();
  for (let n = 0; n < raw.length; n++) {
    let l = raw[n]!;
    if (n === 0 && l.startsWith("\uFEFF")) l = l.slice(1);
    const line = l.replace(/^\s+/u, "");
    if (line.length === 0 || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    const key = eq < 0 ? line : line.slice(0, eq);
    if (key.length === 0)
      throw new Error(`invalid env file (${filename}): no variable name on line '${line}'`);
    if (/[ \t]/.test(key))
      throw new Error(`invalid env file (${filename}): variable '${key}' contains whitespaces`);
    if (eq >= 0) lines.push(line);
    else if (lookup) {
      const v = lookup(line);
      if (v !== undefined) lines.push(`${key}=${v}`);
    }
  }
  return lines;
}

// ---- validators that rewrite values (opts.*) ----

export function validateEnv(val: string): string {
  const eq = val.indexOf("=");
  const k = eq < 0 ? val : val.slice(0, eq);
  if (k === "") throw new FlagValueError(`invalid environment variable: ${val}`);
  if (eq >= 0) return val;
  const v = process.env[k];
  return v === undefined ? val : `${k}=${v}`;
}

export function validateLabel(val: string): string {
  const eq = val.indexOf("=");
  const key = (eq < 0 ? val : val.slice(0, eq)).replace(/^[ \t]+/, "");
  if (key === "") throw new FlagValueError(`invalid label '${val}': empty name`);
  if (/[ \t]/.test(key)) throw new FlagValueError(`label '${key}' contains whitespaces`);
  return val;
}

/** net.IP.String(): IPv4 dotted, IPv6 compressed lower-case. */
export function canonicalIp(val: string): string | undefined {
  const v = val.trim();
  if (isIP(v) === 4)
    return v
      .split(".")
      .map((p) => String(Number(p)))
      .join(".");
  if (isIP(v) === 6) {
    try {
      return new URL(`http://[${v}]/`).hostname.slice(1, -1);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function validateIpAddress(val: string): string {
  const ip = canonicalIp(val);
  if (ip === undefined) throw new FlagValueError(`IP address is not correctly formatted: ${val}`);
  return ip;
}

export function validateExtraHost(val: string): string {
  let sep = val.indexOf("=");
  if (sep < 0) sep = val.indexOf(":");
  const k = sep < 0 ? "" : val.slice(0, sep);
  let v = sep < 0 ? "" : val.slice(sep + 1);
  if (sep < 0 || k === "" || k.includes(":"))
    throw new FlagValueError(`bad format for add-host: ${JSON.stringify(val)}`);
  if (v !== "host-gateway") {
    if (v.length > 2 && v.startsWith("[") && v.endsWith("]")) v = v.slice(1, -1);
    if (canonicalIp(v) === undefined)
      throw new FlagValueError(`invalid IP address in add-host: ${JSON.stringify(v)}`);
  }
  return `${k}:${v}`;
}

export function validateDnsSearch(val: string): string {
  const v = val.replace(/^ +| +$/g, "");
  if (v === ".") return v;
  const m = /^(:?(?!-)[a-zA-Z0-9-]{1,63}(?<!-)(\.[a-zA-Z0-9-]{1,63}(?<!-))*)\.?$/.exec(v);
  if (!/[a-zA-Z]/.test(v) || !m || (m[1] ?? "").length >= 255)
    throw new FlagValueError(`${v} is not a valid domain`);
  return m[1]!;
}

// ---- devices (opts.ValidateDevice, parseLinuxDevice, ValidateDeviceCgroupRule) ----

function validDeviceMode(mode: string): boolean {
  return mode !== "" && /^[rwm]+$/.test(mode) && new Set(mode).size === mode.length;
}

/** `--device host[:container][:mode]`, validated as docker's validateLinuxPath does it. */
export function validateDevice(val: string): string {
  if ((val.match(/:/g) ?? []).length > 2) throw new FlagValueError(`bad format for path: ${val}`);
  const split = val.split(":");
  if (split[0] === "") throw new FlagValueError(`bad format for path: ${val}`);
  let containerPath = split[0] ?? "";
  let out = val;
  if (split.length === 1) out = cleanPath(containerPath);
  else if (split.length === 2) {
    if (validDeviceMode(split[1] ?? "")) out = `${cleanPath(containerPath)}:${split[1]}`;
    else {
      containerPath = split[1] ?? "";
      out = `${split[0]}:${cleanPath(containerPath)}`;
    }
  } else {
    containerPath = split[1] ?? "";
    if (!validDeviceMode(split[2] ?? "")) throw new FlagValueError(`bad mode specified: ${split[2]}`);
  }
  if (!containerPath.startsWith("/")) throw new FlagValueError(`${containerPath} is not an absolute path`);
  return out;
}

/** A validated `--device` value as the API's DeviceMapping. */
export function parseDevice(val: string): {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
} {
  const arr = val.split(":");
  let permissions = "rwm";
  let dst = "";
  if (arr.length === 3) permissions = arr[2] ?? permissions;
  if (arr.length >= 2) {
    if (validDeviceMode(arr[1] ?? "")) permissions = arr[1] ?? permissions;
    else dst = arr[1] ?? "";
  }
  const src = arr[0] ?? "";
  return { PathOnHost: src, PathInContainer: dst === "" ? src : dst, CgroupPermissions: permissions };
}

export function validateDeviceCgroupRule(val: string): string {
  if (/^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/.test(val)) return val;
  throw new FlagValueError(`invalid device cgroup format '${val}'`);
}

export function validateAttach(val: string): string {
  const s = val.toLowerCase();
  if (["stdin", "stdout", "stderr"].includes(s)) return s;
  throw new FlagValueError("valid streams are STDIN, STDOUT and STDERR");
}

// ---- numbers and sizes ----

const ulimitNames = new Set([
  "core",
  "cpu",
  "data",
  "fsize",
  "locks",
  "memlock",
  "msgqueue",
  "nice",
  "nofile",
  "nproc",
  "rss",
  "rtprio",
  "rttime",
  "sigpending",
  "stack",
]);

function parseInt64(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s))
    throw new FlagValueError(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

/** go-units ParseUlimit: "nofile=100:200". */
export function parseUlimit(val: string): { Name: string; Hard: number; Soft: number } {
  const eq = val.indexOf("=");
  if (eq < 0) throw new FlagValueError(`invalid ulimit argument: ${val}`);
  const name = val.slice(0, eq);
  const limits = val.slice(eq + 1);
  if (!ulimitNames.has(name)) throw new FlagValueError(`invalid ulimit type: ${name}`);
  const parts = limits.split(":");
  if (parts.length > 2)
    throw new FlagValueError(
      `too many limit value arguments - ${limits}, can only have up to two, \`soft[:hard]\``,
    );
  const hard = parts.length === 2 ? parseInt64(parts[1]!) : undefined;
  const soft = parseInt64(parts[0]!);
  const h = hard ?? soft;
  if (h !== -1 && soft > h)
    throw new FlagValueError(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${h}`);
  return { Name: name, Hard: h, Soft: soft };
}

/** opts.MemBytes: RAMInBytes, with the size error as the flag error. */
export function memBytes(val: string): number {
  try {
    return ramInBytes(val);
  } catch (err) {
    throw new FlagValueError((err as Error).message);
  }
}

/** opts.MemSwapBytes: "-1" is unlimited. */
export function memSwapBytes(val: string): number {
  return val === "-1" ? -1 : memBytes(val);
}

/** opts.ParseCPUs: a big.Rat ("1.5", "3/2") times 1e9, which must be whole. */
export function parseCpus(val: string): number {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(val);
  const frac = /^([+-]?\d+)\/(\d+)$/.exec(val);
  let num: bigint;
  let den: bigint;
  if (frac) {
    num = BigInt(frac[1]!);
    den = BigInt(frac[2]!);
    if (den === 0n) throw new FlagValueError(`failed to parse ${val} as a rational number`);
  } else if (m && (m[2] !== "" || (m[3] ?? "") !== "")) {
    const digits = `${m[2] ?? ""}${m[3] ?? ""}` || "0";
    const exp = Number(m[4] ?? "0") - (m[3] ?? "").length;
    num = BigInt(digits) * (exp > 0 ? 10n ** BigInt(exp) : 1n);
    den = exp < 0 ? 10n ** BigInt(-exp) : 1n;
    if (m[1] === "-") num = -num;
  } else throw new FlagValueError(`failed to parse ${val} as a rational number`);
  const nano = num * 1_000_000_000n;
  if (nano % den !== 0n) throw new FlagValueError("value is too precise");
  return Number(nano / den);
}

const durationUnits: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** time.ParseDuration, in nanoseconds. */
export function parseGoDuration(val: string): number {
  const bad = (why = "invalid duration") => new FlagValueError(`time: ${why} ${JSON.stringify(val)}`);
  let s = val;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") throw bad();
  let total = 0;
  while (s !== "") {
    const m = /^([0-9]*(?:\.[0-9]*)?)([a-zµμ]*)/.exec(s);
    if (!m || m[1] === "" || m[1] === ".") throw bad();
    if (m[2] === "") throw bad("missing unit in duration");
    const unit = durationUnits[m[2]!];
    if (unit === undefined)
      throw new FlagValueError(
        `time: unknown unit ${JSON.stringify(m[2])} in duration ${JSON.stringify(val)}`,
      );
    total += Number(m[1]) * unit;
    s = s.slice(m[0].length);
  }
  return sign * Math.round(total);
}
