/**
 * Keeps the output of stages that build at the same time in file order: the first unfinished
 * stage streams live, later ones are held back until every stage before them is done. Only one
 * stage is ever shown at a time, so a RUN's partial line (output comes in arbitrary chunks) is
 * never cut by another stage's text, and the log reads as the classic builder's sequential one.
 * A later stage that failed while held is shown when the stages before it are done.
 */
import type { BuildEmit, BuildEvent } from "./events.js";

export class StageOutput {
  private cur = 0;
  private readonly held = new Map<number, BuildEvent[]>();
  private readonly finished = new Set<number>();

  constructor(
    private readonly order: readonly number[],
    private readonly emit: BuildEmit,
  ) {}

  emitterFor(stage: number): BuildEmit {
    return (e) => {
      if (this.order[this.cur] === stage) this.emit(e);
      else {
        const q = this.held.get(stage) ?? [];
        q.push(e);
        this.held.set(stage, q);
      }
    };
  }

  done(stage: number): void {
    this.finished.add(stage);
    while (this.cur < this.order.length && this.finished.has(this.order[this.cur] as number)) {
      this.cur++;
      const next = this.order[this.cur];
      if (next === undefined) break;
      for (const e of this.held.get(next) ?? []) this.emit(e);
      this.held.delete(next);
    }
  }
}
