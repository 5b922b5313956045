/**
 * The container's process config: the image's config merged with what the
 * create asked for, by Docker's rules (Entrypoint and Cmd, Env, labels,
 * working dir, stop signal, healthcheck).
 */
import { invalid } from "../errors.js";
import type { ContainerConfig } from "../images/types.js";
import { mergeHealthcheck } from "./health.js";
import type { Healthcheck } from "./model.js";
import type { ContainerSpec, ResolvedConfig } from "./model.js";
import { replaceOrAppendEnv } from "./spec/env.js";

function imageHealthcheck(h: ContainerConfig["Healthcheck"]): Healthcheck | undefined {
  if (h?.Test === undefined || h.Test.length === 0) return undefined;
  return {
    test: h.Test,
    intervalNs: h.Interval ?? 0,
    timeoutNs: h.Timeout ?? 0,
    startPeriodNs: h.StartPeriod ?? 0,
    ...(h.StartInterval ? { startIntervalNs: h.StartInterval } : {}),
    retries: h.Retries ?? 0,
  };
}

/**
 * Entrypoint and Cmd as dockerd merges them: without an entrypoint of its
 * own, the container takes the image's Cmd when it gave none, and the
 * image's Entrypoint unless it reset it.
 */
export function mergeCommand(
  spec: Pick<ContainerSpec, "entrypoint" | "cmd">,
  image: ContainerConfig,
): { entrypoint: string[] | null; cmd: string[] | null } {
  let entrypoint: string[] | null = spec.entrypoint ?? null;
  let cmd: string[] | null = spec.cmd && spec.cmd.length > 0 ? spec.cmd : null;
  if (entrypoint === null || entrypoint.length === 0) {
    if (cmd === null) cmd = image.Cmd && image.Cmd.length > 0 ? image.Cmd : null;
    if (spec.entrypoint === undefined)
      entrypoint = image.Entrypoint && image.Entrypoint.length > 0 ? image.Entrypoint : null;
  }
  if (entrypoint !== null && entrypoint.length === 0) entrypoint = null;
  return { entrypoint, cmd };
}

/** Docker's set-as-map: {"80/tcp": {}}. */
const keys = (list: readonly string[] | undefined): Record<string, object> =>
  Object.fromEntries((list ?? []).map((k) => [k, {}]));

export function resolveConfig(spec: ContainerSpec, image: ContainerConfig, hostname: string): ResolvedConfig {
  const { entrypoint, cmd } = mergeCommand(spec, image);
  const argv = [...(entrypoint ?? []), ...(cmd ?? [])];
  const path = argv[0];
  if (path === undefined) throw invalid("No command specified");
  const healthcheck = mergeHealthcheck(spec.healthcheck, imageHealthcheck(image.Healthcheck));
  const stopTimeout = spec.stopTimeout ?? image.StopTimeout;
  return {
    hostname,
    domainname: spec.domainname ?? "",
    user: spec.user ?? image.User ?? "",
    env: replaceOrAppendEnv(image.Env ?? [], spec.env),
    path,
    args: argv.slice(1),
    entrypoint,
    cmd,
    workingDir: spec.workingDir ?? image.WorkingDir ?? "",
    labels: { ...(image.Labels ?? {}), ...spec.labels },
    stopSignal: spec.stopSignal ?? image.StopSignal ?? "SIGTERM",
    ...(stopTimeout !== undefined ? { stopTimeout } : {}),
    tty: spec.tty,
    openStdin: spec.openStdin,
    stdinOnce: spec.stdinOnce,
    exposedPorts: { ...(image.ExposedPorts ?? {}), ...keys(spec.exposedPorts) },
    volumes: { ...(image.Volumes ?? {}), ...keys(spec.volumes) },
    ...(healthcheck !== undefined ? { healthcheck } : {}),
  };
}
