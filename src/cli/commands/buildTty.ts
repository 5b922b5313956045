/**
 * `berth build` on a terminal: one line per step (`[3/10] RUN make`), finished with how the step
 * ended (`CACHED`, or its time), and while a step runs, the last lines of its output under it,
 * redrawn in place and folded away when the step is done. The classic builder's bookkeeping
 * lines (` ---> Running in`, `Removing intermediate container`, ` ---> <id>`) are not shown.
 */
/** Output lines kept under a running step. */
const TAIL = 6;
/** Redraws of the running step at most this often (output can come by the megabyte). */
const REDRAW_MS = 60;

interface Step {
  label: string;
  title: string;
  started: number;
  cached: boolean;
  /** Last whole lines of output, and the line being written. */
  tail: string[];
  partial: string;
}

type Out = NodeJS.WritableStream & { columns?: number };

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");

export class TtyBuildView {
  private step: Step | undefined;
  /** Lines of the live region on screen, below everything printed for good. */
  private drawn = 0;
  private lastDraw = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: Out,
    private readonly now: () => number = Date.now,
  ) {}

  /** One message of the build stream (`stream` text only; the caller handles the rest). */
  stream(s: string): void {
    const step = /^Step (\d+)\/(\d+) : (.*)$/s.exec(s);
    if (step) {
      this.endStep();
      this.step = {
        label: `[${step[1]}/${step[2]}]`,
        title: (step[3] ?? "").trim(),
        started: this.now(),
        cached: false,
        tail: [],
        partial: "",
      };
      this.draw();
      return;
    }
    if (s === "\n" || /^( ---> Running in |Removing intermediate container | ---> [0-9a-f]*\n$)/.test(s))
      return;
    if (s === " ---> Using cache\n") {
      if (this.step) this.step.cached = true;
      return;
    }
    if (/^(Successfully built |Successfully tagged |\[Warning\] )/.test(s)) {
      this.endStep();
      this.out.write(s);
      return;
    }
    if (this.step === undefined) {
      this.out.write(s);
      return;
    }
    this.addOutput(this.step, s);
    this.drawSoon();
  }

  /** Prints something for good (pull progress, errors) above the live region. */
  above(print: () => void): void {
    this.clear();
    print();
    this.draw();
  }

  /** The build ended (or failed): the running step's last lines stay on screen. */
  finish(failed: boolean): void {
    if (failed && this.step) {
      const s = this.step;
      this.clear();
      this.out.write(`${this.line(`${s.label} ${s.title}`)}\n`);
      for (const l of this.lines(s)) this.out.write(`${this.line(`  ${l}`)}\n`);
      this.step = undefined;
      this.drawn = 0;
    } else this.endStep();
    if (this.timer) clearTimeout(this.timer);
  }

  private addOutput(s: Step, text: string): void {
    const parts = (s.partial + stripAnsi(text)).split("\n");
    s.partial = parts.pop() ?? "";
    s.tail.push(...parts.map((p) => p.replace(/\r/g, "")));
    if (s.tail.length > TAIL) s.tail.splice(0, s.tail.length - TAIL);
  }

  private lines(s: Step): string[] {
    const all = s.partial === "" ? s.tail : [...s.tail, s.partial];
    return all.slice(-TAIL);
  }

  /** The finished step's line replaces the live region. */
  private endStep(): void {
    const s = this.step;
    if (s === undefined) return;
    this.clear();
    const how = s.cached ? "CACHED" : `${((this.now() - s.started) / 1000).toFixed(1)}s`;
    this.out.write(`${this.line(`${s.label} ${s.title}`, ` ${how}`)}\n`);
    this.step = undefined;
  }

  /** A line cut to the terminal's width (a wrapped line would break the redraw), `end` kept. */
  private line(text: string, end = ""): string {
    const width = Math.max(20, (this.out.columns ?? 80) - 1);
    const room = width - end.length;
    const cut = text.length > room ? `${text.slice(0, Math.max(0, room - 1))}…` : text;
    return end === "" ? cut : `${cut.padEnd(room)}${end}`;
  }

  private clear(): void {
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A\r\x1b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.clear();
    const s = this.step;
    if (s === undefined) return;
    const rows = [
      `${this.line(`${s.label} ${s.title}`)}`,
      ...this.lines(s).map((l) => `\x1b[2m${this.line(`  ${l}`)}\x1b[0m`),
    ];
    this.out.write(rows.map((r) => `${r}\n`).join(""));
    this.drawn = rows.length;
    this.lastDraw = this.now();
  }

  private drawSoon(): void {
    if (this.now() - this.lastDraw >= REDRAW_MS) this.draw();
    else this.timer ??= setTimeout(() => this.draw(), REDRAW_MS);
  }
}
