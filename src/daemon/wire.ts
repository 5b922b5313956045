/**
 * The one place that builds every service and hands each its dependencies.
 * No registry, no locator: reading this file tells what uses what.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Route } from "../api/router.js";
import { swarmRoutes } from "../api/swarm.js";
import { systemRoutes } from "../api/system.js";
import { LocalContentStore } from "../engine/content/index.js";
import { EventBus } from "../engine/events/index.js";
import { runtimeVersions } from "../engine/host/versions.js";
import { log } from "../engine/log.js";
import { openDatabase, type Db } from "../engine/store/index.js";
import { SystemService } from "../engine/system/index.js";
import type { DaemonConfig } from "./config.js";

export interface Engine {
  routes: Route[][];
  db: Db;
  /** Stops background work; containers keep running under conmon. */
  shutdown(): Promise<void>;
}

export async function wireEngine(config: DaemonConfig): Promise<Engine> {
  mkdirSync(config.dataRoot, { recursive: true, mode: 0o711 });
  mkdirSync(config.execRoot, { recursive: true, mode: 0o711 });
  const db = openDatabase(join(config.dataRoot, "berth.db"), []);
  const content = await LocalContentStore.open(join(config.dataRoot, "content"));
  const swept = await content.sweepIngests();
  if (swept > 0) log.info(`removed ${swept} half-written blobs`);
  const events = new EventBus();

  const system = new SystemService(
    {
      dataRoot: config.dataRoot,
      debug: config.debug,
      runtimes: ["runc"],
      defaultRuntime: config.defaultRuntime,
    },
    {
      containerCounts: () => ({ total: 0, running: 0, paused: 0, stopped: 0 }),
      imageCount: () => 0,
      eventListeners: () => 0,
    },
  );

  const routes: Route[][] = [
    systemRoutes({
      info: () => system.info(),
      subscribeEvents: (opts) => events.subscribe(opts),
      componentVersions: () => runtimeVersions(config.defaultRuntime),
    }),
    swarmRoutes(),
  ];

  return {
    routes,
    db,
    shutdown: async () => {
      db.close();
    },
  };
}
