import assert from "node:assert/strict";
import { test } from "node:test";
import { TtyBuildView } from "./buildTty.js";

/** A terminal that understands what the view writes: \n, \r, cursor up and clear to the end. */
class Screen {
  lines: string[] = [""];
  row = 0;
  columns = 60;

  write(chunk: string): boolean {
    for (let i = 0; i < chunk.length; i++) {
      const esc = /^\x1b\[(\d*)([AJm])/.exec(chunk.slice(i));
      if (esc) {
        if (esc[2] === "A") this.row = Math.max(0, this.row - Number(esc[1] || 1));
        if (esc[2] === "J") {
          this.lines.splice(this.row + 1);
          this.lines[this.row] = "";
        }
        i += esc[0].length - 1;
      } else if (chunk[i] === "\n") {
        this.row++;
        this.lines[this.row] ??= "";
      } else if (chunk[i] === "\r") this.lines[this.row] = "";
      else this.lines[this.row] = (this.lines[this.row] ?? "") + chunk[i];
    }
    return true;
  }

  text(): string {
    return this.lines.join("\n").trimEnd();
  }
}

test("steps end as one line each (CACHED or a time); a running step shows its last lines, then folds them", () => {
  const screen = new Screen();
  let t = 0;
  const view = new TtyBuildView(screen as unknown as NodeJS.WritableStream, () => t);
  view.stream("Step 1/3 : FROM busybox");
  view.stream("\n");
  view.stream(" ---> 0123456789ab\n");
  view.stream("Step 2/3 : COPY a /a");
  view.stream("\n");
  view.stream(" ---> Using cache\n");
  view.stream(" ---> 0123456789ab\n");
  view.stream("Step 3/3 : RUN for i in 1 2 3 4 5 6 7 8; do echo this is line $i; done");
  view.stream(" ---> Running in 0123456789ab\n");
  t = 1000;
  for (let i = 1; i <= 8; i++) view.stream(`line ${i}\n`);
  view.stream("\x1b[91mwarn\x1b[0m");
  t = 2000;
  view.above(() => screen.write("pulled\n"));
  const running = screen.text().split("\n");
  assert.equal(running[0], `[1/3] FROM busybox${" ".repeat(59 - 18 - 5)} 0.0s`);
  assert.match(running[1] ?? "", /^\[2\/3\] COPY a \/a +CACHED$/);
  assert.equal(running[2], "pulled");
  assert.equal(running[3], "[3/3] RUN for i in 1 2 3 4 5 6 7 8; do echo this is line $…"); // cut to 59 columns
  assert.deepEqual(
    running.slice(4),
    ["line 4", "line 5", "line 6", "line 7", "line 8", "warn"].map((l) => `  ${l}`),
  );
  t = 3500;
  view.stream("Removing intermediate container 0123456789ab\n");
  view.stream(" ---> 0123456789ab\n");
  view.stream("Successfully built 0123456789ab\n");
  view.finish(false);
  const done = screen.text().split("\n");
  assert.equal(done.length, 5, screen.text());
  assert.match(done[3] ?? "", / 3\.5s$/);
  assert.equal(done[4], "Successfully built 0123456789ab");
});

test("a failed step keeps its last lines on screen", () => {
  const screen = new Screen();
  const view = new TtyBuildView(screen as unknown as NodeJS.WritableStream, () => 0);
  view.stream("Step 1/1 : RUN exit 3");
  view.stream("oops\n");
  view.finish(true);
  assert.equal(screen.text(), "[1/1] RUN exit 3\n  oops");
});
