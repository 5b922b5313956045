/**
 * A custom seccomp profile (`--security-opt seccomp=<file>`; the CLI sends the file's JSON) read
 * in Docker's format: `defaultAction`, `architectures` or `archMap`, and `syscalls` entries with
 * `names` (or the older `name`), `action`, `args`, `errnoRet`, `includes`/`excludes`. Errors use
 * dockerd's words; anything of the wrong shape is refused before a container is made.
 */
import { invalid } from "../../errors.js";
import type { DockerSeccompProfile, DockerSeccompRule, SeccompArg } from "./seccomp.js";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const fail = (why: string) => invalid(`decoding seccomp profile failed: ${why}`);

function strings(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw fail(`${what} must be a list of strings`);
  return v as string[];
}

function gate(v: unknown, what: string): DockerSeccompRule["includes"] {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw fail(`${what} must be an object`);
  const out: NonNullable<DockerSeccompRule["includes"]> = {};
  const arches = strings(v.arches, `${what}.arches`);
  const caps = strings(v.caps, `${what}.caps`);
  if (arches.length > 0) out.arches = arches;
  if (caps.length > 0) out.caps = caps;
  if (typeof v.minKernel === "string" && v.minKernel !== "") out.minKernel = v.minKernel;
  return out;
}

function args(v: unknown): SeccompArg[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw fail("args must be a list");
  return v.map((a: unknown) => {
    if (!isObj(a) || typeof a.index !== "number" || typeof a.value !== "number" || typeof a.op !== "string")
      throw fail("each arg needs a numeric index and value and an op");
    return {
      index: a.index,
      value: a.value,
      ...(typeof a.valueTwo === "number" ? { valueTwo: a.valueTwo } : {}),
      op: a.op,
    };
  });
}

function rule(v: unknown): DockerSeccompRule {
  if (!isObj(v)) throw fail("each syscalls entry must be an object");
  const hasName = typeof v.name === "string" && v.name !== "";
  const names = strings(v.names, "names");
  if (hasName && names.length > 0)
    throw invalid("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'");
  if (typeof v.action !== "string" || v.action === "") throw fail("each syscalls entry needs an action");
  const includes = gate(v.includes, "includes");
  const excludes = gate(v.excludes, "excludes");
  const parsedArgs = args(v.args);
  return {
    names: hasName ? [v.name as string] : names,
    action: v.action,
    ...(typeof v.errnoRet === "number" ? { errnoRet: v.errnoRet } : {}),
    ...(parsedArgs !== undefined ? { args: parsedArgs } : {}),
    ...(includes !== undefined ? { includes } : {}),
    ...(excludes !== undefined ? { excludes } : {}),
  };
}

export function parseSeccompProfile(text: string): DockerSeccompProfile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw fail((err as Error).message);
  }
  if (!isObj(v)) throw fail("the profile must be a JSON object");
  if (typeof v.defaultAction !== "string" || v.defaultAction === "") throw fail("defaultAction is required");
  const architectures = strings(v.architectures, "architectures");
  const archMap = v.archMap ?? [];
  if (!Array.isArray(archMap)) throw fail("archMap must be a list");
  if (architectures.length > 0 && archMap.length > 0)
    throw invalid(
      "both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'",
    );
  const syscalls = v.syscalls ?? [];
  if (!Array.isArray(syscalls)) throw fail("syscalls must be a list");
  return {
    defaultAction: v.defaultAction,
    ...(typeof v.defaultErrnoRet === "number" ? { defaultErrnoRet: v.defaultErrnoRet } : {}),
    ...(architectures.length > 0 ? { architectures } : {}),
    archMap: archMap.map((a: unknown) => {
      if (!isObj(a) || typeof a.architecture !== "string")
        throw fail("each archMap entry needs an architecture");
      return {
        architecture: a.architecture,
        subArchitectures: strings(a.subArchitectures, "subArchitectures"),
      };
    }),
    syscalls: syscalls.map(rule),
  };
}
