/** Wait (at most timeoutMs) for a file to appear in a directory, via inotify with a timer as backstop. */
import { watch, type FSWatcher } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";

export function waitForFile(dir: string, name: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    let watcher: FSWatcher | undefined;
    const done = () => {
      clearTimeout(timer);
      watcher?.close();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    try {
      watcher = watch(dir, { persistent: true }, (_event, file) => {
        if (file === null || file === name) done();
      });
      watcher.on("error", done);
    } catch {
      // the timer covers it
    }
    // The file may have appeared before the watch was in place.
    stat(join(dir, name)).then(done, () => undefined);
  });
}
