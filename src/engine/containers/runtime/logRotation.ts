/**
 * `--log-opt max-file=N`: keeping the N - 1 files before the current one. conmon caps its log
 * at `--log-size-max` by putting a new empty file in place of the full one (rename over it), so
 * the full one is gone unless something else links it. A keeper link (`<log>.keep`) always
 * names the current file: when conmon replaces it, the keeper still holds the full file, which
 * becomes `<log>.1` (older ones shift to `.2` …, the oldest beyond N - 1 is deleted), and the
 * keeper moves to the new file. inotify on the directory reports the replacement within
 * milliseconds; a file conmon fills and replaces again before that (a tiny max-size at a
 * high rate) is lost, as is one replaced while berthd is down.
 */
import { watch, type FSWatcher } from "node:fs";
import { link, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { errnoCode } from "../../errors.js";
import { log } from "../../log.js";

const keeperOf = (logPath: string) => `${logPath}.keep`;

/** The rotated files of a log, oldest first (`<log>.N` … `<log>.1`). */
export async function rotatedLogs(logPath: string): Promise<string[]> {
  const base = basename(logPath);
  const names = await readdir(dirname(logPath)).catch(() => [] as string[]);
  return names
    .map((n) => ({ n, k: n.startsWith(`${base}.`) ? Number(n.slice(base.length + 1)) : NaN }))
    .filter((x) => Number.isInteger(x.k) && x.k > 0)
    .sort((a, b) => b.k - a.k)
    .map((x) => `${dirname(logPath)}/${x.n}`);
}

const ignoreMissing = (err: unknown) => {
  if (errnoCode(err) !== "ENOENT") throw err;
};

export class LogRotation {
  private watcher: FSWatcher | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly logPath: string,
    /** Files kept in all, the current one included (> 1). */
    private readonly maxFile: number,
  ) {}

  /** Links the current file and follows its replacements. */
  start(): void {
    try {
      this.watcher = watch(dirname(this.logPath), { persistent: false }, (_event, name) => {
        if (name === basename(this.logPath)) void this.check();
      });
      this.watcher.on("error", () => undefined);
    } catch (err) {
      log.warn(`log rotation of ${this.logPath}: cannot watch: ${(err as Error).message}`);
    }
    void this.check();
  }

  /** A last look (the process may have filled a file just before exiting), then no more. */
  async stop(): Promise<void> {
    this.watcher?.close();
    this.watcher = undefined;
    await this.check();
  }

  /** Rotates if conmon replaced the file since the last look; one look at a time. */
  check(): Promise<void> {
    this.queue = this.queue
      .then(() => this.rotateIfReplaced())
      .catch((err: unknown) => log.warn(`log rotation of ${this.logPath}: ${(err as Error).message}`));
    return this.queue;
  }

  private async rotateIfReplaced(): Promise<void> {
    const keeper = keeperOf(this.logPath);
    const [current, kept] = await Promise.all([
      stat(this.logPath).catch(() => undefined),
      stat(keeper).catch(() => undefined),
    ]);
    if (current !== undefined && kept !== undefined && current.ino === kept.ino) return;
    if (kept !== undefined) {
      await rm(`${this.logPath}.${this.maxFile - 1}`, { force: true });
      for (let n = this.maxFile - 2; n >= 1; n--)
        await rename(`${this.logPath}.${n}`, `${this.logPath}.${n + 1}`).catch(ignoreMissing);
      await rename(keeper, `${this.logPath}.1`);
    }
    if (current !== undefined) await link(this.logPath, keeper).catch(ignoreMissing);
  }
}
