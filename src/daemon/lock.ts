/**
 * One daemon per data root: an exclusive flock on <data-root>/berthd.lock,
 * held for the daemon's life (the kernel drops it when the process dies, even
 * on kill -9). The file records the holder's PID for the error message.
 */
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { errnoCode } from "../engine/errors.js";
import { nativeSys } from "../engine/host/native.js";
import { ConfigError } from "./config.js";

export function lockDataRoot(dataRoot: string): () => void {
  const path = join(dataRoot, "berthd.lock");
  const fd = openSync(path, "a+", 0o600);
  try {
    nativeSys().flockExclusive(fd);
  } catch (err) {
    closeSync(fd);
    if (errnoCode(err) === "EWOULDBLOCK") {
      const pid = readFileSync(path, "utf8").trim();
      throw new ConfigError(
        `another berthd (pid ${pid || "unknown"}) is already using the data root ${dataRoot}; stop it or pass another --data-root`,
      );
    }
    throw err;
  }
  ftruncateSync(fd, 0);
  writeSync(fd, `${process.pid}\n`, 0);
  return () => closeSync(fd);
}
