/**
 * Every berth command, and the management groups shown in help. A new
 * command module adds its specs here.
 */
import type { CommandSpec, GroupSpec } from "../spec.js";
import * as system from "./system.js";

export const groups: GroupSpec[] = [{ name: "system", description: "Manage Berth" }];

export const allCommands: CommandSpec[] = [system.version, system.info, system.events];
