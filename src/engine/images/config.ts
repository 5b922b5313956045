/**
 * Image config bytes: validation of configs that come from outside (load,
 * pull) and the serialisation of configs this engine makes (import, commit).
 * The bytes are kept exactly as written, because their digest is the image ID.
 */
import { invalid } from "../errors.js";
import { isDigest, sha256Digest, type DiffId, type ImageId } from "../ids.js";
import type { ContainerConfig, HistoryEntry, ImageConfig } from "./types.js";

const maxConfigBytes = 8 * 1024 * 1024;

/** Parses and checks config bytes; the caller keeps the bytes themselves. */
export function parseConfig(bytes: Uint8Array): ImageConfig {
  if (bytes.length > maxConfigBytes) throw invalid(`image config too large (${bytes.length} bytes)`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (err) {
    throw invalid(`invalid image config: ${(err as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw invalid("invalid image config");
  const c = raw as Record<string, unknown>;
  const rootfs = c.rootfs as { type?: unknown; diff_ids?: unknown } | undefined;
  if (typeof rootfs !== "object" || rootfs === null) throw invalid("invalid image config: no rootfs");
  if (rootfs.type !== "layers") throw invalid(`invalid image config: rootfs type ${String(rootfs.type)}`);
  const diffIds = rootfs.diff_ids ?? [];
  if (!Array.isArray(diffIds) || !diffIds.every((d) => typeof d === "string" && isDigest(d))) {
    throw invalid("invalid image config: bad rootfs.diff_ids");
  }
  for (const k of ["architecture", "os", "created", "author", "comment", "variant"] as const) {
    if (c[k] !== undefined && typeof c[k] !== "string") throw invalid(`invalid image config: bad ${k}`);
  }
  if (
    c.config !== undefined &&
    c.config !== null &&
    (typeof c.config !== "object" || Array.isArray(c.config))
  ) {
    throw invalid("invalid image config: bad config");
  }
  if (c.history !== undefined && c.history !== null && !Array.isArray(c.history)) {
    throw invalid("invalid image config: bad history");
  }
  return {
    ...c,
    architecture: typeof c.architecture === "string" ? c.architecture : "",
    os: typeof c.os === "string" ? c.os : "",
    config: (c.config ?? undefined) as ContainerConfig | undefined,
    history: (c.history ?? undefined) as HistoryEntry[] | undefined,
    rootfs: { type: "layers", diff_ids: diffIds as DiffId[] },
  };
}

/** Serialises a config this engine made; its digest is the new image ID. */
export function serializeConfig(config: ImageConfig): { bytes: Buffer; id: ImageId } {
  const bytes = Buffer.from(JSON.stringify(config));
  return { bytes, id: sha256Digest(bytes) as ImageId };
}

/** The Go architecture name of this machine ("amd64", "arm64"…). */
export function hostArchitecture(): string {
  switch (process.arch) {
    case "x64":
      return "amd64";
    case "ia32":
      return "386";
    case "ppc64":
      return "ppc64le";
    default:
      return process.arch;
  }
}

/** Drops undefined and empty fields so the stored config stays small and stable. */
export function compactConfig(c: ContainerConfig): ContainerConfig {
  const out: ContainerConfig = {};
  for (const [k, v] of Object.entries(c)) {
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v) && v.length === 0 && k !== "Cmd" && k !== "Entrypoint") continue;
    if (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out;
}

/** RFC 3339 with nanoseconds, as Go writes times in image configs. */
export function goTime(nano: bigint): string {
  const ms = nano / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString();
  const frac = String(nano % 1_000_000_000n)
    .padStart(9, "0")
    .replace(/0+$/, "");
  return iso.slice(0, 19) + (frac ? `.${frac}` : "") + "Z";
}

/** The config of an imported tarball (moby's ImportImage). */
export function importConfig(opts: {
  diffId: DiffId;
  config: ContainerConfig;
  comment: string;
  nowNano: bigint;
  dockerVersion: string;
}): ImageConfig {
  const created = goTime(opts.nowNano);
  return {
    architecture: hostArchitecture(),
    comment: opts.comment,
    config: compactConfig(opts.config),
    created,
    docker_version: opts.dockerVersion,
    history: [{ created, comment: opts.comment }],
    os: "linux",
    rootfs: { type: "layers", diff_ids: [opts.diffId] },
  };
}
