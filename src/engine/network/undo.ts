/**
 * An undo stack for one operation: push a rollback after each resource is
 * acquired; on failure run them newest first (all of them, even if one
 * fails), on success drop them. Rollbacks get their own time limit.
 */
export class UndoStack {
  private readonly steps: (() => unknown)[] = [];

  push(step: () => unknown): void {
    this.steps.push(step);
  }

  /** Runs every rollback in reverse order; returns the errors they raised. */
  async unwind(timeoutMs = 15_000): Promise<unknown[]> {
    const errors: unknown[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await Promise.race([
          Promise.resolve().then(step),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error("rollback timed out")), timeoutMs).unref(),
          ),
        ]);
      } catch (e) {
        errors.push(e);
      }
    }
    return errors;
  }

  /** Runs fn; on a throw unwinds and rethrows the original error. */
  static async run<T>(fn: (undo: UndoStack) => Promise<T>): Promise<T> {
    const undo = new UndoStack();
    try {
      return await fn(undo);
    } catch (e) {
      await undo.unwind();
      throw e;
    }
  }
}
