/**
 * Docker's exact texts for the messages clients parse or show. Keeping them in
 * one place lets tests check the wording against Docker's once.
 */
export const messages = {
  noSuchImage: (ref: string) => `No such image: ${ref}`,
  noSuchContainer: (ref: string) => `No such container: ${ref}`,
  noSuchExec: (id: string) => `No such exec instance: ${id}`,
  noSuchNetwork: (ref: string) => `network ${ref} not found`,
  noSuchVolume: (name: string) => `get ${name}: no such volume`,
  ambiguousContainer: (ref: string) => `multiple IDs found with provided prefix: ${ref}`,
  ambiguousImage: (ref: string) => `No such image: ${ref}`,
  containerNameInUse: (name: string, id: string) =>
    `Conflict. The container name "/${name}" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
  invalidReference: (ref: string) => `invalid reference format: repository name (${ref}) must be lowercase`,
  invalidReferenceFormat: () => "invalid reference format",
  pageNotFound: () => "page not found",
  unsupportedApiVersion: (version: string, min: string) =>
    `client version ${version} is too old. Minimum supported API version is ${min}, please upgrade your client to a newer version`,
  apiVersionTooNew: (version: string, max: string) =>
    `client version ${version} is too new. Maximum supported API version is ${max}`,
} as const;

/** Swarm-mode endpoints on a node that is not in a swarm. */
export const notSwarmManager =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

/** Docker's texts for container lifecycle refusals. */
export const containerMessages = {
  notRunning: (id: string) => `Container ${id} is not running`,
  alreadyPaused: (id: string) => `Container ${id} is already paused`,
  notPaused: (id: string) => `Container ${id} is not paused`,
  startPaused: () => "cannot start a paused container, try unpause instead",
  execPaused: (id: string) => `Container ${id} is paused, unpause the container before exec`,
  /** dockerd 25+: a paused container must be unpaused; running and restarting ones stopped. */
  removeActive: (name: string, status: string) =>
    status === "paused"
      ? `cannot remove container "/${name}": container is paused and must be unpaused first`
      : `cannot remove container "/${name}": container is ${status}: stop the container before removing or force remove`,
  removalInProgress: (id: string) => `removal of container ${id} is already in progress`,
  renameSame: () => "Renaming a container with the same name as its current name",
  noCommand: () => "No command specified",
} as const;

/** Docker's texts for volume refusals (moby volume/local and volume/service). */
export const volumeMessages = {
  nameTooShort: () => "volume name is too short, names should be at least two alphanumeric characters",
  invalidName: (name: string) =>
    `"${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
  invalidOption: (key: string) => `invalid option: "${key}"`,
  missingOption: (key: string) => `missing required option: "${key}"`,
  noQuota: () => "quota size requested but no quota support",
  noSuchPlugin: (driver: string) => `error looking up volume plugin ${driver}: plugin "${driver}" not found`,
  inUse: (name: string, refs: readonly string[]) => `remove ${name}: volume is in use - [${refs.join(", ")}]`,
  pruneRunning: () => "a prune operation is already running",
  updateNeedsSwarm: () => "volume update only valid for cluster volumes, but swarm is unavailable",
} as const;

/** Docker's texts for the classic builder (moby builder/dockerfile). */
export const buildMessages = {
  overridingHealthcheck: (test: readonly string[]) =>
    `Note: overriding previous HEALTHCHECK: [${test.join(" ")}]`,
  emptyContinuation: "Empty continuation lines will become errors in a future release.",
  /** dockerd's errCancelled: the client went away during the build. */
  cancelled: "build cancelled",
  runFailed: (cmd: readonly string[], code: number) =>
    `The command '${cmd.join(" ")}' returned a non-zero code: ${code}`,
  unusedArgs: (names: readonly string[]) =>
    `[Warning] One or more build-args [${names.join(" ")}] were not consumed`,
  triggers: (n: number) => `# Executing ${n} build trigger${n === 1 ? "" : "s"}`,
  multiSourceDest: (cmd: string) =>
    `When using ${cmd} with more than one source file, the destination must be a directory and end with a /`,
  noSources: (cmd: string) => `${cmd} failed: no source files were specified`,
  notInContext: (cmd: string, path: string) =>
    `${cmd} failed: file not found in build context or excluded by .dockerignore: stat ${path}: file does not exist`,
  outsideContext: (path: string) => `forbidden path outside the build context: ${path} ()`,
  /** How dockerd reports an ADD/COPY source that cannot be used (`COPY failed: …`). */
  transferFailed: (cmd: string, why: string) => `${cmd} failed: ${why}`,
  chownFormat: (spec: string) => `invalid chown string format: ${spec}`,
  noUid: (user: string) =>
    `unable to convert uid/gid chown string to host mapping: can't find uid for user ${user}: no such user: ${user}`,
  noGid: (group: string) =>
    `unable to convert uid/gid chown string to host mapping: can't find gid for group ${group}: no such group: ${group}`,
  platform: (p: string) => `"${p}": this engine builds linux/amd64 images only`,
  /** dockerd 20.10 says `dockerfile parse error line N: Unknown flag: link`; the parser's style here. */
  unknownFlag: (line: number, flag: string) =>
    `dockerfile parse error on line ${line}: unknown flag: --${flag}`,
  noImage: (ref: string) => `No such image: ${ref}`,
  pullNotSupported: (ref: string) =>
    `pull access denied for ${ref}: this engine reaches no registry; import or load the image first`,
} as const;

/** Docker's texts for cp, top, commit and update (moby daemon/archive*.go, top_unix.go, commit.go, update.go). */
export const containerExtraMessages = {
  fileNotFound: (path: string, ref: string) => `Could not find the file ${path} in container ${ref}`,
  notADirectory: () => "extraction point is not a directory",
  cannotUpdate: (id: string, why: string) => `Cannot update container ${id}: ${why}`,
  commitDead: (id: string) => `You cannot commit container ${id} which is Dead`,
  commitRemoving: (id: string) => `You cannot commit container ${id} which is being removed`,
  restarting: (id: string) => `Container ${id} is restarting, wait until the container is running`,
} as const;
