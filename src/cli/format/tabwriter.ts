/**
 * Go's text/tabwriter as docker's fork uses it (cell width by display width,
 * go-runewidth). Cells are terminated by \t (or \v); the text after the last
 * tab of a line is a cell outside every column. A column block is a run of
 * consecutive lines that have a cell in that column; its width is the widest
 * cell plus padding, at least minwidth. \f ends the line and flushes.
 * Docker's tables use minwidth 10, tabwidth 1, padding 3, padchar ' ', flags 0.
 */
import { displayWidth } from "./width.js";

export interface TabwriterOptions {
  minwidth: number;
  tabwidth: number;
  padding: number;
  padchar: string;
}

export const dockerTabwriter: TabwriterOptions = { minwidth: 10, tabwidth: 1, padding: 3, padchar: " " };

interface Cell {
  text: string;
  width: number;
}

/** Formats text through a tabwriter and flushes it. */
export function tabwrite(text: string, opts: TabwriterOptions = dockerTabwriter): string {
  const w = new TabWriter(opts);
  w.write(text);
  return w.flush();
}

class TabWriter {
  private out = "";
  private lines: Cell[][] = [[]];
  private cell = "";
  private widths: number[] = [];

  constructor(private readonly opts: TabwriterOptions) {}

  write(text: string): void {
    for (const ch of text) {
      switch (ch) {
        case "\t":
        case "\v":
        case "\n":
        case "\f": {
          const ncells = this.terminateCell();
          if (ch === "\n" || ch === "\f") {
            this.lines.push([]);
            // A line of a single cell affects no column: everything so far can be formatted.
            if (ch === "\f" || ncells === 1) this.flushLines();
          }
          break;
        }
        default:
          this.cell += ch;
      }
    }
  }

  flush(): string {
    if (this.cell.length > 0) this.terminateCell();
    this.flushLines();
    return this.out;
  }

  private terminateCell(): number {
    const line = this.lines[this.lines.length - 1] ?? [];
    line.push({ text: this.cell, width: displayWidth(this.cell) });
    this.cell = "";
    return line.length;
  }

  private flushLines(): void {
    this.format(0, this.lines.length);
    this.lines = [[]];
    this.widths = [];
  }

  private padding(textw: number, cellw: number): string {
    if (this.opts.padchar === "\t") {
      if (this.opts.tabwidth === 0) return "";
      const c = Math.ceil(cellw / this.opts.tabwidth) * this.opts.tabwidth;
      return "\t".repeat(Math.ceil((c - textw) / this.opts.tabwidth));
    }
    return this.opts.padchar.repeat(Math.max(cellw - textw, 0));
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i] ?? [];
      line.forEach((c, j) => {
        this.out += c.text;
        if (j < this.widths.length) this.out += this.padding(c.width, this.widths[j] ?? 0);
      });
      if (i + 1 === this.lines.length) {
        // The last buffered line has no newline yet: only its pending text.
        this.out += this.cell;
      } else {
        this.out += "\n";
      }
    }
  }

  /** Go's recursive column-block formatter. */
  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    let start = line0;
    for (let l = line0; l < line1; l++) {
      const line = this.lines[l] ?? [];
      if (column >= line.length - 1) continue;
      // This line opens a block in `column`: print the lines before it.
      this.writeLines(start, l);
      start = l;
      let width = this.opts.minwidth;
      for (; l < line1; l++) {
        const cells = this.lines[l] ?? [];
        if (column >= cells.length - 1) break;
        const w = (cells[column]?.width ?? 0) + this.opts.padding;
        if (w > width) width = w;
      }
      this.widths.push(width);
      this.format(start, l);
      this.widths.pop();
      // As in Go, the loop's l++ skips line l: it ended the block, so it
      // has no cell in this column either.
      start = l;
    }
    this.writeLines(start, line1);
  }
}
