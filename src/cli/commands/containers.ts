/** The container commands of berth (run … prune), for the command table. */
import type { CommandSpec } from "../spec.js";
import * as inspect from "./containerInspect.js";
import * as lifecycle from "./containerLifecycle.js";
import * as streams from "./containerStreams.js";
import { ps } from "./ps.js";
import { create, run } from "./run.js";

export const commands: CommandSpec[] = [
  run,
  create,
  ps,
  ...lifecycle.commands,
  ...streams.commands,
  ...inspect.commands,
];
