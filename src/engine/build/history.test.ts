import { test } from "node:test";
import assert from "node:assert/strict";
import {
  goDuration,
  goQuoteList,
  goQuoteRune,
  healthcheckText,
  nopCmd,
  createdBy,
  runCmdWithArgs,
  transferComment,
} from "./history.js";

test("metadata steps read like dockerd's history", () => {
  assert.equal(createdBy(nopCmd('CMD ["sh"]')), '/bin/sh -c #(nop)  CMD ["sh"]');
  assert.equal(goQuoteList(["/bin/sh", "-c", 'echo "hi"']), '["/bin/sh" "-c" "echo \\"hi\\""]');
  assert.equal(createdBy(runCmdWithArgs(["B=2", "A=1"], ["/bin/sh", "-c", "x"])), "|2 A=1 B=2 /bin/sh -c x");
  assert.equal(createdBy(runCmdWithArgs([], ["/bin/sh", "-c", "x"])), "/bin/sh -c x");
  assert.equal(
    transferComment({ kind: "COPY", chown: "a:b", sourceHash: "multi:ab", dest: "/d/" }),
    "COPY --chown=a:bmulti:ab in /d/ ",
  );
});

test("HEALTHCHECK is Go's %q of the struct", () => {
  assert.equal(
    healthcheckText({ Test: ["CMD-SHELL", "echo ok"], Interval: 5e9, Retries: 3 }),
    `HEALTHCHECK &{["CMD-SHELL" "echo ok"] "5s" "0s" "0s" '\\x03'}`,
  );
  assert.equal(goDuration(90e9), "1m30s");
  assert.equal(goDuration(1.5e9), "1.5s");
  assert.equal(goDuration(3600e9), "1h0m0s");
  assert.equal(goDuration(250e6), "250ms");
  assert.equal(goQuoteRune(65), "'A'");
  assert.equal(goQuoteRune(10), "'\\n'");
});
