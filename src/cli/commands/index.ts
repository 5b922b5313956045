/**
 * Every berth command, and the management groups shown in help. Command modules are loaded
 * when one of their commands runs: importing all of them costs ~0.1 s, which a cached
 * `berth build` (~0.3 s in all) cannot afford. So each module is listed here with the paths of
 * its commands (aliases included), which findCommand matches before loading anything;
 * index.test.ts checks that the lists match the modules. A new command adds its paths here.
 */
import type { CommandSpec, GroupSpec } from "../spec.js";

export const groups: GroupSpec[] = [
  { name: "builder", description: "Manage builds" },
  { name: "container", description: "Manage containers" },
  { name: "image", description: "Manage images" },
  { name: "network", description: "Manage networks" },
  { name: "registry", description: "Run an OCI distribution registry" },
  { name: "system", description: "Manage Berth" },
  { name: "volume", description: "Manage volumes" },
];

export interface CommandModule {
  /** Every path of the module's commands, aliases included ("image ls", "images"). */
  paths: string[];
  load(): Promise<CommandSpec[]>;
}

// prettier-ignore
export const commandModules: CommandModule[] = [
  {
    paths: ["container cp", "cp", "container top", "top", "container diff", "diff", "container export", "export",
      "container commit", "commit", "container stats", "stats", "container update", "update"],
    load: async () => (await import("./containerIo.js")).commands,
  },
  {
    paths: ["container run", "run", "container create", "create", "container ls", "ps", "container list",
      "container ps", "container start", "start", "container stop", "stop", "container restart", "restart",
      "container kill", "kill", "container rm", "rm", "container remove", "container pause", "pause",
      "container unpause", "unpause", "container wait", "wait", "container rename", "rename", "container logs",
      "logs", "container attach", "attach", "container exec", "exec", "inspect", "container inspect",
      "container prune"],
    load: async () => (await import("./containers.js")).commands,
  },
  {
    paths: ["image build", "build", "builder build", "builder prune"],
    load: async () => (await import("./build.js")).commands,
  },
  {
    paths: ["version", "info", "system info", "events", "system events"],
    load: async () => {
      const m = await import("./system.js");
      return [m.version, m.info, m.events];
    },
  },
  {
    paths: ["image ls", "images", "image list", "image inspect", "image history", "history", "image tag", "tag",
      "image rm", "rmi", "image remove", "image prune"],
    load: async () => {
      const m = await import("./images.js");
      return [m.list, m.inspect, m.history, m.tag, m.remove, m.prune];
    },
  },
  {
    paths: ["image import", "import", "image load", "load", "image save", "save"],
    load: async () => {
      const m = await import("./imageArchive.js");
      return [m.importImage, m.load, m.save];
    },
  },
  { paths: ["system df"], load: async () => [(await import("./imageDf.js")).df] },
  { paths: ["image pull", "pull"], load: async () => [(await import("./pull.js")).pull] },
  { paths: ["image push", "push"], load: async () => [(await import("./push.js")).push] },
  {
    paths: ["login", "logout"],
    load: async () => {
      const m = await import("./login.js");
      return [m.login, m.logout];
    },
  },
  { paths: ["search"], load: async () => [(await import("./search.js")).search] },
  {
    paths: ["network create", "network ls", "network list", "network inspect", "network rm", "network remove",
      "network prune", "network connect", "network disconnect"],
    load: async () => (await import("./network.js")).commands,
  },
  { paths: ["container port", "port"], load: async () => [(await import("./port.js")).port] },
  {
    paths: ["registry serve", "registry garbage-collect", "registry gc"],
    load: async () => (await import("./registry.js")).commands,
  },
  {
    paths: ["volume create", "volume ls", "volume list", "volume inspect", "volume rm", "volume remove",
      "volume prune"],
    load: async () => {
      const m = await import("./volume.js");
      return [m.create, m.list, m.inspect, m.remove, m.prune];
    },
  },
];

/** Every command, in help's order (loads every module: for help only). */
export async function loadAllCommands(): Promise<CommandSpec[]> {
  return (await Promise.all(commandModules.map((m) => m.load()))).flat();
}

/** Length of the longest of `paths` that `words` starts with (0: none). */
function longestMatch(paths: readonly string[][], words: readonly string[]): number {
  let best = 0;
  for (const path of paths)
    if (path.length > best && path.length <= words.length && path.every((p, i) => words[i] === p))
      best = path.length;
  return best;
}

/** The command `words` start with (the longest path wins), loading only its module. */
export async function findCommand(
  words: readonly string[],
): Promise<{ spec: CommandSpec; used: number } | undefined> {
  let best: { module: CommandModule; used: number } | undefined;
  for (const module of commandModules) {
    const used = longestMatch(
      module.paths.map((p) => p.split(" ")),
      words,
    );
    if (used > 0 && (best === undefined || used > best.used)) best = { module, used };
  }
  if (best === undefined) return undefined;
  for (const spec of await best.module.load())
    if (longestMatch([spec.path, ...(spec.aliases ?? [])], words) === best.used)
      return { spec, used: best.used };
  return undefined;
}
