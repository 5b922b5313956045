/**
 * The image config a build step writes, shaped like dockerd's classic builder writes it:
 * config and container_config (the step's command), history with `created_by` and
 * `empty_layer`, keys in the order Docker's JSON has them.
 */
import type { DiffId } from "../ids.js";
import {
  goTime,
  hostArchitecture,
  type ContainerConfig,
  type HistoryEntry,
  type ImageConfig,
} from "../images/index.js";
import { createdBy } from "./history.js";
import { dockerConfig } from "./runConfig.js";

export interface StepImageInput {
  parent: string;
  config: ContainerConfig;
  /** The step container's command (`/bin/sh -c #(nop) …` or the RUN command). */
  containerCmd: string[];
  containerId: string;
  diffIds: DiffId[];
  history: HistoryEntry[];
  /** The step's layer, when it changed files. */
  newDiffId: DiffId | undefined;
  author: string | undefined;
  createdNano: bigint;
  engineVersion: string;
}

export function stepImageConfig(s: StepImageInput): ImageConfig {
  const created = goTime(s.createdNano);
  const entry: HistoryEntry = { created };
  if (s.author) entry.author = s.author;
  entry.created_by = createdBy(s.containerCmd);
  if (s.newDiffId === undefined) entry.empty_layer = true;
  const out: ImageConfig = {
    architecture: hostArchitecture(),
    ...(s.author ? { author: s.author } : {}),
    config: dockerConfig(s.config, s.parent),
    container: s.containerId,
    container_config: dockerConfig(
      { ...s.config, Cmd: s.containerCmd },
      s.parent,
      s.containerId.slice(0, 12),
    ),
    created,
    docker_version: s.engineVersion,
    history: [...s.history, entry],
    os: "linux",
    rootfs: { type: "layers", diff_ids: s.newDiffId ? [...s.diffIds, s.newDiffId] : [...s.diffIds] },
  };
  return out;
}
