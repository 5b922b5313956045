/**
 * An undo stack for one operation: push a rollback after each acquired
 * resource, run them in reverse on failure, drop them on success. Rollbacks
 * ignore each other's failures (each is logged) and have their own timeout.
 */
import { log } from "./log.js";

const rollbackTimeoutMs = 10_000;

export class Undo {
  private readonly steps: { what: string; fn: () => unknown }[] = [];

  push(what: string, fn: () => unknown): void {
    this.steps.push({ what, fn });
  }

  async rollback(): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop();
      if (step === undefined) break;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(step.fn),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error("timed out")), rollbackTimeoutMs);
          }),
        ]);
      } catch (err) {
        log.warn(`rollback of ${step.what} failed: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** Runs `fn`; on failure rolls back and rethrows. */
  static async run<T>(fn: (undo: Undo) => Promise<T>): Promise<T> {
    const undo = new Undo();
    try {
      return await fn(undo);
    } catch (err) {
      await undo.rollback();
      throw err;
    }
  }
}
