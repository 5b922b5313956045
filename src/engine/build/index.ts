/**
 * build: the classic image builder behind `POST /build`. A Dockerfile (parsed by
 * `dockerfile/`) becomes one image per step, each made by a container, so `docker history`
 * reads like dockerd's.
 *
 * Glossary
 * - context: the files the client sent (a tar), unpacked, minus what `.dockerignore` excludes.
 * - step: one instruction; `Step n/total` counts the instructions of the stages built.
 * - runConfig: the config a stage carries between steps (Env, Cmd, WorkingDir…).
 * - metadata step: an instruction that only changes the config; its image has
 *   `empty_layer` history and a `#(nop)` command in container_config.
 * - file step: COPY, ADD, WORKDIR: files change in the step container, its diff is a layer.
 * - cache key: sha256 of parent image + the step's command + the runConfig (cache.ts); the
 *   build cache maps keys to the intermediate images.
 * - trigger: an ONBUILD instruction stored in an image, run when a build starts FROM it.
 * - wave: stages that depend only on earlier waves, built at the same time.
 * - mirror: a context kept on disk between builds with an index of its files' hashes.
 * - session: berth's client sends its context's manifest first (`sig`: a file's stat
 *   signature) and then only the files the mirror lacks; it also carries secrets and ssh.
 */
export { BuildService, type BuildPruneResult, type CacheRecord } from "./service.js";
export type { SessionInput, SessionOpened } from "./session.js";
export { buildSecrets, type BuildSecrets } from "./secrets.js";
export { buildSchema } from "./cache.js";
export { defaultBuildOptions, type BuildOptions } from "./options.js";
export type { BuildEvent, BuildEmit } from "./events.js";
export type { BuildDeps, BuildImages, BuildContainers } from "./deps.js";
export { RunFailedError } from "./executor.js";
export { parseDockerignore, isIgnored, type IgnorePattern } from "./dockerignore.js";
