/**
 * berthd: parse the configuration, take the data-root lock, build the engine,
 * listen, and shut down cleanly on SIGTERM/SIGINT (containers keep running).
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { createApiServer } from "../api/server.js";
import { log, setLogLevel } from "../engine/log.js";
import { berthVersion } from "../engine/system/index.js";
import { ConfigError, daemonUsage, parseDaemonArgs } from "./config.js";
import { checkTcpSafety, listen, parseHost } from "./listeners.js";
import { lockDataRoot } from "./lock.js";
import { wireEngine } from "./wire.js";

export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseDaemonArgs(argv);
  if (parsed.kind === "help") {
    process.stdout.write(daemonUsage());
    return 0;
  }
  if (parsed.kind === "version") {
    process.stdout.write(`Berth version ${berthVersion}\n`);
    return 0;
  }
  const config = parsed.config;
  setLogLevel(config.logLevel);
  const addresses = config.hosts.map(parseHost);
  for (const a of addresses) checkTcpSafety(a, config.tlsDisabledExplicitly);

  mkdirSync(config.dataRoot, { recursive: true, mode: 0o711 });
  const unlock = lockDataRoot(config.dataRoot);
  log.info("starting berthd", {
    version: berthVersion,
    dataRoot: config.dataRoot,
    execRoot: config.execRoot,
  });
  const engine = await wireEngine(config);
  const server = createApiServer(engine.routes, `Berth/${berthVersion} (linux)`);
  const cleanups: (() => void)[] = [];
  for (const a of addresses) cleanups.push(await listen(server, a));
  mkdirSync(dirname(config.pidfile), { recursive: true });
  writeFileSync(config.pidfile, `${process.pid}\n`);
  log.info("berthd has completed initialization");

  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info(`Processing signal '${signal}'`);
      server.close();
      server.closeAllConnections();
      void engine.shutdown().finally(() => {
        for (const c of cleanups) c();
        rmSync(config.pidfile, { force: true });
        unlock();
        resolve(0);
      });
    };
    process.on("SIGTERM", () => stop("terminated"));
    process.on("SIGINT", () => stop("interrupt"));
  });
}

export function runMain(argv: readonly string[]): void {
  main(argv).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof ConfigError) {
        process.stderr.write(`berthd: ${err.message}\n`);
        process.exit(1);
      }
      log.error("berthd failed", { err });
      process.exit(1);
    },
  );
}
