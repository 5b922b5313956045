/**
 * Every berth command, and the management groups shown in help. A new
 * command module adds its specs here.
 */
import type { CommandSpec, GroupSpec } from "../spec.js";
import * as containerIo from "./containerIo.js";
import * as containers from "./containers.js";
import * as build from "./build.js";
import * as imageArchive from "./imageArchive.js";
import * as imageDf from "./imageDf.js";
import * as images from "./images.js";
import * as loginCmds from "./login.js";
import * as network from "./network.js";
import * as portCmd from "./port.js";
import * as pullCmd from "./pull.js";
import * as pushCmd from "./push.js";
import * as registry from "./registry.js";
import * as searchCmd from "./search.js";
import * as system from "./system.js";
import * as volume from "./volume.js";

export const groups: GroupSpec[] = [
  { name: "builder", description: "Manage builds" },
  { name: "container", description: "Manage containers" },
  { name: "image", description: "Manage images" },
  { name: "network", description: "Manage networks" },
  { name: "registry", description: "Run an OCI distribution registry" },
  { name: "system", description: "Manage Berth" },
  { name: "volume", description: "Manage volumes" },
];

export const allCommands: CommandSpec[] = [
  ...containerIo.commands,
  ...containers.commands,
  ...build.commands,
  system.version,
  system.info,
  system.events,
  images.list,
  images.inspect,
  images.history,
  images.tag,
  images.remove,
  images.prune,
  imageArchive.importImage,
  imageArchive.load,
  imageArchive.save,
  imageDf.df,
  pullCmd.pull,
  pushCmd.push,
  loginCmds.login,
  loginCmds.logout,
  searchCmd.search,
  ...network.commands,
  portCmd.port,
  ...registry.commands,
  volume.create,
  volume.list,
  volume.inspect,
  volume.remove,
  volume.prune,
];
