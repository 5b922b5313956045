/**
 * The system service: what `info` and `version` say about this engine, and
 * the daemon's identity (a stable ID kept in the data root).
 */
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { errnoCode } from "../errors.js";
import { hostFacts, type HostFacts } from "./facts.js";

export interface ContainerCounts {
  total: number;
  running: number;
  paused: number;
  stopped: number;
}

/** The parts of other services the system service reads. */
export interface SystemSources {
  containerCounts(): ContainerCounts;
  imageCount(): number;
  eventListeners(): number;
}

export interface SystemInfo {
  id: string;
  host: HostFacts;
  containers: ContainerCounts;
  images: number;
  dataRoot: string;
  debug: boolean;
  eventListeners: number;
  runtimes: string[];
  defaultRuntime: string;
  storageDriver: string;
  loggingDriver: string;
  cgroupDriver: string;
  initBinary: string;
  liveRestore: boolean;
  labels: string[];
  warnings: string[];
}

export interface SystemConfig {
  dataRoot: string;
  debug: boolean;
  runtimes: string[];
  defaultRuntime: string;
}

export class SystemService {
  readonly id: string;

  constructor(
    private readonly config: SystemConfig,
    private readonly sources: SystemSources,
  ) {
    this.id = loadOrCreateId(join(config.dataRoot, "engine-id"));
  }

  info(): SystemInfo {
    return {
      id: this.id,
      host: hostFacts(),
      containers: this.sources.containerCounts(),
      images: this.sources.imageCount(),
      dataRoot: this.config.dataRoot,
      debug: this.config.debug,
      eventListeners: this.sources.eventListeners(),
      runtimes: this.config.runtimes,
      defaultRuntime: this.config.defaultRuntime,
      storageDriver: "overlay2",
      loggingDriver: "json-file",
      cgroupDriver: "cgroupfs",
      initBinary: "tini",
      liveRestore: true,
      labels: [],
      warnings: [],
    };
  }
}

function loadOrCreateId(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (err) {
    if (errnoCode(err) !== "ENOENT") throw err;
    const id = randomUUID();
    writeFileSync(path, id + "\n", { mode: 0o600 });
    return id;
  }
}
