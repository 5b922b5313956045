/** The container I/O commands (cp, top, diff, export, commit, stats, update), listed once for index.ts. */
import type { CommandSpec } from "../spec.js";
import { commit } from "./commit.js";
import { cp } from "./cp.js";
import { diff } from "./diff.js";
import { exportContainer } from "./export.js";
import { stats } from "./stats.js";
import { top } from "./top.js";
import { update } from "./update.js";

export const commands: CommandSpec[] = [cp, top, diff, exportContainer, commit, stats, update];
